"""The admin commands of run.py, run as real processes the way scripts run them."""
import pytest

from mobilizon_lite.migrations import STEPS
from mobilizon_lite.models import Account, Actor, DomainBlock, Follow
from mobilizon_lite.models.moderation import ModerationLog
from mobilizon_lite.services import instance

from ..databases import instance_schema_version
from ..helpers import log_in, open_instance, run_cli


@pytest.fixture
def instance_path(tmp_path):
    return tmp_path / "instance"


def test_create_user_then_log_in(instance_path):
    result = run_cli(instance_path, "create-user", "Boss@Example.org", "--admin", "--identity", "boss",
                     "--password-stdin", stdin="a long enough password\n")
    assert result.returncode == 0, result.stderr
    assert "Created administrator account boss@example.org with identity @boss." in result.stdout
    assert (instance_path / "config.py").read_text().count("SECRET_KEY") == 1

    app = open_instance(instance_path)
    with app.app_context():
        account = Account.get(Account.email == "boss@example.org")
        assert account.is_admin
        assert Actor.get(Actor.account == account).preferred_username == "boss"
    client = app.test_client()
    log_in(client, "boss@example.org", "a long enough password")
    assert client.get("/admin/").status_code == 200


def test_identity_defaults_to_the_email_local_part(instance_path):
    result = run_cli(instance_path, "create-user", "marie.curie@example.org", "--password-stdin",
                     stdin="radium radium\n")
    assert result.returncode == 0, result.stderr
    assert "@marie_curie" in result.stdout


@pytest.mark.parametrize("args, stdin, message", [
    (["create-user", "not-an-email", "--password-stdin"], "long password\n", "not a valid email"),
    (["create-user", "x@example.org", "--identity", "Bad Name", "--password-stdin"], "long password\n",
     "lowercase letters"),
    (["create-user", "x@example.org", "--password-stdin"], "short\n", "at least 10"),
    (["create-user", "x@example.org", "--password-stdin"], "Basketball\n", "one of the commonest"),
])
def test_bad_input_exits_non_zero_with_a_clear_error(instance_path, args, stdin, message):
    result = run_cli(instance_path, *args, stdin=stdin)
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("error: ") and message in last_line
    assert "Traceback" not in result.stderr


def test_duplicate_email_is_refused(instance_path):
    created = run_cli(instance_path, "create-user", "a@example.org", "--password-stdin", stdin="plutonium lemon tea\n")
    assert created.returncode == 0
    result = run_cli(instance_path, "create-user", "A@example.org", "--identity", "other", "--password-stdin",
                     stdin="plutonium lemon tea\n")
    assert result.returncode == 1
    assert "An account already uses this email address." in result.stderr


def test_set_registrations_and_invites(instance_path):
    result = run_cli(instance_path, "set-registrations", "invite")
    assert result.returncode == 0 and "invite" in result.stdout
    app = open_instance(instance_path)
    with app.app_context():
        assert instance.registrations_mode() == "invite"
    link = run_cli(instance_path, "create-invite").stdout.strip()
    assert link.startswith("http://127.0.0.1:5000/signup?invite=")
    bad = run_cli(instance_path, "set-registrations", "everyone")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_set_registrations_to_an_allowlist_of_email_domains(instance_path):
    refused = run_cli(instance_path, "set-registrations", "allowlist")
    assert refused.returncode == 1 and "List the email domains whose addresses may sign up." in refused.stderr
    bad = run_cli(instance_path, "set-registrations", "allowlist", "--domains", "a.org,not a domain")
    assert bad.returncode == 1 and "not is not a domain name" in bad.stderr
    result = run_cli(instance_path, "set-registrations", "allowlist", "--domains", "A.example.org,b.example.org")
    assert result.returncode == 0, result.stderr
    assert "Registrations are now allowlist (a.example.org, b.example.org)." in result.stdout
    app = open_instance(instance_path)
    with app.app_context():
        assert instance.registrations_mode() == "allowlist"
        assert instance.allowed_domains() == ["a.example.org", "b.example.org"]
        [line] = ModerationLog.select()
        assert line.moderator_id is None
        assert line.target_label == "registrations: allowlist (a.example.org, b.example.org)"


def test_init_prepares_the_instance(instance_path):
    result = run_cli(instance_path, "init")
    assert result.returncode == 0, result.stderr
    assert (instance_path / "config.py").exists() and instance_schema_version(instance_path) == len(STEPS)
    # A second init keeps the secret key.
    key = (instance_path / "config.py").read_text()
    assert run_cli(instance_path, "init").returncode == 0
    assert (instance_path / "config.py").read_text() == key


def test_unknown_time_zone_is_a_clear_error(instance_path):
    instance_path.mkdir()
    (instance_path / "config.py").write_text('SECRET_KEY = "k"\nTIMEZONE = "Mars/Olympus"\n')
    result = run_cli(instance_path, "init")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "error: TIMEZONE 'Mars/Olympus' is not an IANA time zone name"


def test_create_user_without_a_terminal_asks_for_password_stdin(instance_path):
    result = run_cli(instance_path, "create-user", "ann@example.org")  # stdin is a pipe, not a terminal
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("error: No terminal to ask the password at") and "--password-stdin" in last_line
    app = open_instance(instance_path)
    with app.app_context():
        assert not Account.select().exists()


@pytest.mark.parametrize("args, message", [
    (["create-user", "not-an-email"], "error: This is not a valid email address."),
    (["create-user", "x@example.org", "--identity", "Bad Name"], "lowercase letters"),
])
def test_create_user_checks_the_email_and_username_before_the_password(instance_path, args, message):
    result = run_cli(instance_path, *args)
    assert result.returncode == 1
    assert message in result.stderr.strip().splitlines()[-1]


def test_create_user_refuses_a_used_email_before_asking_for_the_password(instance_path):
    created = run_cli(instance_path, "create-user", "a@example.org", "--password-stdin", stdin="plutonium lemon tea\n")
    assert created.returncode == 0
    result = run_cli(instance_path, "create-user", "A@example.org", "--identity", "other")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "error: An account already uses this email address."


@pytest.mark.parametrize("setting, message", [
    ('ALLOWED_PRIVATE_NETWORKS = ["192.168.1.0/24", "10.0.0/8x"]',
     "error: ALLOWED_PRIVATE_NETWORKS: '10.0.0/8x' is not a network such as 192.168.1.0/24 or 127.0.0.0/8"),
    ('DELIVERY_INTERVAL = "30"', "error: DELIVERY_INTERVAL must be a whole number, not '30'"),
    ("WAITRESS_THREADS = 0", "error: WAITRESS_THREADS must be at least 1, not 0"),
    ('SMTP_STARTTLS = "no"', "error: SMTP_STARTTLS must be True or False, not 'no'"),
    ('DEFAULT_REGISTRATIONS = "opne"',
     "error: DEFAULT_REGISTRATIONS must be one of open, closed, invite, not 'opne'"),
    ('BASE_URL = "events.example.org"', "error: BASE_URL 'events.example.org' is not an address such as"),
])
def test_a_mistyped_setting_stops_start_up_with_a_clear_error(instance_path, setting, message):
    instance_path.mkdir()
    (instance_path / "config.py").write_text(f'SECRET_KEY = "k"\nBASE_URL = "http://127.0.0.1:5000"\n{setting}\n')
    result = run_cli(instance_path)  # serving: stopped before listening
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(message)


def test_a_mistyped_network_in_the_environment_stops_start_up(instance_path):
    result = run_cli(instance_path, "init",
                     env={"MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8, 192.168.1.300/24"})
    assert result.returncode == 1
    assert "'192.168.1.300/24' is not a network" in result.stderr.strip().splitlines()[-1]


def test_block_and_unblock_a_domain(instance_path):
    assert run_cli(instance_path, "create-user", "ann@example.org", "--password-stdin",
                   stdin="a long enough password\n").returncode == 0
    app = open_instance(instance_path)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        spammer = Actor.create(preferred_username="spam", domain="eu.spam.example", ap_id="https://eu.spam.example/u/s",
                               inbox="https://eu.spam.example/u/s/inbox")
        Follow.create(follower=spammer, followed=ann, ap_id="https://eu.spam.example/f/1", accepted=True)

    result = run_cli(instance_path, "block-domain", "SPAM.example", "--reject-media", "--reason", "spam wave")
    assert result.returncode == 0, result.stderr
    assert "spam.example (and its subdomains) is suspended, pictures rejected." in result.stdout
    assert "0 events, 0 comments, 0 participations, 0 memberships, 1 follows" in result.stdout
    with app.app_context():
        assert not Follow.select().exists()
        line = ModerationLog.get()
        assert (line.moderator, line.action, line.target_id, line.reason) == (
            None, "block_domain", "spam.example", "spam wave")
    silenced = run_cli(instance_path, "block-domain", "spam.example", "--silence")
    assert "spam.example (and its subdomains) is silenced." in silenced.stdout
    with app.app_context():
        assert DomainBlock.get().severity == "silence"

    result = run_cli(instance_path, "unblock-domain", "spam.example")
    assert result.returncode == 0 and "spam.example is no longer blocked" in result.stdout
    again = run_cli(instance_path, "unblock-domain", "spam.example")
    assert again.returncode == 1 and "spam.example was not blocked." in again.stderr
    bad = run_cli(instance_path, "block-domain", "not a domain")
    assert bad.returncode == 1 and bad.stderr.strip().splitlines()[-1] == "error: “not a domain” is not a domain name."
    with app.app_context():
        assert [line.action for line in ModerationLog.select().order_by(ModerationLog.id)] == [
            "block_domain", "block_domain", "unblock_domain"]
