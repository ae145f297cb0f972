"""Pictures sent with a form that is shown again for another field's error, held under a token so that
the person does not choose them again: tied to their account, taken when the form is saved, gone after
HOLD_SECONDS (removed by an hourly job)."""
import json
import re
import secrets
import time
from pathlib import Path

from flask import current_app

HOLD_SECONDS = 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
NAME_MAX = 100


def _folder():
    folder = Path(current_app.instance_path) / "held"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def hold(account_id, stream, filename):
    """Hold the file of stream (as sent, checked when used) for the account; its token, or None when it is
    empty or over PICTURE_MAX_BYTES."""
    folder = _folder()
    stream.seek(0)
    data = stream.read(current_app.config["PICTURE_MAX_BYTES"] + 1)
    stream.seek(0)
    if not data or len(data) > current_app.config["PICTURE_MAX_BYTES"]:
        return None
    token = secrets.token_urlsafe(16)
    (folder / f"{token}.json").write_text(json.dumps({"account": account_id, "name": (filename or "")[:NAME_MAX]}))
    (folder / token).write_bytes(data)
    return token


def held(account_id, token):
    """(the file's bytes, its name) held under token for the account, or None (unknown, expired, another's)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    folder = _folder()
    try:
        if (folder / token).stat().st_mtime < time.time() - HOLD_SECONDS:
            return None
        about = json.loads((folder / f"{token}.json").read_text())
        data = (folder / token).read_bytes()
    except (OSError, ValueError):
        return None
    return (data, about["name"]) if about.get("account") == account_id else None


def purge_held_pictures():
    """The scheduler job: remove the pictures held longer than HOLD_SECONDS; how many files went."""
    removed = 0
    for path in _folder().iterdir():
        if path.stat().st_mtime < time.time() - HOLD_SECONDS:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def release(token):
    """Forget the picture held under token (it was used)."""
    if TOKEN.fullmatch(token or ""):
        folder = _folder()
        (folder / token).unlink(missing_ok=True)
        (folder / f"{token}.json").unlink(missing_ok=True)
