"""ISS-2 scheduled pushes on the real calendar, and the mailbox's 60 days."""
from datetime import date, datetime, timedelta

import pytest

from models import MailboxItem, RegisterAccess
from tests import seeding
from tests.issuers.portal_helpers import IssuerBrowser, text
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.issuers import mailbox, pushes


@pytest.fixture
def demo(app):
    return seeding.load(app, "demo")


def test_push_days_on_the_real_calendar(app):
    with app.app_context():
        # 2026-05-10 is a Sunday (and 05-09 a Saturday worked for 调休, no trading day):
        # the push is on Friday 05-08; the month's last trading day is Friday 05-29.
        assert pushes.push_days(2026, 5) == [date(2026, 5, 8), date(2026, 5, 20),
                                             date(2026, 5, 29)]
        # 2026-10-10 is a Saturday after the National Day holidays: Friday 10-09.
        assert pushes.push_days(2026, 10)[0] == date(2026, 10, 9)
        # 2026-06-20 a Saturday and 06-19 端午: Thursday 06-18.
        assert pushes.push_days(2026, 6) == [date(2026, 6, 10), date(2026, 6, 18),
                                             date(2026, 6, 30)]
        # February 2026: 春节 — the 20th falls in the holiday, the push is on 02-13.
        assert pushes.push_days(2026, 2) == [date(2026, 2, 10), date(2026, 2, 13),
                                             date(2026, 2, 27)]
        assert pushes.is_quarter_end(date(2026, 9, 30))
        assert not pushes.is_quarter_end(date(2026, 11, 30))
        assert pushes.is_quarter_end(date(2026, 12, 31))


def test_a_push_day_fills_the_mailbox_once(app, demo):
    with app.app_context():
        made = pushes.run_day(date(2026, 11, 20))
        names = sorted(i.file_name for i in made)
        assert [n[:10] for n in names] == ["t260088801", "t260088803", "t360088801",
                                           "t360088803"]
        assert {n.split(".")[0][-4:] for n in names} == {"t100", "t200"}
        assert pushes.run_day(date(2026, 11, 20)) == []  # once
        assert pushes.run_day(date(2026, 11, 19)) == []  # not a push day
    mailbox_page = IssuerBrowser(app).get("/issuer/mailbox")
    assert text(mailbox_page).count("定期推送") == 4


def test_b_shares_at_the_quarter_end(app, demo):
    with app.app_context():
        made = pushes.run_day(date(2026, 9, 30))
        b = [i for i in made if i.security.code == "900901"]
        assert [i.kind for i in b] == ["B"]
        assert b[0].file_name.startswith("t1900901032026093")


def test_the_timed_job_runs_after_the_close_of_a_push_day(app, demo):
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 20, 15, 0)
    with app.app_context():
        pushes.scheduled_pushes()
        assert db.session.query(MailboxItem).count() == 0  # before 15:30
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 20, 15, 40)
    with app.app_context():
        pushes.scheduled_pushes()
        assert db.session.query(MailboxItem).count() == 4


def test_files_leave_the_mailbox_after_60_days(app, demo):
    with app.app_context():
        item = pushes.run_day(date(2026, 11, 20))[0]
        path = mailbox.path_of(item)
        assert path.is_file() and item.expires_on == date(2026, 11, 24) + timedelta(days=60)
        item_id = item.id
    app.config["CLOCK_NOW"] = datetime(2027, 1, 22, 1, 0)  # 59 days on
    with app.app_context():
        assert mailbox.remove_expired() == 0
    app.config["CLOCK_NOW"] = datetime(2027, 1, 23, 1, 0)  # the 60th day
    with app.app_context():
        assert mailbox.remove_expired() == 4
        assert not path.exists()
        assert db.session.get(MailboxItem, item_id).removed_at is not None
        assert db.session.query(RegisterAccess).filter_by(action="removed").count() == 4
