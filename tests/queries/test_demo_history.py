"""The demo generator: `flask demo seed` gives every open demo account a year of history
and 王安 every designed case; seeding again adds nothing."""
from models import Dividend, Freeze, HoldingChange, IpoSubscription, SecuritiesAccount, Security
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.queries import trading_days


def counts(app):
    with app.app_context():
        return [db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one()
                for m in (Security, HoldingChange, Freeze, IpoSubscription, Dividend)]


def test_demo_seed_is_complete_and_idempotent(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    first = counts(app)
    assert all(first)
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    assert counts(app) == first
    with app.app_context():
        year_ago = trading_days.years_back(clock.today(), 1)
        for account in db.session.execute(db.select(SecuritiesAccount)).scalars():
            recent = db.session.execute(db.select(db.func.count()).select_from(HoldingChange)
                                        .where(HoldingChange.account_id == account.id,
                                               HoldingChange.trade_date >= year_ago)
                                        ).scalar_one()
            if account.status in ("normal", "frozen"):
                assert recent > 0, account.number
            else:  # cancelled and dormant accounts stay empty
                assert recent == 0, account.number
        wang = db.session.execute(db.select(SecuritiesAccount).filter_by(number="A312600024")
                                  ).scalar_one()
        kinds = set(db.session.execute(db.select(HoldingChange.kind).filter_by(
            account_id=wang.id)).scalars())
        assert {"opening", "buy", "sell", "ipo", "bonus"} <= kinds
        freezes = set(db.session.execute(db.select(Freeze.kind)).scalars())
        assert {"pledge", "judicial", "assist"} <= freezes
