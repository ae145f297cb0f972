"""Configuration defaults and the order in which they are overridden."""
import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_PREFIX = "MOBILIZON_LITE"

class ConfigError(RuntimeError):
    """The configuration cannot work; the message says which setting to fix."""


DEFAULTS = {
    "INSTANCE_NAME": "mobilizon_lite",
    # Public base URL used in every link and id; run.py falls back to http://HOST:PORT.
    "BASE_URL": None,
    "DATABASE": "mobilizon_lite.sqlite3",
    "TIMEZONE": "UTC",
    "LANGUAGES": ["en", "fr"],
    "BABEL_DEFAULT_LOCALE": "en",
    # Registration mode used until an admin changes it (stored in the database then).
    "DEFAULT_REGISTRATIONS": "open",
    "PASSWORD_RESET_TTL": 3600,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "WAITRESS_THREADS": 8,
    "PICTURE_MAX_BYTES": 4_000_000,
    "PICTURE_MAX_WIDTH": 1920,
    "EVENTS_PER_PAGE": 20,
    # Instance-wide switch for joining public events with only an email address.
    "ANONYMOUS_PARTICIPATION": True,
    "ANONYMOUS_CONFIRMATION_TTL": 48 * 3600,
    # Calendar feeds keep events that ended this many days ago, and hold at most this many.
    "FEED_PAST_DAYS": 30,
    "FEED_MAX_ITEMS": 1000,
    # CIDRs that federation may reach although they are not public (tests use loopback peers);
    # env MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS takes a comma-separated list.
    "ALLOWED_PRIVATE_NETWORKS": [],
    # Delivery queue: seconds between drains, attempts before giving up, and the give-up age in hours.
    "DELIVERY_INTERVAL": 30,
    "DELIVERY_MAX_ATTEMPTS": 16,
    "DELIVERY_GIVE_UP_HOURS": 72,
    # Multiplies every retry delay (tests shrink it to watch retries happen in seconds).
    "DELIVERY_BACKOFF_SCALE": 1.0,
    # Days federation records are kept by the hourly purge: sent deliveries (and private activities
    # once delivered); failed deliveries and activities whose handling failed; handled received
    # activities (longer than a sender retries); remote deletions and our public Deletes (>= 30).
    "KEEP_SENT_DAYS": 7,
    "KEEP_FAILED_DAYS": 30,
    "KEEP_RECEIVED_DAYS": 4,
    "KEEP_TOMBSTONES_DAYS": 30,
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "SMTP_SSL": False,
    "SMTP_TIMEOUT": 10,
    "MAIL_FROM": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
}

INSTANCE_CONFIG_TEMPLATE = '''\
"""Settings of this mobilizon_lite instance (generated on first run; keep it private)."""

SECRET_KEY = {secret_key!r}

# Public address of the instance, used in every link and federation id:
# BASE_URL = "https://events.example.org"

# Time zone proposed for new events and used to show dates:
# TIMEZONE = "Europe/Paris"

# Outgoing email; without SMTP_HOST, messages are written under instance/mail/.
# SMTP_HOST = "localhost"
# SMTP_PORT = 587
# SMTP_STARTTLS = True
# SMTP_USERNAME = ""
# SMTP_PASSWORD = ""
# MAIL_FROM = "events@example.org"
'''


def ensure_instance_config(instance_path):
    """Create the instance folder and a config.py with a fresh SECRET_KEY if missing."""
    path = Path(instance_path)
    path.mkdir(parents=True, exist_ok=True)
    config_file = path / "config.py"
    if not config_file.exists():
        fd = os.open(config_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(INSTANCE_CONFIG_TEMPLATE.format(secret_key=secrets.token_hex(32)))
    return config_file


def load(app, test_config=None, default_base_url="http://127.0.0.1:5000"):
    """Fill app.config: defaults, instance/config.py, MOBILIZON_LITE_* env, then test_config."""
    app.config.from_mapping(DEFAULTS)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if test_config is None or "SECRET_KEY" not in test_config:
        app.config.from_pyfile(ensure_instance_config(app.instance_path))
    app.config.from_prefixed_env(ENV_PREFIX)
    if test_config:
        app.config.from_mapping(test_config)

    config = app.config
    config["BASE_URL"] = (config["BASE_URL"] or default_base_url).rstrip("/")
    secure = config["BASE_URL"].startswith("https://")
    config["SESSION_COOKIE_SECURE"] = secure
    config["REMEMBER_COOKIE_SECURE"] = secure
    config["BABEL_DEFAULT_TIMEZONE"] = config["TIMEZONE"]
    database = Path(config["DATABASE"])
    if not database.is_absolute() and config["DATABASE"] != ":memory:":
        config["DATABASE"] = str(Path(app.instance_path) / database)
    if not config.get("SECRET_KEY"):
        raise ConfigError("SECRET_KEY is empty: set it in instance/config.py")
    try:
        ZoneInfo(config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE {config['TIMEZONE']!r} is not an IANA time zone name") from None
