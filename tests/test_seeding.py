"""The suite's seed-once data sets (tests/seeding.py): a restored set is the seeded one."""
import pytest

from models import Office, StaffUser
from wechat_hall import demo
from wechat_hall.extensions import db

from tests import seeding
from tests.conftest import _clean


def _contents(app):
    with app.app_context():
        return {table.name: [tuple(row) for row in db.session.execute(
                    db.select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables}


def _counts(app):
    return {name: len(rows) for name, rows in _contents(app).items()}


def test_a_restored_set_is_row_for_row_the_seeded_one_and_ids_go_on(app):
    seeding.load(app, "halls")  # seeded now, or restored if an earlier test seeded it
    first = _contents(app)
    assert first["office"] and first["slot_template"] and first["hall_counter"]
    _clean(app)
    assert not any(_counts(app).values())
    seeding.load(app, "halls")  # now certainly restored from the snapshot
    assert _contents(app) == first
    with app.app_context():
        office = Office(code="ZZ", name="测试营业厅", region="上海", address="x", phone="x")
        db.session.add(office)
        db.session.commit()
        assert office.id == max(row[0] for row in first["office"]) + 1


def test_the_seeders_find_a_restored_demo_complete(app):
    """Seeding is idempotent: run over a restored demo it adds nothing, so the restored
    rows are what the seeders recognise as their own."""
    seeding.load(app, "demo")
    before = _counts(app)
    assert before["staff_user"] and before["holding_change"] and before["vote_ballot"]
    with app.app_context():
        demo.seed()
    assert _counts(app) == before


def test_load_wants_an_empty_database(app):
    with app.app_context():
        db.session.add(StaffUser(username="early", display_name="x", roles="admin",
                                 password_hash="x"))
        db.session.commit()
    with pytest.raises(AssertionError, match="needs an empty database"):
        seeding.load(app, "registry")
