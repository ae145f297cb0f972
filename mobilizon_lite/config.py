"""Configuration defaults, the order in which they are overridden, and their checks."""
import ipaddress
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_PREFIX = "MOBILIZON_LITE"
BASE_URL_ENV = f"{ENV_PREFIX}_BASE_URL"
REGISTRATION_MODES = ("open", "closed", "invite")
# Room for the form fields and multipart framing around a banner picture.
FORM_OVERHEAD_BYTES = 1024 * 1024

DEFAULT_PASSWORD_HASH = "scrypt:32768:8:1"
SCRYPT_METHOD = re.compile(r"scrypt:(\d+):(\d+):(\d+)")
# Hosts that never serve a public instance: loopback, and the names RFC 2606 and RFC 6761 reserve
# for tests and documentation.
TEST_HOSTS = ("localhost", "example.com", "example.net", "example.org")
TEST_DOMAINS = (".test", ".example", ".invalid", ".localhost", ".example.com", ".example.net", ".example.org")


RATE_LIMIT = re.compile(r"\s*(\d+)\s*(?:per|/)\s*(minute|hour|day)\s*")
RATE_PERIODS = {"minute": 60, "hour": 3600, "day": 86400}


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says which setting to fix."""


DEFAULTS = {
    "INSTANCE_NAME": "mobilizon_lite",
    # Public base URL used in every link and id; written to instance/config.py on first run.
    "BASE_URL": None,
    "DATABASE": "mobilizon_lite.sqlite3",
    # Empty: the SQLite file DATABASE in the instance folder. Else postgresql://user:password@host/name (or
    # postgresql:///name?host=/socket/dir), or sqlite:///path, which sets DATABASE.
    "DATABASE_URL": "",
    "TIMEZONE": "UTC",
    "LANGUAGES": ["en", "fr"],
    "BABEL_DEFAULT_LOCALE": "en",
    # Registration mode used until an admin changes it (stored in the database then).
    "DEFAULT_REGISTRATIONS": "open",
    "PASSWORD_RESET_TTL": 3600,
    # werkzeug's scrypt:N:r:p for new password hashes; anything cheaper than this default is for tests
    # only, and refused unless BASE_URL is a test address (see check_test_only).
    "PASSWORD_HASH_METHOD": DEFAULT_PASSWORD_HASH,
    # Tests only: a folder of pre-made key pairs (keys.write_key_pool) that new actors take in turn
    # instead of generating one, so they share keys with other test instances. Refused unless
    # BASE_URL is a test address.
    "TEST_KEY_POOL": None,
    # Largest request body; None means twice PICTURE_MAX_BYTES plus room for the form around it.
    "MAX_CONTENT_LENGTH": None,
    "WAITRESS_THREADS": 8,
    "PICTURE_MAX_BYTES": 20_000_000,
    "PICTURE_MAX_WIDTH": 1920,
    "EVENTS_PER_PAGE": 20,
    # Pages and documents kept whole for people who are not logged in (a page is 5-30 kB).
    "PAGE_CACHE_SIZE": 200,
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
    # Domains delivered to at once by one drain (each over kept-alive connections, its rows in order).
    "DELIVERY_THREADS": 4,
    # Multiplies every retry delay (tests shrink it to watch retries happen in seconds).
    "DELIVERY_BACKOFF_SCALE": 1.0,
    # Seconds between runs of the job that handles received activities (storing one also starts it).
    "INBOX_INTERVAL": 5,
    # Seconds between runs of the job that emails the reminders due before events.
    "REMINDER_INTERVAL": 60,
    # Every server process takes part in the scheduler lease; its holder alone runs the timed jobs. It holds
    # it this many seconds after each renewal, and renews it this often: a holder that dies is replaced
    # within SCHEDULER_LEASE_SECONDS.
    "SCHEDULER_LEASE_SECONDS": 15,
    "SCHEDULER_RENEW_SECONDS": 5,
    # Days records are kept by the hourly purges: sent deliveries and mail (and private activities
    # once delivered); failed deliveries and mail, and activities whose handling failed; handled received
    # activities (longer than a sender retries); remote deletions and our public Deletes (>= 30).
    "KEEP_SENT_DAYS": 7,
    "KEEP_FAILED_DAYS": 30,
    "KEEP_RECEIVED_DAYS": 4,
    "KEEP_TOMBSTONES_DAYS": 30,
    # Log-ins, password reset requests and anonymous participation requests: failures (requests, for
    # the last two) allowed per email address and per client address before each one more makes the
    # next attempt wait, 1 s doubling up to THROTTLE_MAX_DELAY seconds. An address may be shared
    # (a school, a mobile network), so it gets more.
    "THROTTLE_FREE_FAILURES": 3,
    "THROTTLE_ADDRESS_FREE_FAILURES": 10,
    "THROTTLE_MAX_DELAY": 300,
    # Reverse proxies in front of the server: the client address is the X-Forwarded-For entry each
    # one added (1 behind one nginx or Caddy). 0 trusts no such header.
    "PROXY_COUNT": 0,
    # What an identity may create from the pages: "N per minute|hour|day".
    "RATE_LIMIT_EVENTS": "10 per hour",
    "RATE_LIMIT_COMMENTS": "30 per hour",
    "RATE_LIMIT_REPORTS": "10 per hour",
    "RATE_LIMIT_MESSAGES": "10 per day",
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "SMTP_SSL": False,
    "SMTP_TIMEOUT": 10,
    "MAIL_FROM": None,
    # Mail queue: seconds between runs of the sending job (queuing a mail also starts it), tries before a
    # mail is given up, the give-up age in hours, and a multiplier of every retry delay (tests shrink it).
    "MAIL_INTERVAL": 30,
    "MAIL_MAX_ATTEMPTS": 14,
    "MAIL_GIVE_UP_HOURS": 48,
    "MAIL_BACKOFF_SCALE": 1.0,
    # Daily backups kept (one made a day by the scheduler, older ones removed); 0 makes none.
    "BACKUP_DAILY": 0,
    # Where backups go without a path given; None means instance/backups/.
    "BACKUP_FOLDER": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
}

INSTANCE_CONFIG_TEMPLATE = '''\
"""Settings of this mobilizon_lite instance (generated on first run; keep it private)."""

SECRET_KEY = {secret_key!r}

# Public address of the instance, used in every link and federation id. Other servers store
# these ids: change it with `run.py set-base-url URL`, which also rewrites the ids made so far.
BASE_URL = {base_url!r}

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


def ensure_instance_config(instance_path, base_url):
    """Create the instance folder and a config.py (fresh SECRET_KEY, base_url) if missing."""
    path = Path(instance_path)
    path.mkdir(parents=True, exist_ok=True)
    config_file = path / "config.py"
    if not config_file.exists():
        text = INSTANCE_CONFIG_TEMPLATE.format(secret_key=secrets.token_hex(32), base_url=check_base_url(base_url))
        fd = os.open(config_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
    return config_file


BASE_URL_LINE = re.compile(r"^BASE_URL\s*=.*$", re.MULTILINE)


def record_base_url(config_file, base_url):
    """Set BASE_URL in config.py: its assignment is replaced, or added to a file made without one."""
    config_file = Path(config_file)
    text = config_file.read_text()
    line = f"BASE_URL = {base_url!r}"
    text, count = BASE_URL_LINE.subn(lambda _match: line, text)
    if not count:
        text = (text.rstrip("\n") + "\n\n# Public address of the instance (change it with "
                "`run.py set-base-url URL`):\n" + line + "\n")
    scope = {}
    exec(compile(text, str(config_file), "exec"), scope)  # noqa: S102 - as Flask's from_pyfile does
    if scope.get("BASE_URL") != base_url:  # e.g. an assignment spread over several lines
        raise ConfigError(f"could not set BASE_URL in {config_file}: set it there by hand to {base_url!r}")
    # Written beside and renamed, so that a full disk never leaves half a config.py.
    partial = config_file.with_name(config_file.name + ".new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(partial, config_file)


def check_base_url(url, name="BASE_URL"):
    """url without its trailing slash, or ConfigError when nobody could reach the instance by it."""
    if not isinstance(url, str):
        raise ConfigError(f"{name} must be a text such as 'https://events.example.org', not {url!r}")
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or parts.query or parts.fragment or parts.username is not None):
        raise ConfigError(f"{name} {url!r} is not an address such as https://events.example.org "
                          "(http or https, a host, an optional port and path)")
    try:
        unspecified = ipaddress.ip_address(parts.hostname).is_unspecified
    except ValueError:
        unspecified = False
    if unspecified:
        raise ConfigError(
            f"{name} {url!r} names {parts.hostname}, which tells a server to listen on every address "
            "but is no address anyone can reach. Give the address people and other servers use, "
            "e.g. --base-url http://pi.local:5000 (or your public https:// address)"
        )
    return url.strip().rstrip("/")


def settle_base_url(config, config_file, requested, default_base_url, moving=False):
    """BASE_URL as stored in config.py, written there on first run from requested or default_base_url.

    A different value asked for later is refused (unless moving): ids already made keep the stored one.
    """
    stored = config["BASE_URL"]
    if not stored:  # a config.py from before BASE_URL was written there
        stored = check_base_url(requested or default_base_url)
        record_base_url(config_file, stored)
        return stored
    stored = check_base_url(stored)
    if requested and not moving and check_base_url(requested) != stored:
        raise ConfigError(
            f"this instance's ids use BASE_URL {stored!r} (in {config_file}), not {requested!r}. "
            f"To move the instance to {requested}, stop it and run: run.py set-base-url {requested}"
            + (f" (with {BASE_URL_ENV} unset)" if os.environ.get(BASE_URL_ENV) else "")
        )
    return stored


def load(app, test_config=None, default_base_url="http://127.0.0.1:5000", base_url=None, moving=False):
    """Fill app.config: defaults, instance/config.py, MOBILIZON_LITE_* env, then test_config; check it.

    BASE_URL is written to config.py on first run (from base_url, the environment or
    default_base_url); later runs read it from there, and a different one asked for is refused.
    """
    app.config.from_mapping(DEFAULTS)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config = app.config
    stored = None
    if test_config is None or "SECRET_KEY" not in test_config:
        requested = base_url or os.environ.get(BASE_URL_ENV)
        config_file = ensure_instance_config(app.instance_path, requested or default_base_url)
        app.config.from_pyfile(config_file)
        stored = settle_base_url(config, config_file, requested, default_base_url, moving)
    app.config.from_prefixed_env(ENV_PREFIX)
    _keep_env_texts(config)
    if stored:
        config["BASE_URL"] = stored
    if test_config:
        app.config.from_mapping(test_config)

    config["BASE_URL"] = check_base_url(config["BASE_URL"] or default_base_url)
    secure = config["BASE_URL"].startswith("https://")
    config["SESSION_COOKIE_SECURE"] = secure
    config["REMEMBER_COOKIE_SECURE"] = secure
    config["BABEL_DEFAULT_TIMEZONE"] = config["TIMEZONE"]
    _settle_database(config, app.instance_path)
    if not config.get("SECRET_KEY"):
        raise ConfigError("SECRET_KEY is empty: set it in instance/config.py")
    check_settings(config)


def _settle_database(config, instance_path):
    """DATABASE_URL checked, sqlite:///path moved to DATABASE; DATABASE made absolute (within instance_path)."""
    url = config["DATABASE_URL"]
    if not isinstance(url, str):
        raise ConfigError(f"DATABASE_URL must be a text such as 'postgresql://user:password@host/name', not {url!r}")
    parts = urlsplit(url)
    if url and (parts.scheme not in ("sqlite", "postgres", "postgresql") or not parts.path.lstrip("/")):
        raise ConfigError(f"DATABASE_URL {url!r} names no database: give postgresql://user:password@host/name, "
                          "postgresql:///name?host=/socket/dir, sqlite:///path, or leave it empty for the "
                          "SQLite file DATABASE in the instance folder")
    if parts.scheme == "sqlite":
        config["DATABASE"], config["DATABASE_URL"] = parts.path[1:], ""
    database = Path(config["DATABASE"])
    if not database.is_absolute() and config["DATABASE"] != ":memory:":
        config["DATABASE"] = str(Path(instance_path) / database)


def _expected_type(name):
    default = DEFAULTS[name]
    return OPTIONAL_TYPES.get(name, str) if default is None else type(default)


def _keep_env_texts(config):
    """Text settings keep the environment's value as written (from_prefixed_env makes "1234" an int)."""
    for name in DEFAULTS:
        raw = os.environ.get(f"{ENV_PREFIX}_{name}")
        if raw is not None and _expected_type(name) is str:
            config[name] = raw


# Settings whose default is None, and the type they take when set (others take a text).
OPTIONAL_TYPES = {"MAX_CONTENT_LENGTH": int, "WTF_CSRF_TIME_LIMIT": int}
# Whole-number settings that make no sense below 1 (the others may be 0).
AT_LEAST_ONE = {"WAITRESS_THREADS", "PICTURE_MAX_BYTES", "PICTURE_MAX_WIDTH", "EVENTS_PER_PAGE", "PAGE_CACHE_SIZE",
                "FEED_MAX_ITEMS", "DELIVERY_INTERVAL", "INBOX_INTERVAL", "DELIVERY_MAX_ATTEMPTS", "DELIVERY_THREADS",
                "SMTP_PORT", "SMTP_TIMEOUT", "MAX_CONTENT_LENGTH", "PASSWORD_RESET_TTL", "ANONYMOUS_CONFIRMATION_TTL",
                "KEEP_SENT_DAYS", "KEEP_FAILED_DAYS", "KEEP_RECEIVED_DAYS", "KEEP_TOMBSTONES_DAYS",
                "THROTTLE_MAX_DELAY", "MAIL_INTERVAL", "MAIL_MAX_ATTEMPTS", "MAIL_GIVE_UP_HOURS",
                "REMINDER_INTERVAL", "SCHEDULER_LEASE_SECONDS", "SCHEDULER_RENEW_SECONDS"}
KINDS = {bool: "True or False", int: "a whole number", float: "a number", list: "a list of texts",
         str: "a text"}


def _has_type(value, expected):
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is list:
        return isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value)
    return isinstance(value, expected)


def check_settings(config):
    """Stop start-up with a message naming the setting when one has the wrong type or value."""
    networks = config["ALLOWED_PRIVATE_NETWORKS"]
    if isinstance(networks, str):  # the environment gives a comma-separated list
        networks = [item.strip() for item in networks.split(",") if item.strip()]
    config["ALLOWED_PRIVATE_NETWORKS"] = networks
    if config["MAX_CONTENT_LENGTH"] is None and _has_type(config["PICTURE_MAX_BYTES"], int):
        # A picture somewhat over its limit still reaches the form, which says how big it may be.
        config["MAX_CONTENT_LENGTH"] = 2 * config["PICTURE_MAX_BYTES"] + FORM_OVERHEAD_BYTES
    for name in DEFAULTS:
        value, expected = config[name], _expected_type(name)
        if value is None and DEFAULTS[name] is None:
            continue
        if not _has_type(value, expected):
            raise ConfigError(f"{name} must be {KINDS[expected]}, not {value!r}")
        if expected in (int, float) and value < (1 if name in AT_LEAST_ONE else 0):
            raise ConfigError(f"{name} must be at least {1 if name in AT_LEAST_ONE else 0}, not {value!r}")
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(f"ALLOWED_PRIVATE_NETWORKS: {network!r} is not a network such as "
                              "192.168.1.0/24 or 127.0.0.0/8") from None
    if config["SMTP_PORT"] > 65535:
        raise ConfigError(f"SMTP_PORT must be at most 65535, not {config['SMTP_PORT']!r}")
    if config["DEFAULT_REGISTRATIONS"] not in REGISTRATION_MODES:
        raise ConfigError(f"DEFAULT_REGISTRATIONS must be one of {', '.join(REGISTRATION_MODES)}, "
                          f"not {config['DEFAULT_REGISTRATIONS']!r}")
    if config["SCHEDULER_RENEW_SECONDS"] * 2 > config["SCHEDULER_LEASE_SECONDS"]:
        raise ConfigError("SCHEDULER_RENEW_SECONDS must be at most half of SCHEDULER_LEASE_SECONDS "
                          f"({config['SCHEDULER_LEASE_SECONDS']!r}), not {config['SCHEDULER_RENEW_SECONDS']!r}: "
                          "a holder stops its jobs once it missed a renewal")
    for name in ("RATE_LIMIT_EVENTS", "RATE_LIMIT_COMMENTS", "RATE_LIMIT_REPORTS", "RATE_LIMIT_MESSAGES"):
        rate_limit(config, name)
    try:
        ZoneInfo(config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE {config['TIMEZONE']!r} is not an IANA time zone name") from None
    check_test_only(config)


def rate_limit(config, name):
    """(count, seconds) of a "N per minute|hour|day" setting, or ConfigError."""
    match = RATE_LIMIT.fullmatch(config[name])
    if not match or int(match[1]) < 1:
        raise ConfigError(f"{name} must read like '10 per hour' (a number at least 1, per minute, hour or day), "
                          f"not {config[name]!r}")
    return int(match[1]), RATE_PERIODS[match[2]]


def scrypt_cost(method):
    """N * r * p of a scrypt:N:r:p method, or ConfigError for anything else."""
    match = SCRYPT_METHOD.fullmatch(method)
    n, r, p = (int(value) for value in match.groups()) if match else (0, 0, 0)
    if n < 2 or n & (n - 1) or r < 1 or p < 1:
        raise ConfigError(f"PASSWORD_HASH_METHOD must be scrypt:N:r:p with N a power of two, such as "
                          f"{DEFAULT_PASSWORD_HASH!r}, not {method!r}")
    return n * r * p


def is_test_address(base_url):
    """True when base_url's host is loopback or a name reserved for tests: nobody outside can use it."""
    host = urlsplit(base_url).hostname
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in TEST_HOSTS or host.endswith(TEST_DOMAINS)


def check_test_only(config):
    """Refuse the settings that make tests fast (shared keys, cheap password hashes) on an instance
    others can reach: there they would let identities be linked by their key, and passwords guessed."""
    cheap_hash = scrypt_cost(config["PASSWORD_HASH_METHOD"]) < scrypt_cost(DEFAULT_PASSWORD_HASH)
    pool = config["TEST_KEY_POOL"]
    for name, used in (("TEST_KEY_POOL", pool), ("PASSWORD_HASH_METHOD", cheap_hash)):
        if used and not is_test_address(config["BASE_URL"]):
            raise ConfigError(f"{name} {config[name]!r} is for tests only, and refused for BASE_URL "
                              f"{config['BASE_URL']!r}: only a loopback or reserved test address may use it")
    if pool and not any(Path(pool).glob("*.pem")):
        raise ConfigError(f"TEST_KEY_POOL {pool!r} is not a folder holding key pairs (*.pem)")
