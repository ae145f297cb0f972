"""run.py import-event imports the events of a link (here a page's JSON-LD and h-events, served on
loopback) into an identity or a group, showing progress; run again, it updates them; a page without
events is refused with its reason."""
from mobilizon_lite.models import Event, ImportedEvent

from ..event_pages import BOTH, site
from ..helpers import make_account, make_group, open_instance, run_cli

LOOPBACK = {"MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8"}


def test_import_event_creates_then_updates(tmp_path, instance_env):
    path = tmp_path / "instance"
    app = open_instance(path)
    make_account(app)
    make_group(app, "club")
    env = {**instance_env, **LOOPBACK}
    with site() as served:
        link = served.serve("/bal", BOTH)
        done = run_cli(path, "import-event", link, "--identity", "ann", env=env)
        assert done.returncode == 0, done.stderr
        assert "events: 2/2" in done.stdout and "2 created, 0 updated, 0 skipped" in done.stdout
        again = run_cli(path, "import-event", link, "--identity", "ann", env=env)
        assert "0 created, 2 updated, 0 skipped" in again.stdout
        group = run_cli(path, "import-event", link, "--group", "club", env=env)
        assert "2 created" in group.stdout
        empty = run_cli(path, "import-event", served.serve("/empty", "<html></html>"), "--identity", "ann", env=env)
        assert empty.returncode == 1 and "This page holds no event" in empty.stderr
    refused = run_cli(path, "import-event", link, "--identity", "ann", env=instance_env)
    assert refused.returncode == 1 and "The link could not be fetched" in refused.stderr
    with app.app_context():
        assert Event.select().count() == 4 and ImportedEvent.select().count() == 4
