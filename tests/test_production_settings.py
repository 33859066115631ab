"""HALL_ENV=production refuses the simulator and every development backend or id
(issue 13, items 11 and 12), naming each; a staging host may run the simulator only
when named in UNSAFE_STAGING_HOST, and then every page's footer says so."""
import pytest

from tests.test_config import PRODUCTION, env  # noqa: F401  (the fixture)
from wechat_hall import create_app
from wechat_hall.config import Config, ConfigError


@pytest.fixture
def prod(env):  # noqa: F811
    for name, value in PRODUCTION.items():
        env.setenv(name, value)
    return env


def _refusal():
    with pytest.raises(ConfigError) as info:
        Config()
    return str(info.value)


def test_the_complete_production_settings_start(prod):
    cfg = Config()
    assert cfg.SIMULATOR_ENABLED is False and cfg.UNSAFE_STAGING_HOST == ""
    assert cfg.BANKCARD_BACKEND == "http"


@pytest.mark.parametrize("name", ["SMS_BACKEND", "MAIL_BACKEND", "BANKCARD_BACKEND",
                                  "WECHAT_TEMPLATE_APPOINTMENT", "WECHAT_TEMPLATE_QUEUE",
                                  "WECHAT_TEMPLATE_APPOINTMENT_CANCELLED", "MAIL_FROM",
                                  "CERT_SIGNING_KEY", "SMS_GATEWAY_KEY", "SMTP_HOST",
                                  "BANKCARD_GATEWAY_SECRET"])
def test_a_missing_setting_is_named(prod, name):
    prod.delenv(name)
    assert name in _refusal()


def test_every_development_value_is_named_at_once(prod):
    for name in ("SMS_BACKEND", "MAIL_BACKEND", "BANKCARD_BACKEND"):
        prod.setenv(name, "dev")
    prod.setenv("WECHAT_TEMPLATE_QUEUE", "dev_queue_reminder")
    prod.setenv("MAIL_FROM", "hall@example.invalid")
    prod.setenv("BANKCARD_GATEWAY_URL", "http://card.example.cn/verify")
    text = _refusal()
    for fragment in ("SMS_BACKEND=dev", "MAIL_BACKEND=dev", "BANKCARD_BACKEND=dev",
                     "WECHAT_TEMPLATE_QUEUE=dev_queue_reminder", "MAIL_FROM=",
                     "BANKCARD_GATEWAY_URL must be an https:// URL"):
        assert fragment in text


def test_the_simulator_is_refused_in_production(prod):
    prod.setenv("SIMULATOR_ENABLED", "1")
    assert "SIMULATOR_ENABLED=1" in _refusal() and "UNSAFE_STAGING_HOST" in _refusal()
    with pytest.raises(ConfigError):
        create_app()


def test_a_staging_host_must_be_the_host_we_serve(prod):
    prod.setenv("SIMULATOR_ENABLED", "1")
    prod.setenv("UNSAFE_STAGING_HOST", "staging.example.cn")
    assert "must equal the host of PUBLIC_BASE_URL" in _refusal()


def test_the_named_staging_host_may_run_the_simulator_and_dev_backends(prod):
    prod.setenv("PUBLIC_BASE_URL", "https://staging.example.cn")
    prod.setenv("UNSAFE_STAGING_HOST", "staging.example.cn")
    prod.setenv("SIMULATOR_ENABLED", "1")
    prod.setenv("SMS_BACKEND", "dev")
    cfg = Config()
    assert cfg.SIMULATOR_ENABLED is True and cfg.UNSAFE_STAGING_HOST == "staging.example.cn"


@pytest.mark.parametrize("path", ["/h5/", "/staff/login", "/sim/inbox", "/sim/chat",
                                  "/h5/nowhere"])
def test_every_page_of_a_staging_host_says_so_in_its_footer(make_app, path):
    app = make_app(UNSAFE_STAGING_HOST="staging.example.cn")
    page = app.test_client().get(path).get_data(as_text=True)
    assert 'data-unsafe-staging="staging.example.cn"' in page and "预发布环境" in page
    assert page.index("预发布环境") < page.rindex("</body>")


def test_a_normal_hall_has_no_staging_footer(app, client):
    assert "预发布环境" not in client.get("/h5/").get_data(as_text=True)
