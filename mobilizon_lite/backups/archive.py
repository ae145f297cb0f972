"""Backup archives: one .tar.gz holding a consistent copy of the database, the uploaded pictures and
config.py, with a manifest; written beside its final name and renamed, so a backup is whole or absent."""
import io
import json
import os
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..db import is_postgres_url, utcnow
from ..version import __version__
from . import BackupError, file_size, postgres, sqlite

MANIFEST = "backup.json"
CONFIG = "config.py"
UPLOADS = "uploads"
FORMAT = 1
# Pictures are stored compressed already; the database shrinks to about a fifth at this level.
COMPRESS_LEVEL = 6
CHUNK = 1 << 20


@dataclass
class Summary:
    """What a backup holds, for the command's last line and the scheduler's log."""
    path: Path
    schema_version: int
    tables: int
    rows: dict
    files: int
    size: int = 0
    seconds: float = 0.0


# The modules that copy, check and restore each kind of database, by the name a backup's manifest gives.
BACKENDS = {"sqlite": sqlite, "postgresql": postgres}


def backend_of(config):
    """The name of the kind of database the settings choose."""
    return "postgresql" if is_postgres_url(config.get("DATABASE_URL")) else "sqlite"


def default_folder(config, instance_path):
    """Where backups go without a PATH: BACKUP_FOLDER, else instance/backups/."""
    return Path(config["BACKUP_FOLDER"] or Path(instance_path) / "backups")


def default_path(config, instance_path, now=None):
    """A new backup's path in the default folder, named by its UTC time."""
    return default_folder(config, instance_path) / f"backup-{(now or utcnow()):%Y%m%d-%H%M%S}.tar.gz"


class _Counted(io.RawIOBase):
    """A file read through, counting the bytes for progress(done, total)."""

    def __init__(self, handle, progress, done, total):
        self.handle, self.progress, self.done, self.total = handle, progress, done, total

    def readable(self):
        return True

    def read(self, size=-1):
        data = self.handle.read(size)
        self.done[0] += len(data)
        if self.progress:
            self.progress(self.done[0], self.total)
        return data


def _upload_files(instance_path):
    folder = Path(instance_path) / UPLOADS
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []


def make(config, instance_path, target, progress=None):
    """Write a backup of the instance to target (.tar.gz); returns its Summary.

    progress(stage, done, total) reports the bytes of the stages "database" then "archive".
    """
    started = time.monotonic()
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already: choose another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    backend = backend_of(config)
    database = BACKENDS[backend]
    stage = (lambda name: lambda done, total: progress(name, done, total)) if progress else (lambda _name: None)
    # The copy sits beside the archive: the disk that takes the archive takes the copy.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        copy = Path(work) / database.FILE
        database.snapshot(config, copy, stage("database"))
        summary = Summary(target, database.check(copy), *database.summary(copy), files=0)
        uploads = _upload_files(instance_path)
        summary.files = len(uploads)
        _write(target, (backend, copy), Path(instance_path) / CONFIG, uploads, Path(instance_path) / UPLOADS,
               summary, stage("archive"))
    summary.size = target.stat().st_size
    summary.seconds = time.monotonic() - started
    return summary


def _write(target, database, config_file, uploads, upload_folder, summary, progress):
    backend, copy = database
    manifest = json.dumps({"format": FORMAT, "database": backend, "software_version": __version__,
                           "schema_version": summary.schema_version, "created_at": utcnow().isoformat(),
                           "rows": summary.rows, "files": summary.files}, indent=1)
    members = [(copy, copy.name)] + ([(config_file, CONFIG)] if config_file.exists() else [])
    members += [(path, f"{UPLOADS}/{path.relative_to(upload_folder).as_posix()}") for path in uploads]
    done, total = [0], sum(file_size(path) for path, _name in members)
    partial = target.with_name(target.name + ".partial")
    # It holds the instance's keys and secrets: readable by its owner only.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=COMPRESS_LEVEL) as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(manifest.encode()), time.time()
            tar.addfile(info, io.BytesIO(manifest.encode()))
            for path, name in members:
                try:
                    handle = path.open("rb")
                except FileNotFoundError:  # a picture deleted meanwhile
                    continue
                with handle:
                    info = tar.gettarinfo(arcname=name, fileobj=handle)
                    tar.addfile(info, _Counted(handle, progress, done, total))
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
