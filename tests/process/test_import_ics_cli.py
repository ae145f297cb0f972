"""run.py import-ics imports a calendar file into an identity or a group, showing progress and what it
did; run again, it updates nothing that did not change, and says why it skipped what it skipped."""
from mobilizon_lite.models import Event

from ..helpers import make_account, make_group, open_instance, run_cli
from ..ics_samples import NEXTCLOUD, many, single


def test_import_ics_creates_then_skips_unchanged(tmp_path, instance_env):
    path = tmp_path / "instance"
    app = open_instance(path)
    make_account(app)
    make_group(app, "club")
    calendar = tmp_path / "club.ics"
    calendar.write_bytes(NEXTCLOUD)

    done = run_cli(path, "import-ics", str(calendar), "--identity", "ann", env=instance_env)
    assert done.returncode == 0, done.stderr
    assert "events: 3/3" in done.stdout
    assert "3 created, 0 updated, 0 skipped" in done.stdout

    again = run_cli(path, "import-ics", str(calendar), "--identity", "ann", env=instance_env)
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 updated, 3 skipped" in again.stdout
    assert "skipped repair-cafe-1@cloud.example.org: Already imported, and not changed since." in again.stdout

    calendar.write_bytes(single("n@x", "Club night", sequence=0))
    group = run_cli(path, "import-ics", str(calendar), "--group", "club", env=instance_env)
    assert group.returncode == 0, group.stderr
    assert "1 created" in group.stdout
    with app.app_context():
        assert Event.select().count() == 4
        assert Event.get(Event.title == "Club night").attributed_to.preferred_username == "club"

    calendar.write_bytes(many(600))
    hostile = run_cli(path, "import-ics", str(calendar), "--identity", "ann", env=instance_env)
    assert hostile.returncode == 1
    assert "at most 500 can be imported at once" in hostile.stderr
    unknown = run_cli(path, "import-ics", str(calendar), "--identity", "nobody", env=instance_env)
    assert unknown.returncode == 1 and "No local identity is called nobody." in unknown.stderr
    local = run_cli(path, "import-ics", "http://127.0.0.1:9/x.ics", "--identity", "ann", env=instance_env)
    assert local.returncode == 1 and "The calendar could not be fetched" in local.stderr
