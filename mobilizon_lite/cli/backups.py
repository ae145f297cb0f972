"""The backup and restore commands: progress while they work, then a summary."""
import sys
import time
from pathlib import Path

from flask import Flask

from .. import config
from ..backups import BackupError, archive, restore

MEGABYTE = 1e6
PROGRESS_SECONDS = 0.5


def add_parser(commands, common):
    """The backup and restore commands, added to run.py's commands."""
    backup = commands.add_parser(
        "backup", parents=[common], help="write a backup of the instance (database, pictures, config.py), "
                                         "even while the server runs",
        description="Write one .tar.gz holding a copy of the database as it is at one moment (the server may "
                    "keep running and writing), the uploaded pictures and config.py. It holds the instance's "
                    "keys and secrets: keep it as private as the instance folder.")
    backup.add_argument("path", nargs="?", metavar="PATH",
                        help="the file to write (default: BACKUP_FOLDER or instance/backups/, named by the time)")
    back = commands.add_parser(
        "restore", parents=[common], help="replace the instance's database and pictures by a backup's "
                                          "(with the server stopped)",
        description="Check the backup (its database whole, its schema not newer than this release) before "
                    "replacing anything, then put its database and pictures in place, the replaced ones moved "
                    "to instance/replaced-<time>/. The backup's config.py is used only when the instance has "
                    "none. Refused while the server runs.")
    back.add_argument("path", metavar="PATH")


def _settings(instance_path, default_base_url):
    app = Flask("mobilizon_lite", instance_path=str(instance_path.resolve()), instance_relative_config=True)
    config.load(app, default_base_url=default_base_url)
    return app.config


def _shown(stage):
    """A progress callback printing stage's megabytes at most twice a second, and once it is done."""
    last = [0.0]

    def show(done, total):
        now = time.monotonic()
        if now - last[0] >= PROGRESS_SECONDS or done >= total:
            last[0] = now
            print(f"\r{stage}: {done / MEGABYTE:.1f} / {total / MEGABYTE:.1f} MB", end="", flush=True)
    return show


def _progress():
    shown = {}

    def progress(stage, done, total):
        if stage not in shown:
            if shown:
                print()
            shown[stage] = _shown(stage)
        shown[stage](done, total)
    return progress, shown


def _contents(schema_version, tables, rows, files):
    counts = ", ".join(f"{table}: {count}" for table, count in rows.items())
    return f"schema version {schema_version}, {tables} tables ({counts}), {files} picture files"


def backup(args, instance_path, default_base_url):
    """backup: the archive written with progress, then its size, contents and time."""
    if not (instance_path / archive.CONFIG).exists():
        print(f"error: there is no instance in {instance_path}", file=sys.stderr)
        return 1
    settings = _settings(instance_path, default_base_url)
    target = Path(args.path) if args.path else archive.default_path(settings, instance_path)
    print(f"Backing up {instance_path} to {target}")
    progress, shown = _progress()
    summary = archive.make(settings, instance_path, target, progress)
    if shown:
        print()
    print(f"Wrote {target} ({summary.size / MEGABYTE:.1f} MB) in {summary.seconds:.1f} s: "
          f"{_contents(summary.schema_version, summary.tables, summary.rows, summary.files)}.")
    return 0


def restore_backup(args, instance_path, default_base_url):
    """restore: the checks, the replacement, then what the instance now holds."""
    done = restore.restore(args.path, instance_path, lambda: _settings(instance_path, default_base_url))
    print(f"Restored {args.path} into {instance_path}: "
          f"{_contents(done.schema_version, done.tables, done.rows, done.files)}.")
    if done.aside:
        print(f"What it replaced is kept: {'; '.join(done.aside)}.")
    if done.config == "restored":
        print(f"Its config.py (secret key, BASE_URL, mail settings) is now {instance_path / archive.CONFIG}.")
    elif done.config == "kept":
        print(f"{instance_path / archive.CONFIG} was kept; the backup's own is in it "
              f"(tar -xzf {args.path} {archive.CONFIG}).")
    print("Start the server: it brings the database to this release's schema if it is older.")
    return 0


def run(args, instance_path, default_base_url):
    """Run backup or restore (without opening the app: neither may migrate the database); the exit status."""
    command = backup if args.command == "backup" else restore_backup
    try:
        return command(args, instance_path, default_base_url)
    except BackupError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
