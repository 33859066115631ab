"""Settings, read once from the environment.

Every setting has an embedded default so that `make run` needs no configuration:
SQLite in ``instance/``, jobs in-process, the WeChat simulator on, and development
WeChat credentials that are printed at start-up. Production sets the variables.
"""
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# Development credentials: obviously not secret, printed by `make run`.
DEV_APPID = "wxdev0000hall0001"
DEV_SECRET = "devsecret0000000000000000000hall"
DEV_TOKEN = "devtoken"


def _bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _dev_secret_key():
    """A stable per-checkout secret so sessions survive a restart of `make run`."""
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def _database_url():
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'hall.db'}"
    # Heroku-style URLs name the dialect "postgres"; SQLAlchemy wants "postgresql".
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return url


class ConfigError(RuntimeError):
    """Production settings are missing something that must never fall back to a default."""




class Config:
    """The settings, read from the environment when the app is created."""

    def __init__(self):
        env = os.environ
        # HALL_ENV=production: no development fallbacks, the simulator off by default.
        self.HALL_ENV = env.get("HALL_ENV", "development").strip().lower()
        production = self.HALL_ENV == "production"
        if production:  # no simulator, no dev backends or ids (wechat_hall/production_checks.py)
            from .production_checks import problems, staging_host
            unsafe = problems(env)
            if unsafe:
                raise ConfigError("HALL_ENV=production refuses to start: " + "; ".join(unsafe))
        # A staging host allowed to run the simulator under production settings: every
        # page's footer says so (wechat_hall/staging.py).
        self.UNSAFE_STAGING_HOST = staging_host(env) if production else ""
        self.SECRET_KEY = env.get("SECRET_KEY") or _dev_secret_key()
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        # Connections are recycled rather than pinged before every use: a ping is a
        # round trip per request (see docs/BENCHMARKS.md). DB_POOL_PRE_PING=1 turns it on
        # where connections are cut often (e.g. a proxy that drops idle connections).
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": _bool("DB_POOL_PRE_PING", False),
                                          "pool_recycle": _int("DB_POOL_RECYCLE", 1800)}
        self.REDIS_URL = env.get("REDIS_URL", "")
        self.PUBLIC_BASE_URL = (env.get("PUBLIC_BASE_URL") or
                                f"http://127.0.0.1:{env.get('PORT', '5000')}").rstrip("/")

        self.WECHAT_APPID = env.get("WECHAT_APPID") or DEV_APPID
        self.WECHAT_SECRET = env.get("WECHAT_SECRET") or DEV_SECRET
        self.WECHAT_TOKEN = env.get("WECHAT_TOKEN") or DEV_TOKEN
        self.WECHAT_AES_KEY = env.get("WECHAT_AES_KEY", "")
        # WeChat's 兼容模式: with an AES key set, plain pushes are refused unless this is on
        # (only while switching an account from 明文 to 安全模式; docs/SECURITY.md).
        self.WECHAT_COMPATIBLE_MODE = _bool("WECHAT_COMPATIBLE_MODE", False)
        # The simulator is on unless production settings turn it off.
        self.SIMULATOR_ENABLED = _bool("SIMULATOR_ENABLED", not production)
        # Empty means: the simulator's fake API when it is enabled, WeChat otherwise.
        self.WECHAT_API_BASE_URL = env.get("WECHAT_API_BASE_URL", "").rstrip("/")
        # Seconds a push may be old (or early) before it is refused as a replay.
        self.WECHAT_MAX_CLOCK_SKEW = _int("WECHAT_MAX_CLOCK_SKEW", 300)
        # Seconds a handler may take before we answer `success` and reply later.
        self.WECHAT_REPLY_BUDGET = float(env.get("WECHAT_REPLY_BUDGET", "4.0"))
        # Seconds a push's reply is kept for WeChat's retries (it retries for ~15 s).
        self.WECHAT_DEDUP_TTL = _int("WECHAT_DEDUP_TTL", 300)
        # /wechat's pushes and the queue poll answered ahead of Flask (lean_routes.py);
        # 0 sends them through Flask's full request path, with the same answers.
        self.LEAN_ROUTES = _bool("LEAN_ROUTES", True)
        self.WECHAT_HTTP_TIMEOUT = float(env.get("WECHAT_HTTP_TIMEOUT", "5"))
        # Request bodies (wechat_hall/request_guard.py), in bytes: WeChat's pushes are a
        # few KB; ordinary forms; the views that take a file (kiosk photo, Excel details).
        self.WECHAT_MAX_BODY_BYTES = _int("WECHAT_MAX_BODY_BYTES", 32 * 1024)
        self.HALL_MAX_FORM_BYTES = _int("HALL_MAX_FORM_BYTES", 256 * 1024)
        self.MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_BYTES", 12 * 1024 * 1024)
        # Static files under content-hashed names, with their gzip twins (static_files.py).
        self.STATIC_BUILD_DIR = env.get("STATIC_BUILD_DIR") or str(INSTANCE / "static")
        # Seconds between writes of followers' activity by each process (0: at once).
        self.FOLLOWER_FLUSH_SECONDS = float(env.get("FOLLOWER_FLUSH_SECONDS", "1"))

        # Server-side sessions (wechat_hall/sessions.py): idle and absolute timeouts.
        self.SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
        self.HALL_SESSION_HOURS = _int("HALL_SESSION_HOURS", 12)
        self.STAFF_SESSION_HOURS = _int("STAFF_SESSION_HOURS", 8)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # Write the session only when it changed: a read-only request that overlaps a form
        # page (a poll, a fetch) must not write back an older copy that lacks the page's
        # CSRF token (last writer wins). The idle TTL is renewed by each read instead.
        self.SESSION_REFRESH_EACH_REQUEST = False
        self.SESSION_COOKIE_SECURE = self.PUBLIC_BASE_URL.startswith("https://")
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.WTF_CSRF_TIME_LIMIT = None
        self.JSON_AS_ASCII = False

        # Sign-in throttles (wechat_hall/rate_limits.py, Flask-Limiter syntax): per client
        # address, and per WeChat openid inside WeChat; POSTs of the login forms only.
        self.LOGIN_RATE_LIMIT_ADDRESS = env.get("LOGIN_RATE_LIMIT_ADDRESS",
                                                "10 per minute;100 per hour")
        self.LOGIN_RATE_LIMIT_OPENID = env.get("LOGIN_RATE_LIMIT_OPENID",
                                               "5 per minute;30 per hour")
        self.STAFF_LOGIN_RATE_LIMIT_ADDRESS = env.get("STAFF_LOGIN_RATE_LIMIT_ADDRESS",
                                                      "10 per minute;100 per hour")
        self.STAFF_MAX_FAILED_LOGINS = _int("STAFF_MAX_FAILED_LOGINS", 5)
        self.STAFF_LOCK_MINUTES = _int("STAFF_LOCK_MINUTES", 15)
        # Investors' hall accounts (ACC-2, ACC-8 c).
        self.HALL_MAX_FAILED_LOGINS = _int("HALL_MAX_FAILED_LOGINS", 5)
        self.HALL_LOCK_MINUTES = _int("HALL_LOCK_MINUTES", 15)
        self.TRADE_CHECK_DAYS = _int("TRADE_CHECK_DAYS", 15)
        # Proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
        self.TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)

        # Adapters (P-8): "dev" backends record what they would send.
        self.SMS_BACKEND = env.get("SMS_BACKEND", "dev")
        self.MAIL_BACKEND = env.get("MAIL_BACKEND", "dev")
        self.BANKCARD_BACKEND = env.get("BANKCARD_BACKEND", "dev")
        # BANKCARD_BACKEND=http: the card-verification gateway (docs/BANKCARD.md).
        self.BANKCARD_GATEWAY_URL = env.get("BANKCARD_GATEWAY_URL", "")
        self.BANKCARD_GATEWAY_SECRET = env.get("BANKCARD_GATEWAY_SECRET", "")
        self.BANKCARD_GATEWAY_CLIENT_ID = env.get("BANKCARD_GATEWAY_CLIENT_ID", "hall")
        self.BANKCARD_GATEWAY_TIMEOUT = float(env.get("BANKCARD_GATEWAY_TIMEOUT", "8"))
        self.SMTP_HOST = env.get("SMTP_HOST", "")
        self.SMTP_PORT = _int("SMTP_PORT", 465)
        self.SMTP_USER = env.get("SMTP_USER", "")
        self.SMTP_PASSWORD = env.get("SMTP_PASSWORD", "")
        self.SMTP_SECURITY = env.get("SMTP_SECURITY", "")  # ssl | starttls | none
        self.MAIL_FROM = env.get("MAIL_FROM", "hall@example.invalid")
        # 电子凭证: the signing certificate (PEM files); empty in development means
        # a self-signed certificate generated under CERT_DIR on first use.
        self.CERT_SIGNING_KEY = env.get("CERT_SIGNING_KEY", "")
        self.CERT_SIGNING_CERT = env.get("CERT_SIGNING_CERT", "")
        self.CERT_SIGNING_CHAIN = env.get("CERT_SIGNING_CHAIN", "")
        self.CERT_SIGNING_KEY_PASSWORD = env.get("CERT_SIGNING_KEY_PASSWORD", "")
        self.CERT_DIR = env.get("CERT_DIR") or str(INSTANCE / "certs")
        # The 上市公司信箱 (ISS-2): register files of issuers, kept 60 natural days.
        self.ISSUER_MAILBOX_DIR = env.get("ISSUER_MAILBOX_DIR") or str(INSTANCE / "issuer_mailbox")
        # Jobs (P-7): a running job's lease (renewed by its heartbeat; a dead worker's job
        # is taken up again when it runs out) and how long RQ lets one job run.
        self.JOB_LEASE_SECONDS = _int("JOB_LEASE_SECONDS", 60)
        self.JOB_TIMEOUT = _int("JOB_TIMEOUT", 600)
        # The fault test's sleep inside certificates.issue; 0 (off) and refused in production.
        self.CERT_ISSUE_TEST_DELAY = float(env.get("CERT_ISSUE_TEST_DELAY") or 0)
        self.SMS_GATEWAY_URL = env.get("SMS_GATEWAY_URL", "")
        self.SMS_GATEWAY_KEY = env.get("SMS_GATEWAY_KEY", "")

        # Holder-meeting voting (V-8): the bands of 中小投资者单独计票, as a fraction of the
        # meeting's total share capital and as market value (yuan) at the record date's
        # closing price. docs/VOTING.md states the definitions.
        self.VOTE_TIER_SMALL_RATIO = env.get("VOTE_TIER_SMALL_RATIO", "0.01")
        self.VOTE_TIER_LARGE_RATIO = env.get("VOTE_TIER_LARGE_RATIO", "0.05")
        self.VOTE_TIER_MARKET_VALUE = env.get("VOTE_TIER_MARKET_VALUE", "500000")
        # Nominee accounts (香港结算, QFII …) that vote per underlying holder (V-7), besides
        # credit collateral accounts and QFII/RQFII holder categories: comma-separated.
        self.VOTE_NOMINEE_ACCOUNTS = env.get("VOTE_NOMINEE_ACCOUNTS", "")
        # Appointments and the hall queue (APT, docs/APPOINTMENTS.md).
        self.APPOINTMENT_WINDOW_DAYS = _int("APPOINTMENT_WINDOW_DAYS", 14)
        self.APPOINTMENT_CUTOFF = env.get("APPOINTMENT_CUTOFF", "15:00")
        self.APPOINTMENT_REMINDER_HOUR = _int("APPOINTMENT_REMINDER_HOUR", 16)
        self.QUEUE_DEFAULT_SERVICE_MINUTES = _int("QUEUE_DEFAULT_SERVICE_MINUTES", 10)
        self.QUEUE_LOOKUP_MAX_FAILURES = _int("QUEUE_LOOKUP_MAX_FAILURES", 20)
        # How long the progress poll's copy of an office's line lives in Redis
        # (services/appointments/poll_snapshot.py); 0 turns it off.
        self.QUEUE_POLL_SNAPSHOT_SECONDS = float(
            os.environ.get("QUEUE_POLL_SNAPSHOT_SECONDS") or 1)
        self.WECHAT_TEMPLATE_APPOINTMENT = env.get("WECHAT_TEMPLATE_APPOINTMENT",
                                                   "dev_appointment_reminder")
        self.WECHAT_TEMPLATE_QUEUE = env.get("WECHAT_TEMPLATE_QUEUE", "dev_queue_reminder")
        self.WECHAT_TEMPLATE_APPOINTMENT_CANCELLED = env.get(
            "WECHAT_TEMPLATE_APPOINTMENT_CANCELLED", "dev_appointment_cancelled")
        # Operations (docs/DEPLOYMENT.md): log lines as JSON (production) or text; who may
        # read /metrics — a bearer token, else only direct requests from these networks.
        self.LOG_FORMAT = (env.get("LOG_FORMAT") or ("json" if production else "text")).lower()
        self.METRICS_TOKEN = env.get("METRICS_TOKEN", "")
        self.METRICS_ALLOW = env.get("METRICS_ALLOW", "127.0.0.1/32,::1/128")
        self.CLOCK_NOW = None  # tests freeze the clock here (naive UTC): wechat_hall/clock.py

        self.TESTING = False

    def as_dict(self):
        return {k: v for k, v in vars(self).items() if k.isupper()}
