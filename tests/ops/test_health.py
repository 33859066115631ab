"""Liveness and readiness (docs/DEPLOYMENT.md): /healthz/live answers while the database
is unreachable; /healthz then says 503, so a proxy stops sending traffic."""


def test_liveness_does_not_depend_on_the_database(make_app):
    app = make_app()
    broken = make_app(SQLALCHEMY_DATABASE_URI="postgresql://nobody@127.0.0.1:1/none")
    for candidate, ready in ((app, 200), (broken, 503)):
        client = candidate.test_client()
        assert client.get("/healthz/live").status_code == 200
        assert client.get("/healthz/live").get_json() == {"status": "ok"}
        assert client.get("/healthz").status_code == ready
