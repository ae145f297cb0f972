"""Changing an account's email address: asked with the password, done when the new address's owner
opens the emailed link, told to the old address."""
from datetime import timedelta

from flask_babel import gettext as _
from peewee import IntegrityError

from .. import mail
from ..db import database, utcnow
from ..models import Account
from ..tokens import sign, unsign
from ..urls import public_url
from . import instance, throttles
from .accounts import check_current_password, normalize_email
from .errors import Invalid, NotFound

PURPOSE = "email-change"
LINK_HOURS = 24
LINK_TTL = timedelta(hours=LINK_HOURS)
# Throttle keys naming an address: they follow the account to its new address, so that a change
# never hands whoever was guessing its password a fresh count.
FOLLOWING_ACTIONS = ("login", "reset", PURPOSE)


def request_change(account, current_password, new_email, address=None, locale=None):
    """Email a confirmation link to new_email (or, when another account uses it, a note saying so to
    that address: the answer is the same, so the page reveals no account). Returns the address as stored."""
    check_current_password(account, current_password)
    new_email = normalize_email(new_email)
    if new_email == account.email:
        raise Invalid(_("This is already your address."), "email")
    instance.check_signup_email(new_email)
    # Every request sends an email: counted per account and client address, as reset requests are.
    throttles.attempt(throttles.keys_for(PURPOSE, account.email, address))
    owner = Account.get_or_none(Account.email == new_email)
    if owner is not None:
        mail.send_mail(new_email, "mail/email_change_taken.txt", locale=owner.locale or locale,
                       login_link=public_url("auth.login"), reset_link=public_url("auth.forgot_password"))
        return new_email
    # Signed, not stored: valid only while the account still has the address it had when asked,
    # so a link is used once and a newer change makes older links useless.
    token = sign([account.id, account.email, new_email, int(utcnow().timestamp())], PURPOSE)
    mail.send_mail(new_email, "mail/email_change_confirm.txt", locale=locale or account.locale,
                   link=public_url("account.confirm_email", token=token), hours=LINK_HOURS)
    return new_email


def _pending(token):
    """(account, new address) a live change link names, or NotFound."""
    signed = unsign(token, PURPOSE)
    if (isinstance(signed, list) and len(signed) == 4 and isinstance(signed[0], int)
            and isinstance(signed[3], int) and all(isinstance(part, str) for part in signed[1:3])
            and 0 <= utcnow().timestamp() - signed[3] < LINK_TTL.total_seconds()):
        account = Account.get_or_none((Account.id == signed[0]) & (Account.email == signed[1])
                                      & Account.deleted_at.is_null())
        if account is not None:
            return account, signed[2]
    raise NotFound(_("This link is invalid, already used or expired. Ask for the change again from your "
                     "settings."))


def check_link(token):
    """The new address a live change link would set, or NotFound."""
    return _pending(token)[1]


def confirm_change(token):
    """Give the account the address its link names, if still free; tell the old address. Returns the account."""
    with database.atomic("IMMEDIATE"):
        account, new_email = _pending(token)
        if Account.select().where(Account.email == new_email).exists():
            raise Invalid(_("Another account now uses this address: your address stays as it was."))
        old_email = account.email
        try:
            Account.update(email=new_email).where(Account.id == account.id).execute()
        except IntegrityError:
            raise Invalid(_("Another account now uses this address: your address stays as it was.")) from None
        for action in FOLLOWING_ACTIONS:
            throttles.move_key(throttles.keys_for(action, old_email), throttles.keys_for(action, new_email))
    mail.send_mail(old_email, "mail/email_changed.txt", locale=account.locale, masked=masked_email(new_email),
                   about_link=public_url("about.about"))
    return Account.get_by_id(account.id)


def masked_email(email):
    """An address shown without giving it away: n…@e….org."""
    local, _at, domain = email.rpartition("@")
    name, dot, top = domain.rpartition(".")
    return f"{local[:1]}…@{name[:1]}…{dot}{top}" if dot else f"{local[:1]}…@{domain[:1]}…"
