"""One public address: written to config.py on first run, read by every command, checked and moved."""
import pytest
import requests

from mobilizon_lite.models import Activity, Actor, Comment, Event
from mobilizon_lite.services import actors, comments, events

from ..harness import RunningInstance
from ..helpers import open_instance, run_cli, service_fields

AS_JSON = {"Accept": "application/activity+json"}


def create_ann(instance_path, *args):
    result = run_cli(instance_path, "create-user", "ann@example.org", "--identity", "ann", "--password-stdin",
                     *args, stdin="lemon plutonium tea\n")
    assert result.returncode == 0, result.stderr
    return result


def stored_base_url(instance_path):
    scope = {}
    exec((instance_path / "config.py").read_text(), scope)
    return scope["BASE_URL"]


def test_the_readme_order_gives_ids_on_the_served_port(tmp_path):
    # The server runs first on its port; admin commands run afterwards without --port.
    server = RunningInstance(tmp_path / "instance")
    instance_path, base = server.path, server.base
    with server:
        create_ann(instance_path)
        actor = requests.get(f"{base}/@ann", headers=AS_JSON, timeout=5).json()
        link = run_cli(instance_path, "create-invite").stdout.strip()
    assert actor["id"] == f"{base}/@ann" and actor["inbox"] == f"{base}/@ann/inbox"
    assert link.startswith(f"{base}/signup?invite=")
    assert stored_base_url(instance_path) == base


def test_the_first_command_writes_the_address_every_later_one_reads(tmp_path):
    instance_path = tmp_path / "instance"
    assert run_cli(instance_path, "init", "--base-url", "https://events.example.org/").returncode == 0
    assert stored_base_url(instance_path) == "https://events.example.org"
    create_ann(instance_path, "--port", "8123")  # the port it listens on does not change the address
    app = open_instance(instance_path)
    with app.app_context():
        assert Actor.get(Actor.preferred_username == "ann").ap_id == "https://events.example.org/@ann"
    # Asking for another address later is refused, from the command line as from the environment.
    for extra, env in ((["--base-url", "http://pi.local:5000"], None),
                       ([], {"MOBILIZON_LITE_BASE_URL": "http://pi.local:5000"})):
        result = run_cli(instance_path, "create-invite", *extra, env=env)
        assert result.returncode == 1
        last_line = result.stderr.strip().splitlines()[-1]
        assert "ids use BASE_URL 'https://events.example.org'" in last_line
        assert "run.py set-base-url http://pi.local:5000" in last_line
    # Repeating the stored address is fine.
    assert run_cli(instance_path, "create-invite", env={"MOBILIZON_LITE_BASE_URL": "https://events.example.org/"}
                   ).returncode == 0


def test_the_environment_sets_the_address_on_first_run(tmp_path):
    instance_path = tmp_path / "instance"
    result = run_cli(instance_path, "init", env={"MOBILIZON_LITE_BASE_URL": "http://pi.local:5000"})
    assert result.returncode == 0, result.stderr
    assert stored_base_url(instance_path) == "http://pi.local:5000"


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_listening_on_every_address_needs_a_public_address(tmp_path, host):
    instance_path = tmp_path / "instance"
    result = run_cli(instance_path, "init", "--host", host)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert "is no address anyone can reach" in last_line and "--base-url http://pi.local:5000" in last_line
    assert not (instance_path / "config.py").exists()
    assert run_cli(instance_path, "init", "--base-url", f"http://{'[::]' if ':' in host else host}:5000"
                   ).returncode == 1
    result = run_cli(instance_path, "init", "--host", host, "--base-url", "http://pi.local:5000")
    assert result.returncode == 0, result.stderr
    assert stored_base_url(instance_path) == "http://pi.local:5000"


def test_a_config_file_without_base_url_gets_one(tmp_path):
    instance_path = tmp_path / "instance"
    instance_path.mkdir()
    (instance_path / "config.py").write_text('SECRET_KEY = "k"\n# BASE_URL = "https://old.example"\n')
    assert run_cli(instance_path, "init", "--port", "8123").returncode == 0
    assert stored_base_url(instance_path) == "http://127.0.0.1:8123"
    assert (instance_path / "config.py").read_text().startswith('SECRET_KEY = "k"\n# BASE_URL')


def make_local_content(instance_path):
    """An event of ann's with a comment, made through the services: ids under the stored address."""
    app = open_instance(instance_path)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        event = events.create_event(ann, service_fields())
        comments.comment_on(event, ann, "Bring cake")
    return app


def test_check_reports_stray_ids_and_set_base_url_moves_them(tmp_path):
    instance_path = tmp_path / "instance"
    create_ann(instance_path)  # made at the default http://127.0.0.1:5000
    make_local_content(instance_path)
    # BASE_URL edited by hand afterwards: the ids made before keep the old address.
    config_file = instance_path / "config.py"
    config_file.write_text(config_file.read_text().replace("http://127.0.0.1:5000", "https://events.example.org"))
    check = run_cli(instance_path, "check")
    assert check.returncode == 1
    assert "1 identities have ids under http://127.0.0.1:5000 instead of BASE_URL https://events.example.org" \
        in check.stdout
    assert "1 events have ids under http://127.0.0.1:5000" in check.stdout
    assert "run.py set-base-url https://events.example.org" in check.stdout

    moved = run_cli(instance_path, "set-base-url", "https://events.example.org")
    assert moved.returncode == 0, moved.stderr
    assert "BASE_URL is now https://events.example.org" in moved.stdout
    assert run_cli(instance_path, "check").returncode == 0

    app = open_instance(instance_path)
    client = app.test_client()
    actor = client.get("/@ann", headers=AS_JSON).json
    assert actor["id"] == "https://events.example.org/@ann"
    assert actor["inbox"] == "https://events.example.org/@ann/inbox"
    with app.app_context():
        event, comment = Event.get(), Comment.get()
        assert event.ap_id == f"https://events.example.org/events/{event.uuid}"
        assert comment.ap_id.startswith(f"https://events.example.org/events/{event.uuid}/")
        published = list(Activity.select())
        assert published and all(a.ap_id.startswith("https://events.example.org/activities/") for a in published)
        assert "127.0.0.1:5000" not in str([a.body for a in published] + [a.object_ap_id for a in published])
    assert client.get(f"/events/{event.uuid}", headers=AS_JSON).json["id"] == event.ap_id
    # Moving once more (a second machine name) works the same way, config.py included.
    assert run_cli(instance_path, "set-base-url", "http://pi.local:5000").returncode == 0
    assert stored_base_url(instance_path) == "http://pi.local:5000"
    assert run_cli(instance_path, "check").returncode == 0


def test_set_base_url_is_refused_once_the_instance_has_federated(tmp_path):
    instance_path = tmp_path / "instance"
    create_ann(instance_path)
    app = make_local_content(instance_path)
    with app.app_context():
        actors.actor_from_ap({"id": "https://mastodon.example/users/bob", "type": "Person",
                              "preferredUsername": "bob", "inbox": "https://mastodon.example/users/bob/inbox"})
    before = (instance_path / "config.py").read_text()
    result = run_cli(instance_path, "set-base-url", "https://events.example.org")
    assert result.returncode == 1
    assert "already exchanged activities or actors with other servers" in result.stderr.strip().splitlines()[-1]
    assert (instance_path / "config.py").read_text() == before
    with app.app_context():
        assert Actor.get(Actor.preferred_username == "ann").ap_id == "http://127.0.0.1:5000/@ann"
        assert Event.get().ap_id.startswith("http://127.0.0.1:5000/")


def test_the_server_warns_at_start_up_about_stray_ids(tmp_path):
    server = RunningInstance(tmp_path / "instance")
    instance_path, port = server.path, server.port
    create_ann(instance_path)
    config_file = instance_path / "config.py"
    config_file.write_text(config_file.read_text().replace("http://127.0.0.1:5000", f"http://127.0.0.1:{port}"))
    output = server.start().stop()
    assert f"1 identities have ids under http://127.0.0.1:5000 instead of BASE_URL http://127.0.0.1:{port}" in output
    assert "stored ids disagree with BASE_URL" in output
