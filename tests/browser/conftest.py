"""Browser tests: the real app on a live port, Debian's chromium in a phone viewport.

``live_server`` (session) serves ``create_app`` with the suite's ``base_config`` (same
database and Redis as every other test) from a background thread; ``hall`` gives each
test a clean database and Redis the way ``make_app`` does for the rest of the suite;
``page`` is a fresh browser context in an iPhone-sized viewport whose last screen is saved
to ``test-artifacts/browser/<test>.png``; ``phone`` wraps it in :class:`phone.Phone`.

Without /usr/bin/chromium (Debian's; Playwright's own download is not used) the browser
tests are skipped, unless ``REQUIRE_SERVICES=1`` (CI), which makes that a failure.
"""
import os
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from wechat_hall import create_app
from wechat_hall.extensions import db
from wechat_hall.jobs.worker import run_pending
from wechat_hall.services import redis_batch
from wechat_hall.services.wechat import followers

from tests import seeding
from tests.browser.phone import Phone


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
IPHONE = {  # iPhone 14-ish
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
TIMEOUT_MS = 10_000  # any single wait; replies come in milliseconds, polled ones within 2 s


class LiveServer:
    """The app served on 127.0.0.1 at a free port, in a thread of this process."""

    def __init__(self, base_config):
        # Bind first (port 0: the OS picks a free one), so PUBLIC_BASE_URL is known
        # before the app is built; the server calls the app through this indirection.
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.config = {**base_config, "PUBLIC_BASE_URL": self.url}
        self.app = create_app(self.config)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="live-server", daemon=True)

    def _wsgi(self, environ, start_response):
        return self.app(environ, start_response)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def app_context(self):
        return self.app.app_context()

    def run_jobs(self):
        """Run the jobs the app has queued. With Redis they wait in RQ for a worker (there
        is none in tests, so one works the queues in burst mode here); embedded they run
        in threads of this process, and this waits for those."""
        run_pending(self.app)


@pytest.fixture(scope="session")
def live_server(base_config, _schema):
    server = LiveServer(base_config).start()
    yield server
    server.stop()


def _written(app):
    """What the live server's app still holds in memory (the follower activity its
    thread writes every second, queued Redis writes) is written now: before the clean,
    not into the next test's empty database."""
    followers.flush_activity(app)
    redis_batch.flush_writers(app)


@pytest.fixture
def hall(live_server, make_app):
    """The live server, over a clean database and Redis (``make_app`` cleans them for each
    test; its app has the live server's settings, so jobs it runs see the same URLs)."""
    _written(live_server.app)
    make_app(**live_server.config)
    yield live_server
    _written(live_server.app)


@pytest.fixture
def demo_data(hall):
    """The demo data (``flask demo seed``). Ask for it before ``phone`` or anything else
    that writes: it is restored into an empty database (tests/seeding.py)."""
    seeding.load(hall.app, "demo")
    return hall


def _chromium_missing(reason):  # CI must not pass by skipping
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} and REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _chromium_missing(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):  # the artifacts describe this run only
        old.unlink()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def artifact_name(nodename):
    """``test_x[业务办理/证券查询]`` → ``test_x_业务办理_证券查询`` (safe as a file name).
    pytest writes non-ASCII parameter ids as ``\\u4e1a…`` escapes; they are undone here."""
    if nodename.isascii() and "\\u" in nodename:
        nodename = nodename.encode("ascii").decode("unicode_escape")
    return re.sub(r"[^\w.-]+", "_", nodename).strip("_")


@pytest.fixture
def artifact(request):
    """Where this test's screenshots go: ``<artifact>.png``, ``<artifact>--<name>.png``."""
    return ARTIFACTS / artifact_name(request.node.name)


@pytest.fixture
def page(browser, hall, artifact):
    """A new phone (own cookies) on the live server; its last screen is saved either way."""
    context = browser.new_context(base_url=hall.url, **IPHONE)
    context.set_default_timeout(TIMEOUT_MS)
    violations = watch_csp(context)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    try:
        if not page.is_closed():
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=f"{artifact}.png", full_page=True)
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


# Every page of every browser test must pass the hall's Content-Security-Policy (issue 13
# item 4): the browser reports each refused script, style or frame as a
# securitypolicyviolation event, which this turns into a console line the fixture collects
# (Chromium also logs its own "Refused to …" line, caught as well).
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', function (e) {
  console.error('CSP violation: ' + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline')
                + ' at ' + location.pathname + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


def watch_csp(context):
    """The CSP violations of every page of ``context`` (a list that fills as they come);
    tests that open their own context assert it stays empty."""
    violations = []
    context.add_init_script(CSP_LISTENER)  # every frame, before the page's own scripts

    def note(message):
        text = message.text
        if text.startswith("CSP violation") or "Content Security Policy" in text:
            violations.append(text)
    context.on("console", note)
    return violations


@pytest.fixture
def phone(page, hall, artifact):
    """The simulator, opened as a new simulated user who does not follow the account yet."""
    return Phone(page, artifact).open()
