"""Instance settings changed at run time (registration mode) and invitations."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from .. import config
from ..db import database, utcnow
from ..models import Invite, Setting
from ..tokens import hash_token, new_token
from ..urls import public_url
from .errors import Invalid
from .prepared import prepared

REGISTRATIONS_OPEN = "open"
REGISTRATIONS_CLOSED = "closed"
REGISTRATIONS_INVITE = "invite"
REGISTRATION_MODES = config.REGISTRATION_MODES
INVITE_LIFETIME = timedelta(days=14)


@prepared(1)
def _setting(key):
    return Setting.select(Setting.value).where(Setting.key == key).tuples()


def get_setting(key, default=None):
    """Value of a run-time setting, or default when it was never set (read by pages: prepared)."""
    row = _setting.first(key)
    return default if row is None else row[0]


def set_setting(key, value):
    """Store a run-time setting."""
    Setting.replace(key=key, value=value).execute()


def registrations_mode():
    """How new people may sign up: open, closed or invite."""
    return get_setting("registrations", current_app.config["DEFAULT_REGISTRATIONS"])


def set_registrations_mode(mode):
    """Change how new people may sign up."""
    if mode not in REGISTRATION_MODES:
        raise Invalid(_("Registrations must be one of: open, closed, invite."), "mode")
    set_setting("registrations", mode)


def create_invite():
    """Make a single-use invitation and return its sign-up link."""
    token, token_hash = new_token()
    Invite.create(token_hash=token_hash, expires_at=utcnow() + INVITE_LIFETIME)
    return public_url("auth.signup", invite=token)


def usable_invite(token):
    """The unused, unexpired invitation for token, or None."""
    if not token:
        return None
    return Invite.get_or_none(
        (Invite.token_hash == hash_token(token))
        & Invite.used_at.is_null()
        & (Invite.expires_at > utcnow())
    )


def consume_invite(invite, account):
    """Mark an invitation as used by account; False when someone used it first."""
    with database.atomic():
        updated = (
            Invite.update(used_at=utcnow(), used_by=account)
            .where((Invite.id == invite.id) & Invite.used_at.is_null())
            .execute()
        )
    return updated == 1
