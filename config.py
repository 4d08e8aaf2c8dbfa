"""Configuration read from the environment.

Development is the default (SQLite under instance/, a generated personal-data key);
Production refuses to start without SECRET_KEY, DATABASE_URL and PII_KEY.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs name the old driver; psycopg 3 is what we install.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret-key")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'conference.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    PII_KEY = os.environ.get("PII_KEY")
    INSTANCE_DIR = INSTANCE_DIR
    # Where backups are kept: the daily purge deletes those older than the retention period.
    BACKUP_DIR = os.environ.get("BACKUP_DIR")

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host/-Port (nginx: 1).
    # 0 trusts none of these headers: the peer's address is the client's.
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
    # Where the public reaches the site: private links and mails are built on it, never on the
    # Host header a request brings.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")

    RATELIMIT_ENABLED = _env_flag("RATELIMIT_ENABLED", True)
    ARGON2_PROFILE = "standard"  # argon2id with argon2-cffi's default cost
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Sign-in attempts. Per account and address: the limit a guesser at one address meets. Per
    # account from anywhere: more than one address may send in an hour, so a single address can
    # never lock the account for its owner, while guessing from many addresses stays slow. Per
    # address over all accounts: one password tried on every account.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute; 20 per hour")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "100 per hour")
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "30 per minute; 200 per hour")

    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))
    PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", 5 * 1024 * 1024))
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long meeting must still submit

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # "json": one JSON line per request and per log record; "text": lines as before, and
    # gunicorn's access log (conference/core/logs.py).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")

    # The moment the app believes it is (conference/core/clock.py): development and testing only.
    CONFERENCE_NOW = os.environ.get("CONFERENCE_NOW")
    CLOCK_SETTABLE = True

    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "xiamen-2023-demo")

    # The domain packages to wire in, for the app and the Huey consumer; empty: conference.DOMAINS.
    DOMAINS = [name.strip() for name in os.environ.get("CONFERENCE_DOMAINS", "").split(",") if name.strip()]

    # Jobs run at once in the web process unless a Huey consumer runs beside it.
    HUEY_IMMEDIATE = _env_flag("HUEY_IMMEDIATE", True)
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")  # "file": instance/outbox/*.eml
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _env_flag("MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "中国网络文明大会 <noreply@conference.local>")
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "20 per minute")
    # "Send me my link again": per address asking, and per mailbox asked for.
    LINK_AGAIN_RATE_LIMIT = os.environ.get("LINK_AGAIN_RATE_LIMIT", "5 per hour")
    LINK_AGAIN_MAILBOX_RATE_LIMIT = os.environ.get("LINK_AGAIN_MAILBOX_RATE_LIMIT", "3 per day")


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    CONFERENCE_NOW = None  # tests set the clock themselves
    SECRET_KEY = "testing-secret-key"  # noqa: S105  tests only
    # The suite runs once on SQLite and once on PostgreSQL (TEST_DATABASE_URL, set by `make test`).
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    PII_KEY = "dGVzdGluZy1vbmx5LXBpaS1rZXktMzItYnl0ZXMhISE="
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = None
    HUEY_IMMEDIATE = True
    MAIL_BACKEND = "file"
    ARGON2_PROFILE = "cheapest"  # argon2id still, at the cost argon2-cffi gives tests


class ProductionConfig(Config):
    HUEY_IMMEDIATE = _env_flag("HUEY_IMMEDIATE", False)
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # Production reads the real time, always: it refuses to start with CONFERENCE_NOW set.
    CLOCK_SETTABLE = False

    @classmethod
    def check(cls) -> None:
        missing = [
            name
            for name in ("SECRET_KEY", "DATABASE_URL", "PII_KEY", "PUBLIC_URL")
            if not os.environ.get(name)
        ]
        if missing:
            raise RuntimeError(
                "Production needs these environment variables: " + ", ".join(missing)
            )
        if os.environ.get("CONFERENCE_NOW"):
            raise RuntimeError("CONFERENCE_NOW is for development and testing only; unset it in production")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("CONFERENCE_ENV", "development").lower()
    if name not in CONFIGS:
        raise RuntimeError(f"CONFERENCE_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    config = CONFIGS[name]
    if config is ProductionConfig:
        ProductionConfig.check()
    return config
