"""Backups of an instance (its database, uploaded pictures and config.py in one .tar.gz) and their restore."""


class BackupError(RuntimeError):
    """A backup cannot be made or restored; the message says why."""


def file_size(path):
    """The size of the file at path, 0 when it is (no longer) there."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
