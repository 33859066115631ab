"""/metrics (issue 17): Prometheus text, the counters moving as pushes and jobs happen,
and who may read it (METRICS_TOKEN, METRICS_ALLOW, never through a proxy)."""
from models import OutboxJob
from wechat_hall.extensions import db
from wechat_hall.jobs import submit
from wechat_hall.jobs.worker import run_pending
from wechat_hall.simulator import push


def metric(client, name, **labels):
    resp = client.get("/metrics")
    assert resp.status_code == 200, resp.status_code
    total = 0.0
    for line in resp.get_data(as_text=True).splitlines():
        head, _, value = line.rpartition(" ")
        if head.split("{")[0] == name and all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def test_metrics_are_prometheus_text_with_the_hall_counters(client):
    client.get("/healthz")
    resp = client.get("/metrics")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/plain; version=")
    text = resp.get_data(as_text=True)
    for name in ("hall_http_requests_total", "hall_http_request_seconds_bucket",
                 "# TYPE hall_wechat_pushes_total counter", "hall_wechat_dedup_hits_total",
                 "hall_wechat_budget_overruns_total", "hall_bookings_total",
                 "hall_ballots_total", "# TYPE hall_outbox_jobs gauge"):
        assert name in text, name
    assert metric(client, "hall_http_requests_total", endpoint="health.healthz",
                  status="200") >= 1


def test_a_push_its_retry_and_its_latency_are_counted(app, client, wechat):
    pushes = metric(client, "hall_wechat_pushes_total", type="text")
    hits = metric(client, "hall_wechat_dedup_hits_total")
    latencies = metric(client, "hall_wechat_reply_seconds_count", type="text")
    msg_id = push.new_msg_id()
    assert wechat.text("o_metrics_user_0001", "预约", msg_id=msg_id).status_code == 200
    assert wechat.text("o_metrics_user_0001", "预约", msg_id=msg_id).status_code == 200
    assert metric(client, "hall_wechat_pushes_total", type="text") == pushes + 2
    assert metric(client, "hall_wechat_dedup_hits_total") == hits + 1
    assert metric(client, "hall_wechat_reply_seconds_count", type="text") == latencies + 2
    follows = metric(client, "hall_wechat_pushes_total", type="event:subscribe")
    wechat.event("o_metrics_user_0001", "subscribe")
    assert metric(client, "hall_wechat_pushes_total", type="event:subscribe") == follows + 1


def test_a_refused_send_counts_the_errcode_and_the_failed_job(app, client):
    """A customer-service text to an openid WeChat does not know: the simulator answers
    40003; the job fails for good and both counters move; the outbox gauge shows it."""
    errors = metric(client, "hall_wechat_api_errors_total", code="40003")
    failed = metric(client, "hall_jobs_total", job="wechat.send_text", outcome="failed")
    with app.app_context():
        submit("wechat.send_text", {"openid": "o_metrics_never_wrote", "text": "您好"})
        db.session.commit()
    run_pending(app)
    with app.app_context():
        assert db.session.execute(db.select(OutboxJob.status)).scalar_one() == "failed"
    assert metric(client, "hall_wechat_api_errors_total", code="40003") == errors + 1
    assert metric(client, "hall_jobs_total", job="wechat.send_text", outcome="failed") == \
        failed + 1
    assert metric(client, "hall_outbox_jobs", queue="default", status="failed") == 1


def test_metrics_are_refused_from_elsewhere_and_through_a_proxy(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 403
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_a_token_or_the_allowed_networks_decide(make_app):
    app = make_app(METRICS_TOKEN="s3cret-scrape-token")
    client = app.test_client()
    assert client.get("/metrics").status_code == 403  # loopback is not enough with a token
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token",
                                         "X-Forwarded-For": "203.0.113.7"})
    assert ok.status_code == 200 and b"hall_http_requests_total" in ok.data
    lan = make_app(METRICS_ALLOW="10.0.0.0/8").test_client()
    assert lan.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert lan.get("/metrics").status_code == 403  # 127.0.0.1 is not in 10.0.0.0/8
