"""Create forms already posted (double-submit tokens), kept in the database so that every server process
knows them: the first POST of a token runs, later ones are sent where it led."""
from datetime import timedelta

from peewee import IntegrityError

from ..db import database, delete_in_batches, utcnow
from ..models import FormSubmission

# A first POST still running after this long is taken for dead (its process ended): the token is free.
STALE_AFTER = timedelta(minutes=2)
# Tokens of forms that made something are remembered this long (a reload of the POST page comes sooner).
KEEP = timedelta(days=1)


def _mine(account_id, token):
    return (FormSubmission.account == account_id) & (FormSubmission.token == token)


def take(account_id, token):
    """Take the token for a first POST: (True, None) when this one is to run; else (False, where the first
    POST led), the location None while it still runs."""
    now = utcnow()
    try:
        with database.atomic():
            FormSubmission.create(account=account_id, token=token, created_at=now)
        return True, None
    except IntegrityError:
        pass
    if FormSubmission.update(created_at=now).where(
            _mine(account_id, token) & FormSubmission.location.is_null()
            & (FormSubmission.created_at < now - STALE_AFTER)).execute():
        return True, None
    location = FormSubmission.select(FormSubmission.location).where(_mine(account_id, token)).scalar()
    return False, location


def finish(account_id, token, location):
    """Record where the first POST led (location), or free the token when it made nothing (None)."""
    if location is None:
        FormSubmission.delete().where(_mine(account_id, token)).execute()
    else:
        FormSubmission.update(location=location).where(_mine(account_id, token)).execute()


def purge_submissions():
    """Forget the tokens of forms posted more than KEEP ago; returns how many."""
    return delete_in_batches(FormSubmission, FormSubmission.created_at < utcnow() - KEEP)
