"""Create forms posted twice (a double click, a reload of the POST page) make one thing: each such form
carries a token of its own (forms.base.OnceForm's hidden field), the first POST of it runs and later ones lead to
what it made, waiting for it while it runs. The tokens are in the database (services/submissions.py): the two
POSTs may reach two server processes."""
import functools
import time

from flask import make_response, redirect, request
from flask_login import current_user

from ..services import submissions
from .forms.base import SUBMISSION_FIELD

# How long a second POST waits for the first to finish (a picture to re-encode on a small server).
WAIT_SECONDS = 30
# How often a waiting POST looks whether the first has finished.
POLL_SECONDS = 0.1


def once(view):
    """Run a create view once per form token and account: the same token posted again is redirected
    to where the first POST led (what it made); a POST that made nothing (errors shown) frees it."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = request.form.get(SUBMISSION_FIELD, "") if request.method == "POST" else ""
        if not token or len(token) > 64 or not current_user.is_authenticated:
            return view(*args, **kwargs)
        account_id = current_user.id
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            first, made = submissions.take(account_id, token)
            if made is not None:
                return redirect(made, 303)
            if first or time.monotonic() > deadline:
                break
            time.sleep(POLL_SECONDS)
        if not first:
            return view(*args, **kwargs)  # the first never finished: as if the token were new
        location = None
        try:
            response = make_response(view(*args, **kwargs))
            if response.status_code in (302, 303) and response.location:
                location = response.location
            return response
        finally:
            submissions.finish(account_id, token, location)

    return wrapper
