"""What bench/vote_bench.py puts in the database before it measures: the app on the run's
database, a meeting (two 表决型 items, an election of two with two candidates, 总议案),
and for the HTTP run an open meeting with activated voters copied in, each with one
account on the register, and the confirmed ballot each will POST.
"""
import io
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import harness


def make_app(database_url, redis_url):
    return harness.make_app(database_url, redis_url, WTF_CSRF_TIME_LIMIT=None)


def new_meeting(db, title, opens, closes):
    from models import VoteItem, VoteMeeting, VoteProposal
    from models.voting import ELECTION, ORDINARY
    from wechat_hall import clock
    now = clock.utcnow()
    meeting = VoteMeeting(security_code="600888", security_name="浦江科技", title=title,
                          record_date=date(2026, 11, 16), opens_at=now + timedelta(hours=opens),
                          closes_at=now + timedelta(hours=closes), total_shares=5_000_000_000,
                          close_price=Decimal("12.50"), has_overall=True)
    p1 = VoteProposal(meeting=meeting, number=1, title="议案", kind=ORDINARY)
    p2 = VoteProposal(meeting=meeting, number=2, title="选举董事", kind=ELECTION, seats=2)
    items = [VoteItem(proposal=p1, number=1, title="议案1"), VoteItem(proposal=p1, number=2, title="议案2"),
             VoteItem(proposal=p2, number=1, title="甲"), VoteItem(proposal=p2, number=2, title="乙")]
    db.session.add_all([meeting, p1, p2, *items])
    db.session.commit()
    return meeting, p1, p2, items



def prepare_voters(app, voters):
    """An open meeting and ``voters`` activated users with one account each; returns the
    requests (path, cookie, body)."""
    from models import Broker, BrokerBranch
    from wechat_hall.extensions import db
    with app.app_context():
        meeting, p1, p2, items = new_meeting(db, "投票吞吐基准", -1, 24)
        broker = Broker(code="BENCH", name="基准证券")
        branch = BrokerBranch(broker=broker, code="0001", name="基准营业部")
        db.session.add_all([broker, branch])
        db.session.commit()
        raw = db.session.connection().connection
        buf = {name: io.StringIO() for name in ("investor", "ymt", "acct", "user", "hold")}
        for n in range(1, voters + 1):
            buf["investor"].write(f"{n}\tindividual\t投票人{n}\tresident_id\tB{n:017d}\t2026-11-20\n")
            buf["ymt"].write(f"{n}\t9{n:011d}\t{n}\tnormal\t{branch.id}\t2026-11-20\n")
            buf["acct"].write(f"{n}\tB{n:09d}\tSH\ta_share\t{n}\tnormal\t{branch.id}\t2026-11-20\n")
            buf["user"].write(f"{n}\t1{n:010d}\tx\t{n}\t2026-11-20\t0\t0\t2026-11-20\n")
            buf["hold"].write(f"{meeting.id}\t\tB{n:09d}\t投票人{n}\t\t1000\t{1000 + n}\tf\n")
        with raw.cursor() as cur:
            for table, cols, key in [
                    ("investor", "id, holder_type, name, id_type, id_number, created_at", "investor"),
                    ("ymt_account", "id, number, investor_id, status, branch_id, opened_at", "ymt"),
                    ("securities_account", "id, number, market, kind, ymt_account_id, status, "
                     "branch_id, opened_at", "acct"),
                    ("hall_user", "id, phone, password_hash, ymt_account_id, activated_at, "
                     "session_epoch, failed_logins, created_at", "user"),
                    ("vote_holding", "meeting_id, parent_account, account, name, id_number, "
                     "holder_category, quantity, split", "hold")]:
                buf[key].seek(0)
                cur.copy_expert(f"COPY {table} ({cols}) FROM STDIN", buf[key])
            for seq in ("investor_id_seq", "ymt_account_id_seq", "securities_account_id_seq",
                        "hall_user_id_seq"):
                cur.execute(f"SELECT setval('{seq}', %s)", (voters,))
        db.session.commit()
        i1, i2, c1, c2 = [i.id for i in items]
        requests = []
        for n in range(1, voters + 1):
            cookie, token = harness.session_cookie(
                app, {"hall_user_id": n, "hall_user_epoch": 0}, csrf=True)
            shares = 1000 + n
            body = urlencode({"csrf_token": token, "step": "confirm", "overall": "for",
                              f"item-{i2}": "against", "order": f"item-{i2},overall",
                              f"cand-{c1}": str(shares), f"cand-{c2}": str(shares)})
            requests.append((f"/h5/votes/{meeting.id}/B{n:09d}/ballot", cookie, body))
        return meeting.id, requests


def ballot_caster(app):
    """``cast(path, cookie, body)``: one prepared ballot (see :func:`prepare_voters`) posted
    through the app's test client; exits with the answer unless it is the redirect to
    the receipt."""
    client = app.test_client()

    def cast(path, cookie, body):
        client.set_cookie("session", cookie, domain="localhost")
        r = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
        if r.status_code != 302 or "/receipt" not in r.headers.get("Location", ""):
            raise SystemExit(f"HTTP {r.status_code}: {r.get_data(as_text=True)[-400:]}")
    return cast
