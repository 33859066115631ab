"""The migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine

from wechat_hall import create_app
from wechat_hall.extensions import db


def test_upgrade_from_empty_matches_the_models(tmp_path, base_config):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        engine = create_engine(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        engine.dispose()
        db.session.remove()
        db.engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"
