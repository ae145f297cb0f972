"""The daily backup job, called with a clock: one backup a day, the BACKUP_DAILY latest kept, off by default."""
import json
import tarfile
from datetime import UTC, datetime, timedelta

import pytest

from mobilizon_lite import create_app
from mobilizon_lite.backups import archive
from mobilizon_lite.backups.daily import daily_backup
from mobilizon_lite.migrations import STEPS
from mobilizon_lite.scheduler import build_scheduler

from ..helpers import make_account

FIRST_DAY = datetime(2027, 3, 1, 2, 30, tzinfo=UTC)


@pytest.fixture
def backed_up(tmp_path, app_config):
    app = create_app(dict(app_config, BACKUP_DAILY=3, BACKUP_FOLDER=str(tmp_path / "backups")),
                     instance_path=str(tmp_path / "instance"))
    make_account(app)
    return app


def test_one_backup_a_day_and_only_the_latest_kept(backed_up, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "backup-20270101-120000.tar.gz").write_bytes(b"made by hand")
    (folder / "daily-notes.txt").write_text("not a backup")
    with backed_up.app_context():
        made, removed = daily_backup(now=FIRST_DAY)
        assert made.path == folder / "daily-2027-03-01.tar.gz" and made.rows["account"] == 1 and removed == []
        assert daily_backup(now=FIRST_DAY + timedelta(hours=20)) == (None, [])  # the same day: once
        for day in range(1, 5):
            made, removed = daily_backup(now=FIRST_DAY + timedelta(days=day))
            assert made.path.name == f"daily-2027-03-0{day + 1}.tar.gz"
            assert [path.name for path in removed] == ([] if day < 3 else [f"daily-2027-03-0{day - 2}.tar.gz"])
    assert sorted(path.name for path in folder.iterdir()) == [
        "backup-20270101-120000.tar.gz", "daily-2027-03-03.tar.gz", "daily-2027-03-04.tar.gz",
        "daily-2027-03-05.tar.gz", "daily-notes.txt"]
    with tarfile.open(folder / "daily-2027-03-05.tar.gz") as tar:
        assert json.load(tar.extractfile("backup.json"))["schema_version"] == len(STEPS)
        assert archive.BACKENDS[archive.backend_of(backed_up.config)].FILE in tar.getnames()


def test_the_scheduler_runs_it_hourly_only_when_set(backed_up, app, tmp_path):
    job = build_scheduler(backed_up).get_job("daily_backup")
    assert job.trigger.interval == timedelta(hours=1)
    job.func()  # in its own app context, on today's date
    assert [path.name for path in (tmp_path / "backups").iterdir()] == [f"daily-{datetime.now(UTC):%Y-%m-%d}.tar.gz"]
    assert build_scheduler(app).get_job("daily_backup") is None
    with app.app_context():
        assert daily_backup(now=FIRST_DAY) == (None, [])
    assert not (tmp_path / "instance" / "backups").exists()
