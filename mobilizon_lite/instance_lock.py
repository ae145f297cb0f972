"""The lock on an instance folder: serving processes share it, and a restore needs it alone.

The kernel releases a process's lock when it ends, however it ends: a lock file left behind by a
server that was killed (or a machine that lost power) never blocks anything.
"""
import fcntl
import os
from pathlib import Path

from .config import ConfigError

LOCK_FILE = "server.lock"


def _take(instance_path, mode):
    path = Path(instance_path) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def share(instance_path):
    """Hold the lock for a serving process until it ends (others may serve too); refused while a
    restore replaces the instance's files."""
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    fd = _take(instance_path, fcntl.LOCK_SH)
    if fd is None:
        raise ConfigError(f"a restore is replacing the files of {instance_path}: start the server once it ends")
    return fd


def exclusive(instance_path):
    """Hold the lock alone (close the returned descriptor to let it go); refused while a server runs."""
    fd = _take(instance_path, fcntl.LOCK_EX)
    if fd is None:
        raise ConfigError(f"the server is running on {instance_path} (it holds {Path(instance_path) / LOCK_FILE}): "
                          "stop it first")
    return fd


def release(fd):
    """Let go of a lock taken by share() or exclusive()."""
    os.close(fd)
