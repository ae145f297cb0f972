"""Restoring a backup: every check made before anything is replaced, and what it replaces kept aside."""
import json
import shutil
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .. import instance_lock
from ..db import utcnow
from ..migrations import STEPS
from . import BackupError, archive


@dataclass
class Restored:
    """What a restore did, for the command's summary."""
    schema_version: int
    tables: int
    rows: dict
    files: int
    aside: Path | None
    config: str  # "restored", "kept" (the instance had its own) or "absent" (the backup had none)


def _allowed(name):
    return name in (archive.MANIFEST, archive.DATABASE, archive.CONFIG) or name.startswith(archive.UPLOADS + "/")


def unpack(path, staging):
    """Extract the backup at path into staging and check it; returns (its database's backend module,
    its schema version).

    BackupError when it is no backup of ours, is damaged, or was made by a newer release.
    """
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = tar.getmembers()
            names = {member.name for member in members}
            if not {archive.MANIFEST, archive.DATABASE} <= names or not all(map(_allowed, names)):
                raise BackupError(f"{path} is not a mobilizon_lite backup")
            # The "data" filter refuses links out of the folder, absolute paths and device files.
            tar.extractall(staging, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"{path} cannot be read as a backup: {error}") from error
    try:
        manifest = json.loads((staging / archive.MANIFEST).read_text())
        backend = archive.BACKENDS[manifest.get("database")]
    except (ValueError, KeyError, AttributeError) as error:
        raise BackupError(f"{path} is not a mobilizon_lite backup this release can read ({error!r})") from error
    version = backend.check(staging / archive.DATABASE)
    if manifest.get("format", 0) > archive.FORMAT or version > len(STEPS):
        raise BackupError(f"{path} was made by a newer release of mobilizon_lite (software version "
                          f"{manifest.get('software_version')}, schema version {version}; this one knows up to "
                          f"{len(STEPS)}): install that release to restore it")
    return backend, version


def _move_aside(paths, aside):
    moved = []
    for path in paths:
        if path.exists():
            aside.mkdir(parents=True, exist_ok=True)
            moved.append((shutil.move(path, aside / path.name), path))
    return moved


def restore(path, instance_path, load_config):
    """Replace the instance's database and pictures by those of the backup at path; returns Restored.

    Refused while a server runs on the instance. The backup's config.py is put in place only when the
    instance has none (a new machine); load_config() then gives the settings that name the database.
    The replaced files are moved to instance/replaced-<time>/.
    """
    instance_path = Path(instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    lock = instance_lock.exclusive(instance_path)
    staging = instance_path / f".restoring-{utcnow():%Y%m%d-%H%M%S}"
    try:
        staging.mkdir()
        backend, version = unpack(Path(path), staging)
        tables, rows = backend.summary(staging / archive.DATABASE)
        config_file, staged_config = instance_path / archive.CONFIG, staging / archive.CONFIG
        if not staged_config.exists():
            config = "absent"
        elif config_file.exists():
            config = "kept"
        else:
            staged_config.replace(config_file)
            config = "restored"
        database = Path(load_config()["DATABASE"])
        uploads, staged_uploads = instance_path / archive.UPLOADS, staging / archive.UPLOADS
        aside = instance_path / f"replaced-{utcnow():%Y%m%d-%H%M%S}"
        moved = _move_aside([database.with_name(database.name + suffix) for suffix in ("", "-wal", "-shm")]
                            + [uploads], aside)
        try:
            shutil.move(staging / archive.DATABASE, database)
            if staged_uploads.exists():
                shutil.move(staged_uploads, uploads)
        except OSError:
            # Put back what was there: a restore that fails half-way leaves the instance as it was.
            database.unlink(missing_ok=True)
            shutil.rmtree(uploads, ignore_errors=True)
            for now_at, was_at in moved:
                shutil.move(now_at, was_at)
            raise
        files = sum(1 for item in uploads.rglob("*") if item.is_file()) if uploads.is_dir() else 0
        return Restored(version, tables, rows, files, aside if moved else None, config)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        instance_lock.release(lock)
