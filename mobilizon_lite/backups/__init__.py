"""Backups of an instance (its database, uploaded pictures and config.py in one .tar.gz) and their restore."""
import threading
from contextlib import contextmanager

PROGRESS_SECONDS = 0.5


class BackupError(RuntimeError):
    """A backup cannot be made or restored; the message says why."""


def file_size(path):
    """The size of the file at path, 0 when it is (no longer) there."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


@contextmanager
def watching(target, total, progress):
    """Call progress(bytes written to target so far, total) twice a second while the block runs, and
    progress(size, size) once it has run; the database copies are written by another program or library."""
    done = threading.Event()

    def watch():
        while not done.wait(PROGRESS_SECONDS):
            progress(min(file_size(target), total), total)

    watcher = threading.Thread(target=watch, daemon=True) if progress else None
    if watcher:
        watcher.start()
    try:
        yield
    finally:
        done.set()
        if watcher:
            watcher.join()
    if progress:
        progress(file_size(target), file_size(target))
