"""Create forms posted twice (a double click, a reload of the POST page) make one thing: each such form
carries a token of its own (forms.base.OnceForm's hidden field), the first POST of it runs and later ones lead to
what it made, waiting for it while it runs. Kept in the server process's memory, which serves every
request: a double submit is a matter of seconds."""
import functools
import threading

from flask import current_app, make_response, redirect, request
from flask_login import current_user

from ..caching import LRU
from .forms.base import SUBMISSION_FIELD

# Tokens of forms that made something, remembered for their account (the latest ones only).
REMEMBERED = 2000
# How long a second POST waits for the first to finish (a picture to re-encode on a small server).
WAIT_SECONDS = 30


class _Submissions:
    def __init__(self):
        self.lock = threading.Lock()
        self.running = {}
        self.made = LRU(REMEMBERED)


def _submissions():
    with _LOCK:
        return current_app.extensions.setdefault("once_submissions", _Submissions())


_LOCK = threading.Lock()


def once(view):
    """Run a create view once per form token and account: the same token posted again is redirected
    to where the first POST led (what it made); a POST that made nothing (errors shown) frees it."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = request.form.get(SUBMISSION_FIELD, "") if request.method == "POST" else ""
        if not token or len(token) > 64 or not current_user.is_authenticated:
            return view(*args, **kwargs)
        key, submissions = (current_user.id, token), _submissions()
        with submissions.lock:
            made = submissions.made.get(key)
            first = submissions.running.get(key)
            if made is None and first is None:
                running = submissions.running[key] = threading.Event()
        if made is not None:
            return redirect(made, 303)
        if first is not None:
            first.wait(WAIT_SECONDS)
            made = submissions.made.get(key)
            return redirect(made, 303) if made else view(*args, **kwargs)
        try:
            response = make_response(view(*args, **kwargs))
            if response.status_code in (302, 303) and response.location:
                submissions.made.put(key, response.location)
            return response
        finally:
            with submissions.lock:
                del submissions.running[key]
            running.set()

    return wrapper
