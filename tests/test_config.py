"""Settings from the environment: embedded defaults, and no fallbacks in production."""
import pytest

from wechat_hall.config import Config, ConfigError

PRODUCTION = {
    "HALL_ENV": "production", "SECRET_KEY": "s" * 32,
    "DATABASE_URL": "postgres://u@db/hall", "REDIS_URL": "redis://r:6379/0",
    "PUBLIC_BASE_URL": "https://hall.example.cn/", "WECHAT_APPID": "wx123",
    "WECHAT_SECRET": "sec", "WECHAT_TOKEN": "tok",
    # Production backends and ids (wechat_hall/production_checks.py).
    "SMS_BACKEND": "http", "SMS_GATEWAY_URL": "https://sms.example.cn/send",
    "SMS_GATEWAY_KEY": "k", "MAIL_BACKEND": "smtp", "SMTP_HOST": "smtp.example.cn",
    "MAIL_FROM": "hall@example.cn", "BANKCARD_BACKEND": "http",
    "BANKCARD_GATEWAY_URL": "https://card.example.cn/verify", "BANKCARD_GATEWAY_SECRET": "s",
    "CERT_SIGNING_KEY": "/etc/hall/key.pem", "CERT_SIGNING_CERT": "/etc/hall/cert.pem",
    "WECHAT_TEMPLATE_APPOINTMENT": "tpl-a", "WECHAT_TEMPLATE_QUEUE": "tpl-q",
    "WECHAT_TEMPLATE_APPOINTMENT_CANCELLED": "tpl-c",
}


@pytest.fixture
def env(monkeypatch):
    for name in list(PRODUCTION) + ["SIMULATOR_ENABLED", "WECHAT_AES_KEY", "PORT",
                                    "UNSAFE_STAGING_HOST"]:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_embedded_defaults_need_nothing(env):
    cfg = Config()
    assert cfg.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert cfg.REDIS_URL == "" and cfg.SIMULATOR_ENABLED is True
    assert cfg.PUBLIC_BASE_URL == "http://127.0.0.1:5000"
    assert cfg.WECHAT_APPID and cfg.WECHAT_TOKEN and cfg.SECRET_KEY


def test_port_moves_the_public_base_url(env):
    env.setenv("PORT", "5123")
    assert Config().PUBLIC_BASE_URL == "http://127.0.0.1:5123"


def test_production_turns_the_simulator_off_and_reads_everything(env):
    for name, value in PRODUCTION.items():
        env.setenv(name, value)
    cfg = Config()
    assert cfg.SIMULATOR_ENABLED is False
    assert cfg.SQLALCHEMY_DATABASE_URI == "postgresql://u@db/hall"
    assert cfg.PUBLIC_BASE_URL == "https://hall.example.cn"
    assert cfg.SESSION_COOKIE_SECURE is True


@pytest.mark.parametrize("name", ["SECRET_KEY", "WECHAT_SECRET", "REDIS_URL"])
def test_production_refuses_to_start_without_required_settings(env, name):
    for key, value in PRODUCTION.items():
        if key != name:
            env.setenv(key, value)
    with pytest.raises(ConfigError, match=name):
        Config()
