"""The daily backup: one a day in the backup folder while BACKUP_DAILY is set, the latest kept."""
import logging
import re

from flask import current_app

from ..db import utcnow
from . import archive

log = logging.getLogger(__name__)

DAILY_NAME = re.compile(r"daily-\d{4}-\d{2}-\d{2}\.tar\.gz")


def daily_backup(now=None):
    """The scheduler's hourly job: today's backup (UTC) unless made already, then only the BACKUP_DAILY
    latest daily ones kept (other backups are never removed). Returns (the Summary or None, removed)."""
    keep = current_app.config["BACKUP_DAILY"]
    if not keep:
        return None, []
    now = now or utcnow()
    folder = archive.default_folder(current_app.config, current_app.instance_path)
    target = folder / f"daily-{now:%Y-%m-%d}.tar.gz"
    made = None
    if not target.exists():
        made = archive.make(current_app.config, current_app.instance_path, target)
        log.info("daily backup %s: %d bytes in %.1f s", target, made.size, made.seconds)
    dailies = sorted(path for path in folder.iterdir() if DAILY_NAME.fullmatch(path.name))
    removed = dailies[:-keep]
    for path in removed:
        path.unlink()
    return made, removed
