"""Run-time instance settings, who may sign up (registration modes, allowed email domains), invitations."""
import re
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, g, has_request_context
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
REGISTRATIONS_ALLOWLIST = "allowlist"
# The configuration's default cannot be the allowlist: its domains are chosen at run time.
REGISTRATION_MODES = (*config.REGISTRATION_MODES, REGISTRATIONS_ALLOWLIST)
ALLOWED_DOMAINS_MAX = 100
_DOMAIN_SEPARATORS = re.compile(r"[\s,;]+")
INVITE_LIFETIME = timedelta(days=14)


@prepared(1)
def _setting(key):
    return Setting.select(Setting.value).where(Setting.key == key).tuples()


@prepared(0)
def _every_setting():
    return Setting.select(Setting.key, Setting.value).tuples()


def _read_this_request():
    # A page reads several settings (its title, the time zone of its dates, previews, footer): all of them
    # in one statement, once per request; another process's change is seen by the next request.
    if not has_request_context():
        return None
    if "settings_read" not in g:
        g.settings_read = dict(_every_setting.rows())
    return g.settings_read


def get_setting(key, default=None):
    """Value of a run-time setting, or default when it was never set (read by pages: prepared)."""
    read = _read_this_request()
    if read is not None:
        value = read.get(key)
    else:
        row = _setting.first(key)
        value = None if row is None else row[0]
    return default if value is None else value


def set_setting(key, value):
    """Store a run-time setting."""
    Setting.insert(key=key, value=value).on_conflict(conflict_target=[Setting.key],
                                                     update={Setting.value: value}).execute()
    read = _read_this_request()
    if read is not None:
        read[key] = value


def registrations_mode():
    """How new people may sign up: open, closed, invite or allowlist."""
    return get_setting("registrations", current_app.config["DEFAULT_REGISTRATIONS"])


def allowed_domains():
    """The email domains sign-up takes in allowlist mode (a list, maybe empty)."""
    return get_setting("allowed_domains", "").split()


def email_domain(email):
    """The domain of an address in the form normalize_email stores (IDN domains as Unicode, lowercased)."""
    return email.rpartition("@")[2]


def parse_domains(text):
    """The email domains listed in text (separated by commas or spaces), normalised; Invalid naming the
    first that is no domain name."""
    domains = []
    for entry in _DOMAIN_SEPARATORS.split((text or "").strip()):
        if not entry:
            continue
        try:
            # The domain checked and written as an address's would be, so that both compare equal.
            domain = email_domain(validate_email(f"x@{entry.lstrip('@')}", check_deliverability=False)
                                  .normalized.lower())
        except EmailNotValidError:
            raise Invalid(_("%(domain)s is not a domain name (such as example.org).", domain=entry[:100]),
                          "allowed_domains") from None
        if domain not in domains:
            domains.append(domain)
    if len(domains) > ALLOWED_DOMAINS_MAX:
        raise Invalid(_("List at most %(max)d domains.", max=ALLOWED_DOMAINS_MAX), "allowed_domains")
    return domains


def set_registrations_mode(mode, domains=None):
    """Change how new people may sign up; the allowlist mode needs its domains (a list, see parse_domains)."""
    if mode not in REGISTRATION_MODES:
        raise Invalid(_("Registrations must be one of: open, closed, invite, allowlist."), "mode")
    if mode == REGISTRATIONS_ALLOWLIST and not (allowed_domains() if domains is None else domains):
        raise Invalid(_("List the email domains whose addresses may sign up."), "allowed_domains")
    with database.atomic():
        if domains is not None:
            set_setting("allowed_domains", " ".join(domains))
        set_setting("registrations", mode)


def check_signup_email(email):
    """Refuse an address (normalised) outside the allowed domains when registrations take only those."""
    if registrations_mode() != REGISTRATIONS_ALLOWLIST:
        return
    domains = allowed_domains()
    if email_domain(email) not in domains:
        raise Invalid(_("Sign-up on this instance is limited to addresses at %(domains)s.",
                        domains=", ".join(domains)), "email")


def anonymous_participation_enabled():
    """Whether people without an account may join events with their email (an admin setting)."""
    default = "on" if current_app.config["ANONYMOUS_PARTICIPATION"] else "off"
    return get_setting("anonymous_participation", default) == "on"


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
