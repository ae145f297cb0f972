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
    aside: list  # where the replaced database and pictures went
    config: str  # "restored", "kept" (the instance had its own) or "absent" (the backup had none)


DATABASE_FILES = {backend.FILE for backend in archive.BACKENDS.values()}


def _allowed(name):
    return (name in (archive.MANIFEST, archive.CONFIG) or name in DATABASE_FILES
            or name.startswith(archive.UPLOADS + "/"))


def unpack(path, staging):
    """Extract the backup at path into staging and check it; returns (its database's backend module,
    its schema version).

    BackupError when it is no backup of ours, is damaged, or was made by a newer release.
    """
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = tar.getmembers()
            names = {member.name for member in members}
            if archive.MANIFEST not in names or len(names & DATABASE_FILES) != 1 or not all(map(_allowed, names)):
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
    if backend.FILE not in names:
        raise BackupError(f"{path} is not a mobilizon_lite backup")
    version = backend.check(staging / backend.FILE)
    if manifest.get("format", 0) > archive.FORMAT or version > len(STEPS):
        raise BackupError(f"{path} was made by a newer release of mobilizon_lite (software version "
                          f"{manifest.get('software_version')}, schema version {version}; this one knows up to "
                          f"{len(STEPS)}): install that release to restore it")
    return backend, version


def _settle_config(instance_path, staging):
    config_file, staged_config = instance_path / archive.CONFIG, staging / archive.CONFIG
    if not staged_config.exists():
        return "absent"
    if config_file.exists():
        return "kept"
    staged_config.replace(config_file)
    return "restored"


def restore(path, instance_path, load_config):
    """Replace the instance's database and pictures by those of the backup at path; returns Restored.

    Refused while a server runs on the instance. The backup's config.py is put in place only when the
    instance has none (a new machine); load_config() then gives the settings that name the database.
    The replaced files are moved to instance/replaced-<time>/ (on PostgreSQL, the replaced tables to a
    schema of that name).
    """
    instance_path = Path(instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    lock = instance_lock.exclusive(instance_path)
    staging = instance_path / f".restoring-{utcnow():%Y%m%d-%H%M%S}"
    try:
        staging.mkdir()
        backend, version = unpack(Path(path), staging)
        tables, rows = backend.summary(staging / backend.FILE)
        config = _settle_config(instance_path, staging)
        settings = load_config()
        configured = archive.BACKENDS[archive.backend_of(settings)]
        if configured is not backend:
            if config == "restored":
                (instance_path / archive.CONFIG).replace(staging / archive.CONFIG)
            raise BackupError(f"{path} holds a {backend.KIND} database but the instance uses {configured.KIND} "
                              f"(DATABASE_URL): {backend.RESTORE_HINT}")
        aside = instance_path / f"replaced-{utcnow():%Y%m%d-%H%M%S}"
        undo, database_aside = backend.install(staging / backend.FILE, settings, aside)
        uploads, staged_uploads = instance_path / archive.UPLOADS, staging / archive.UPLOADS
        moved = None
        try:
            if uploads.exists():
                aside.mkdir(parents=True, exist_ok=True)
                moved = shutil.move(uploads, aside / uploads.name)
            if staged_uploads.exists():
                shutil.move(staged_uploads, uploads)
        except OSError:
            # Put back what was there: a restore that fails half-way leaves the instance as it was.
            shutil.rmtree(uploads, ignore_errors=True)
            if moved:
                shutil.move(moved, uploads)
            undo()
            raise
        files = sum(1 for item in uploads.rglob("*") if item.is_file()) if uploads.is_dir() else 0
        kept = [where for where in (database_aside, moved and str(moved)) if where]
        return Restored(version, tables, rows, files, kept, config)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        instance_lock.release(lock)

