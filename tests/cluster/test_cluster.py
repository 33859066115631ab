"""Issue 17: the production shape, proven. Two gunicorn servers (2 workers each), two
job workers and two schedulers on PostgreSQL and Redis (``conftest.py``); the tests talk
to the servers in turn, request by request, and count what crossed between processes.
The tests run in this order and share the cluster; each looks only at its own rows.
"""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from models import (
    Appointment,
    BookingSlot,
    CertificateRequest,
    CsConversation,
    CsMessage,
    DevMessage,
    Follower,
    OutboxJob,
    VoteBallot,
    VoteHolding,
    VoteItem,
    VoteMeeting,
    VoteProposal,
)
from models.outbox import DONE
from tests.appointments.apt_helpers import person_id
from tests.cluster.client import Browser, WeChat, csrf_of
from tests.cluster.conftest import RACE_CAPACITY, USERS, WANG
from tests.cluster.flows import apply, certificate_asker, count_rows, read_db, signed_in
from tests.waiting import wait_until
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.simulator import push

pytestmark = pytest.mark.cluster
wechat = WeChat()


# -- 1. a web session ------------------------------------------------------------------

def test_a_web_session_continues_on_the_other_server(cluster):
    """Login, a multi-step flow with its CSRF tokens and a logout, each request on the
    other server than the one before."""
    browser = signed_in(cluster, WANG[1], "o_cluster_session_wang_000001")
    csrf, token = apply(browser, cluster, cluster.facts["flow_template"], person_id(901), "王安")
    done = browser.post("/h5/appointments/confirm", {"csrf_token": csrf, "token": token})
    assert done.status_code == 200 and "预约码" in done.text, done.text[:500]
    rows = count_rows(cluster.app, db.select(db.func.count(Appointment.id))
                  .filter_by(id_number=person_id(901)))
    assert rows == 1
    servers_used = {name for name in [browser.last.name]} | {s.name for s in cluster.servers}
    assert len(servers_used) == 2
    # Logout on one server: the next request, on the other, is signed out.
    profile = browser.get("/h5/profile")
    logout = browser.post("/h5/account/logout", {"csrf_token": csrf_of(profile.text)},
                          follow=False)
    assert logout.status_code == 302
    after = browser.get("/h5/profile", follow=False)
    assert after.status_code == 302 and "/h5/account/login" in after.headers["Location"]


def test_a_logout_ends_the_session_on_both_servers_even_for_a_kept_cookie(cluster):
    browser = signed_in(cluster, USERS[1][1], "o_cluster_session_liu_0000001")
    kept = browser.http.cookies.copy()
    profile = browser.get("/h5/profile")
    assert browser.post("/h5/account/logout", {"csrf_token": csrf_of(profile.text)},
                        follow=False).status_code == 302
    thief = Browser(cluster.servers, start=1 if browser.last is cluster.servers[0] else 0)
    thief.http.cookies.update(kept)
    after = thief.get("/h5/profile", follow=False)
    assert after.status_code == 302 and "/h5/account/login" in after.headers["Location"]


# -- 2. WeChat pushes ----------------------------------------------------------------

def test_a_push_retried_on_the_other_server_takes_effect_once_and_answers_the_same(cluster):
    """WeChat retries a push it got no answer to; the retry may reach the other server,
    even while the first is still being handled. Sent to both at once, then once more:
    one hand-off, one message, and the same reply three times."""
    web1, web2 = cluster.servers
    for n in range(6):
        openid = f"o_cluster_retry_{n:012d}"
        first, second = (web1, web2) if n % 2 == 0 else (web2, web1)
        assert wechat.text(second, openid, "一码通怎么激活", push.new_msg_id()).status_code == 200
        xml = push.text_xml(openid, wechat.target, "转人工", msg_id=push.new_msg_id())
        with ThreadPoolExecutor(2) as pool:
            a, b = pool.map(lambda s, x=xml: wechat.post(s, x), (first, second))
        third = wechat.post(first, xml)
        replies = {wechat.reply_of(r) for r in (a, b, third)}
        assert len(replies) == 1, replies
        assert "人工客服" in replies.pop()
        assert count_rows(cluster.app, db.select(db.func.count(CsMessage.id)).filter_by(
            openid=openid, body="转人工")) == 1
        assert count_rows(cluster.app, db.select(db.func.count(CsMessage.id)).filter(
            CsMessage.openid == openid, CsMessage.kind == "event",
            CsMessage.body.contains("进入"))) == 1
        # One hand-off asked for one assignment job, under one of the three requests' ids.
        ids = [r.headers["X-Request-Id"] for r in (a, b, third)]
        assert count_rows(cluster.app, db.select(db.func.count(OutboxJob.id)).filter(
            OutboxJob.func == "cs.assign", OutboxJob.request_id.in_(ids))) == 1
    # A follow event, retried the same way: one follower row, one welcome.
    openid = "o_cluster_follow_00000000001"
    xml = push.event_xml(openid, wechat.target, "subscribe", create_time=int(time.time()))
    with ThreadPoolExecutor(2) as pool:
        replies = [wechat.reply_of(r) for r in pool.map(lambda s: wechat.post(s, xml),
                                                          cluster.servers)]
    assert replies[0] == replies[1] and "欢迎" in replies[0]
    assert count_rows(cluster.app, db.select(db.func.count(Follower.id)).filter_by(
        openid=openid)) == 1


# -- 3. 100 jobs, a worker killed half-way ---------------------------------------------

JOBS = 100
CERTIFICATES = 5 * len(USERS)  # the daily limit of each of the demo users


def test_100_jobs_across_both_servers_run_exactly_once_with_a_worker_killed_half_way(cluster):
    """85 hand-offs (a question on one server, 转人工 on the other: each asks for the job
    cs.assign) and 15
    electronic certificates (certificates.issue: a signed PDF mailed). Half-way, worker1
    is killed with SIGKILL and a new worker starts; every job runs once, none twice."""
    before = count_rows(cluster.app, db.select(db.func.max(OutboxJob.id))) or 0
    askers = [certificate_asker(cluster, ymt, phone, n) for n, (ymt, phone) in enumerate(USERS)]
    work = []
    def hand_off(n):
        openid = f"o_cluster_job_{n:014d}"
        wechat.text(cluster.servers[n % 2], openid, "一码通怎么激活", push.new_msg_id())
        return wechat.text(cluster.servers[(n + 1) % 2], openid, "转人工", push.new_msg_id())

    for n in range(JOBS - CERTIFICATES):
        work.append(("push", lambda n=n: hand_off(n)))
    for k in range(CERTIFICATES):
        work.insert(k * (JOBS // CERTIFICATES), ("certificate", askers[k % len(askers)]))
    request_ids = []

    def run(item):
        kind, fn = item
        resp = fn()
        if kind == "push":
            assert resp.status_code == 200
            request_ids.append(resp.headers.get("X-Request-Id"))
        return kind

    killed = None
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(run, work[:JOBS // 2]))
        # Half-way: the jobs of the first half are running or done; kill a worker now.
        wait_until(lambda: count_rows(cluster.app, db.select(db.func.count(OutboxJob.id)).where(
            OutboxJob.id > before, OutboxJob.status.in_(("running", DONE)))) >= 10,
            timeout=60, what="the workers to start on the first half")
        killed = cluster.workers.pop(0)
        killed.kill()
        cluster.retired.append(killed)
        cluster.workers.append(cluster.start_worker("worker3"))
        list(pool.map(run, work[JOBS // 2:]))

    def settled():
        rows = read_db(cluster.app, lambda: db.session.execute(
            db.select(OutboxJob.status, db.func.count()).where(OutboxJob.id > before)
            .group_by(OutboxJob.status)).all())
        counts = dict(rows)
        # Nothing waits and nothing runs: the row the killed worker held comes back when
        # its lease (10 s here) runs out, and a job it had taken from Redis but not yet
        # claimed 30 s after its hand-over (CI once killed it in that window); another
        # worker finishes them.
        waiting = counts.get("pending", 0) + counts.get("queued", 0)
        return counts if not waiting and not counts.get("running", 0) else None

    counts = wait_until(settled, timeout=120, what="every job to be run")
    rows = read_db(cluster.app, lambda: [(r.id, r.func, r.status, r.attempts, r.request_id)
                                     for r in db.session.execute(db.select(OutboxJob).where(
                                         OutboxJob.id > before)).scalars()])
    mine = [r for r in rows if r[1] in ("cs.assign", "certificates.issue")]
    assert len([r for r in mine if r[1] == "cs.assign"]) == JOBS - CERTIFICATES
    assert len([r for r in mine if r[1] == "certificates.issue"]) == CERTIFICATES
    # Once: every job line of these rows names a different row, and a done row ran once.
    lines = [line for line in cluster.lines("job") if line["job_id"] > before]
    ids = [line["job_id"] for line in lines]
    assert len(ids) == len(set(ids)), "a job ran twice"
    # The job the killed worker was running has been run again (attempt 2).
    held = [r for r in rows if r[3] > 1]
    assert len(held) <= 1, held
    assert all(r[2] == DONE and r[3] == 1 for r in rows if r not in held), counts
    assert {line["outcome"] for line in lines} == {"done"}
    # Effects once: one signed certificate mailed per request that finished.
    issued = count_rows(cluster.app, db.select(db.func.count(CertificateRequest.id))
                    .filter_by(status="sent"))
    mails = count_rows(cluster.app, db.select(db.func.count(DevMessage.id))
                   .filter(DevMessage.channel == "email"))
    assert mails == issued >= CERTIFICATES - len(held)
    # The request id of each push is on the job it caused, in a worker's log line.
    job_ids = {line.get("request_id") for line in lines if line["job"] == "cs.assign"}
    assert set(request_ids) <= {r[4] for r in rows}
    assert len(set(request_ids) & job_ids) >= len(request_ids) - len(held)
    by_worker = {line["_process"] for line in lines}
    assert {"worker1", "worker2", "worker3"} & by_worker >= {"worker2", "worker3"}
    per_worker = ", ".join(f"{p} {sum(1 for x in lines if x['_process'] == p)}"
                           for p in sorted(by_worker))
    cluster.notes = getattr(cluster, "notes", []) + [
        f"jobs: {len(mine)} submitted through both servers, {len(ids)} run ({per_worker}), "
        f"0 twice, {len(held)} held by the killed worker (run again when its lease ran out)"]
    cluster.held = held


def test_the_job_a_killed_worker_held_is_run_again(cluster):
    held = getattr(cluster, "held", [])
    for job_id, *_ in held:
        wait_until(lambda j=job_id: count_rows(cluster.app, db.select(OutboxJob.status)
                                           .filter_by(id=j)) == DONE,
                   timeout=120, what=f"job {job_id} to be run again")


# -- 4. one access token -------------------------------------------------------------

def test_one_access_token_serves_every_process(cluster):
    """The agent goes online and answers the waiting investors from both servers at once:
    each reply is a customer-service message sent by whichever web worker served it.
    The fake WeChat API hands out one stable token, once, for all of them."""
    agent = Browser(cluster.servers)
    token = agent.csrf("/staff/login")
    assert agent.post("/staff/login", {"csrf_token": token, "username": "agent",
                                       "password": "Agent@2026"}).status_code == 200
    token = agent.csrf("/staff/cs/")
    agent.post("/staff/cs/presence", {"csrf_token": token, "presence": "online"})
    assigned = wait_until(lambda: read_db(cluster.app, lambda: db.session.execute(
        db.select(CsConversation.id).filter(CsConversation.status == "assigned")
        .order_by(CsConversation.id).limit(16)).scalars().all()) or None,
        timeout=30, what="conversations assigned to the agent")
    assert len(assigned) >= 8, assigned

    def reply(conversation_id):
        me = Browser(cluster.servers, start=conversation_id)
        me.http.cookies.update(agent.http.cookies)
        csrf = me.csrf(f"/staff/cs/?c={conversation_id}")
        resp = me.post(f"/staff/cs/c/{conversation_id}/reply",
                       {"csrf_token": csrf, "text": "您好，这里是人工客服。"})
        assert resp.status_code == 200, resp.text[:300]
        return me.last.name

    with ThreadPoolExecutor(4) as pool:
        servers = list(pool.map(reply, assigned))
    sent = count_rows(cluster.app, db.select(db.func.count(CsMessage.id)).filter_by(
        kind="out", delivery="sent"))
    assert sent >= len(assigned)
    # Counted at the fake API: the token endpoints each process's calls went to.
    fetches = [line for line in cluster.lines("request")
               if line["endpoint"] in ("sim_api.stable_token", "sim_api.token")]
    callers = {(line["_process"], line["pid"]) for line in cluster.lines("request")
               if line["endpoint"] == "sim_api.other" or "custom" in line.get("path", "")}
    assert len(fetches) == 1, fetches
    assert len(callers) >= 2, callers  # several processes used that one token
    cluster.notes = getattr(cluster, "notes", []) + [
        f"access token: {len(fetches)} fetch at the fake API for {len(callers)} processes "
        f"that sent {sent} customer-service messages (replies on {sorted(set(servers))})"]


# -- 5. the booking race and the double vote ------------------------------------------

def test_the_last_places_of_a_slot_go_to_exactly_that_many_across_both_servers(cluster):
    racers = 8
    browsers = []
    for n in range(racers):
        browser = Browser(cluster.servers, start=n)
        browser.enter_wechat(f"o_cluster_racer_{n:012d}", "appointments")
        browsers.append((browser, *apply(browser, cluster, cluster.facts["race_template"],
                                         person_id(n), f"客户{n}")))
    barrier = threading.Barrier(racers)

    def confirm(entry):
        browser, csrf, token = entry
        barrier.wait(30)
        resp = browser.post("/h5/appointments/confirm", {"csrf_token": csrf, "token": token},
                            follow=False)
        return "/h5/appointments/apply" not in resp.headers.get("Location", "")

    with ThreadPoolExecutor(racers) as pool:
        won = list(pool.map(confirm, browsers))
    assert won.count(True) == RACE_CAPACITY, won
    booked = read_db(cluster.app, lambda: db.session.execute(
        db.select(db.func.sum(BookingSlot.booked)).filter_by(
            template_id=cluster.facts["race_template"])).scalar_one())
    assert booked == RACE_CAPACITY


def test_the_same_vote_on_both_servers_at_once_is_one_ballot(cluster):
    browser = signed_in(cluster, WANG[1], "o_cluster_voter_wang_0000001")

    def open_meeting():
        meeting = db.session.execute(db.select(VoteMeeting).where(
            VoteMeeting.closes_at > clock.utcnow(), VoteMeeting.opens_at <= clock.utcnow())
            .order_by(VoteMeeting.id)).scalars().first()
        item = db.session.execute(db.select(VoteItem.id).join(VoteProposal).filter(
            VoteProposal.meeting_id == meeting.id, VoteProposal.kind == "ordinary")
            .order_by(VoteItem.id)).scalars().first()
        account = db.session.execute(db.select(VoteHolding.account).filter_by(
            meeting_id=meeting.id, name="王安")).scalar_one()
        return meeting.id, item, account

    meeting_id, item, account = read_db(cluster.app, open_meeting)
    url = f"/h5/votes/{meeting_id}/{account}/ballot"
    csrf = browser.csrf(url)
    tries = 6
    barrier = threading.Barrier(tries)

    def vote(n):
        me = Browser(cluster.servers, start=n)
        me.http.cookies.update(browser.http.cookies)
        barrier.wait(30)
        resp = me.post(url, {"csrf_token": csrf, "step": "confirm", f"item-{item}": "for"},
                       follow=False)
        return resp.status_code, resp.headers.get("Location", "")

    with ThreadPoolExecutor(tries) as pool:
        outcomes = list(pool.map(vote, range(tries)))
    # Every try lands on the receipt; only the one ballot cast says so (new=1), the others
    # were told it was cast already.
    assert all(status == 302 and location.split("?")[0].endswith("/receipt")
               for status, location in outcomes), outcomes
    assert sum(location.endswith("?new=1") for _, location in outcomes) == 1, outcomes
    assert count_rows(cluster.app, db.select(db.func.count(VoteBallot.id)).filter_by(
        meeting_id=meeting_id, account=account)) == 1


# -- 6. timed jobs ---------------------------------------------------------------------

def test_timed_jobs_run_once_per_interval_with_two_schedulers(cluster):
    """From the schedulers' own log lines: each (job, interval) ran once; the 5-second
    outbox dispatcher ran in every interval. Then scheduler1 is stopped: scheduler2
    carries on, still once per interval."""
    first = cluster.schedulers[0]
    first.stop()
    cluster.retired.append(cluster.schedulers.pop(0))
    seen = len([x for x in cluster.lines("periodic") if x["_process"] == "scheduler2"])
    wait_until(lambda: len([x for x in cluster.lines("periodic")
                            if x["_process"] == "scheduler2"]) >= seen + 2,
               timeout=30, what="scheduler2 to take over")
    lines = cluster.lines("periodic")
    ticks = [(x["job"], x["slot"]) for x in lines]
    assert len(ticks) == len(set(ticks)), "a timed job ran twice in one interval"
    slots = sorted(slot for job, slot in ticks if job == "outbox.dispatch")
    assert slots == list(range(slots[0], slots[-1] + 1)), "an interval was missed"
    # While both ran, either may win an interval's claim (one may win them all); after
    # scheduler1 stopped, scheduler2 carried on (waited for above).
    assert {x["_process"] for x in lines} <= {"scheduler1", "scheduler2"}
    cluster.notes = getattr(cluster, "notes", []) + [
        f"timed jobs: {len(ticks)} runs, 0 twice in an interval; outbox.dispatch in "
        f"{len(slots)} consecutive 5-s intervals"]


# -- 7. /metrics -----------------------------------------------------------------------

def _metric(text, name, **labels):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            head, _, value = line.rpartition(" ")
            if head.split("{")[0] == name:
                total += float(value)
    return total


def test_metrics_of_every_process_on_either_server(cluster):
    import requests
    texts = [requests.get(s.url + "/metrics", timeout=30).text for s in cluster.servers]
    for text in texts:
        assert _metric(text, "hall_http_requests_total", endpoint="wechat.receive") >= JOBS
        assert _metric(text, "hall_wechat_pushes_total", type="text") >= JOBS
        assert _metric(text, "hall_wechat_dedup_hits_total") >= 12  # the retries above
        # Job counters written by the worker processes, summed by the web server.
        assert _metric(text, "hall_jobs_total", queue="high", job="cs.assign",
                       outcome="done") >= JOBS - CERTIFICATES - 1
        assert _metric(text, "hall_bookings_total") == RACE_CAPACITY + 1
        assert _metric(text, "hall_ballots_total") == 1
        assert _metric(text, "hall_outbox_jobs", status="done") >= JOBS
        assert "hall_wechat_reply_seconds_bucket" in text
        assert "hall_periodic_runs_total" in text
    forwarded = requests.get(cluster.servers[0].url + "/metrics", timeout=30,
                             headers={"X-Forwarded-For": "203.0.113.9"})
    assert forwarded.status_code == 403  # through a proxy is from the public
