"""run.py export-account as scripts run it: the ZIP written where asked, a line per section, a
summary, and a clear error with exit status 1 for an unknown address."""
import json
import zipfile

from ..helpers import run_cli


def test_export_account_writes_the_zip_and_says_what_it_holds(tmp_path):
    instance_path = tmp_path / "instance"
    created = run_cli(instance_path, "create-user", "ann@example.org", "--password-stdin",
                      stdin="a long enough password\n")
    assert created.returncode == 0, created.stderr
    output = tmp_path / "out" / "ann.zip"
    output.parent.mkdir()
    done = run_cli(instance_path, "export-account", "Ann@Example.org", "--output", str(output))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Exporting ann@example.org to {output}"
    assert "  identities: 1" in lines and "  events_organised: 0" in lines and "  calendar: 0" in lines
    assert lines[-1].startswith(f"Wrote {output} (") and "1 identities" in lines[-1]
    with zipfile.ZipFile(output) as archive:
        document = json.loads(archive.read("account.json"))
        assert archive.read("events.ics").startswith(b"BEGIN:VCALENDAR\r\n")
    assert document["account"]["email"] == "ann@example.org"
    assert [identity["username"] for identity in document["identities"]] == ["ann"]

    unknown = run_cli(instance_path, "export-account", "nobody@example.org", "--output", str(tmp_path / "x.zip"))
    assert unknown.returncode == 1
    assert "No account uses this email address." in unknown.stderr
    assert not (tmp_path / "x.zip").exists()
