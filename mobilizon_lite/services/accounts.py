"""Accounts: sign-up, log-in checks, passwords and their reset by email."""
import functools
import logging
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from peewee import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .. import mail
from ..activitypub.keys import new_key_pair
from ..db import database, utcnow
from ..models import Account, PasswordResetToken
from ..models.accounts import ROLE_ADMIN, ROLE_USER
from ..tokens import hash_token, new_token, sign, unsign
from ..urls import public_url
from . import instance, throttles
from .errors import Invalid, NotFound, PermissionDenied
from .identities import create_identity, validate_username
from .passwords import hash_password, validate_password
from .prepared import prepared

log = logging.getLogger(__name__)

EMAIL_MAX = 254
RESET_RESEND_AFTER = timedelta(minutes=5)
CONFIRM_PURPOSE = "signup-confirm"
CONFIRMATION_HOURS = 48
CONFIRMATION_TTL = timedelta(hours=CONFIRMATION_HOURS)
# A sign-up never confirmed is forgotten once its link has expired.
UNCONFIRMED_KEPT = CONFIRMATION_TTL
# One "you already have an account" email per account in this time, however often the form is sent.
SIGNUP_NOTICE_AFTER = timedelta(minutes=10)


@prepared(1)
def _account(account_id):
    return Account.select().where(Account.id == account_id)


def account_by_id(account_id):
    """The account with this id, or None (read on every logged-in request: prepared)."""
    return _account.first(account_id)


@functools.cache
def _dummy_hash(method):
    """Checked against when the email is unknown, so a failed log-in takes as long either way."""
    return generate_password_hash("not a real password", method=method)


def normalize_email(email):
    """Validate an address's shape and return it in the form stored (domain lowercased)."""
    email = (email or "").strip()
    if len(email) > EMAIL_MAX:
        raise Invalid(_("This email address is too long."), "email")
    try:
        checked = validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise Invalid(_("This is not a valid email address."), "email") from None
    return checked.normalized.lower()


def register(email, password, username, name="", invite_token=None, locale=None,
             admin=False, by_admin=False):
    """Create an account and its first identity.

    by_admin (the command line, demo data) skips the registration mode and the email check, and
    refuses an address already used. Otherwise the account waits for its owner to follow the
    emailed link, and an address already used gets an email saying so instead: the caller's answer
    is the same either way, so sign-up reveals no account. Returns the new account, or None.
    """
    email = normalize_email(email)
    validate_password(password)
    validate_username(username)
    invite = None
    if by_admin:
        refuse_used_email(email)
    else:
        mode = instance.registrations_mode()
        if mode == instance.REGISTRATIONS_CLOSED:
            raise PermissionDenied(_("Registrations are closed on this instance."))
        if mode == instance.REGISTRATIONS_INVITE:
            invite = instance.usable_invite(invite_token)
            if invite is None:
                raise PermissionDenied(
                    _("Registrations need an invitation, and this one is unknown, used or expired.")
                )
        instance.check_signup_email(email)
    # Hashing and key generation are slow: done before SQLite's write lock is taken, and for a
    # known address too, so that the time taken does not tell either.
    password_hash = hash_password(password)
    key_pair = new_key_pair()
    existing = Account.get_or_none(Account.email == email)
    if existing is None:
        try:
            with database.atomic():
                account = Account.create(
                    email=email,
                    password_hash=password_hash,
                    role=ROLE_ADMIN if admin else ROLE_USER,
                    locale=locale,
                    confirmed_at=utcnow() if by_admin else None,
                )
                create_identity(account, username, name=name, key_pair=key_pair)
                if invite is not None and not instance.consume_invite(invite, account):
                    raise PermissionDenied(_("This invitation has just been used."))
        except IntegrityError:
            # The same address signed up at the same moment: answered as a known one.
            existing = Account.get_or_none(Account.email == email)
            if existing is None:
                raise
    if existing is not None:
        if by_admin:
            refuse_used_email(email)  # signed up at the same moment
        _tell_already_registered(existing, locale)
        return None
    if not by_admin:
        mail.send_mail(email, "mail/signup_confirm.txt", locale=locale, link=_confirmation_link(account),
                       hours=CONFIRMATION_HOURS)
    return account


def refuse_used_email(email):
    """Invalid when an account already uses email (accounts made by an administrator say so)."""
    if Account.select().where(Account.email == email).exists():
        raise Invalid(_("An account already uses this email address."), "email")


def _confirmation_link(account):
    # Signed, not stored: the account id, its creation time (so the link never fits another
    # account that reuses the id) and when the link was made (it expires).
    token = sign([account.id, account.created_at.isoformat(), int(utcnow().timestamp())], CONFIRM_PURPOSE)
    return public_url("auth.confirm_signup", token=token)


def _may_notify(account):
    """True at most once every few minutes per account: repeated attempts must not flood its inbox."""
    return throttles.once_every(f"signup-notice:{account.id}", SIGNUP_NOTICE_AFTER.total_seconds())


def _tell_already_registered(account, locale):
    """Email the owner of an address someone tried to sign up with again (at most every few minutes)."""
    if not _may_notify(account):
        return
    mail.send_mail(
        account.email, "mail/signup_existing.txt", locale=account.locale or locale,
        login_link=public_url("auth.login"), reset_link=public_url("auth.forgot_password"),
        confirm_link=None if account.confirmed_at else _confirmation_link(account),
        hours=CONFIRMATION_HOURS,
    )


def resend_confirmation(account, locale=None):
    """Email the sign-up link again to an unconfirmed account (at most every few minutes); called once
    its password was given, so it tells nothing to whoever does not know it."""
    if account.confirmed_at is None and _may_notify(account):
        # The account is forgotten UNCONFIRMED_KEPT after its sign-up, whatever the link says.
        left = account.created_at + UNCONFIRMED_KEPT - utcnow()
        mail.send_mail(account.email, "mail/signup_confirm.txt", locale=account.locale or locale,
                       link=_confirmation_link(account), hours=max(1, int(left.total_seconds() // 3600)))


def confirm_signup(token):
    """Confirm the account a sign-up link names; returns it, or raises NotFound."""
    signed = unsign(token, CONFIRM_PURPOSE)
    account = None
    if (isinstance(signed, list) and len(signed) == 3 and all(isinstance(part, int) for part in signed[::2])
            and utcnow().timestamp() - signed[2] < CONFIRMATION_TTL.total_seconds()):
        account = Account.get_or_none(Account.id == signed[0])
        if account is not None and account.created_at.isoformat() != signed[1]:
            account = None
    if account is None:
        raise NotFound(_("This confirmation link is invalid or expired. Sign up again to get a new one."))
    if account.confirmed_at is None:
        Account.update(confirmed_at=utcnow()).where(
            (Account.id == account.id) & Account.confirmed_at.is_null()).execute()
    return account


def authenticate(email, password, address=None):
    """The account with these credentials, or None (see confirmed_at before letting it in).

    Failures are counted per email address and per client address: after a few, TooMany refuses
    every attempt, right password included, for a wait that doubles with each further failure.
    """
    try:
        email = normalize_email(email)
    except Invalid:
        email = None
    keys = throttles.keys_for("login", email, address)
    # Counted before the slow hash, so that guesses sent in parallel all count; a success takes it back.
    throttles.attempt(keys, requests=False)
    account = Account.get_or_none(Account.email == email) if email else None
    password_hash = account.password_hash if account else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])
    if check_password_hash(password_hash, password or "") and account is not None:
        # The account's count starts again; the address's does not, or one known password would let
        # its holder guess others' without waiting.
        throttles.clear(throttles.keys_for("login", email))
        throttles.forgive(throttles.keys_for("login", address=address))
        return account
    return None


def note_login(account):
    """Remember when the account last logged in (moderators see it)."""
    Account.update(last_login_at=utcnow()).where(Account.id == account.id).execute()


def require_another_admin(account):
    """Refuse to take away the instance's last active administrator (call inside an IMMEDIATE transaction)."""
    if not account.is_admin:
        return
    others = Account.select().where((Account.role == ROLE_ADMIN) & (Account.id != account.id)
                                    & Account.suspended_at.is_null() & Account.deleted_at.is_null())
    if not others.exists():
        raise PermissionDenied(_("This is the last administrator: make another account administrator first."))


def end_sessions(account, **changes):
    """End every session and remember-me cookie issued to the account so far (a new session
    version), applying changes in the same update; returns the refreshed account."""
    Account.update(session_version=Account.session_version + 1, **changes).where(
        Account.id == account.id).execute()
    return Account.get_by_id(account.id)


def _set_password(account, password_hash):
    # Reading a reset link proves the address as well as a sign-up link does.
    return end_sessions(account, password_hash=password_hash, confirmed_at=account.confirmed_at or utcnow())


def check_current_password(account, password):
    """Invalid unless password is the account's: asked again before a change that matters."""
    if not check_password_hash(account.password_hash, password or ""):
        raise Invalid(_("This is not your current password."), "current_password")


def change_password(account, current_password, new_password):
    """Replace the password after checking the current one; returns the refreshed account."""
    check_current_password(account, current_password)
    validate_password(new_password)
    return _set_password(account, hash_password(new_password))


def set_locale(account, locale):
    """Store the account's interface language (None follows the browser)."""
    if locale and locale not in current_app.config["LANGUAGES"]:
        raise Invalid(_("This language is not available."), "locale")
    account.locale = locale or None
    account.save()


def request_password_reset(email, address=None):
    """Email a reset link when an account has this address; silent otherwise. Requests are counted
    per email address and client address: TooMany after a few in a row."""
    try:
        email = normalize_email(email)
    except Invalid:
        return
    throttles.attempt(throttles.keys_for("reset", email, address))
    account = Account.get_or_none(Account.email == email)
    if account is None:
        log.info("password reset asked for an unknown address")
        return
    recent = PasswordResetToken.select().where(
        (PasswordResetToken.account == account) & PasswordResetToken.used_at.is_null()
        & (PasswordResetToken.created_at > utcnow() - RESET_RESEND_AFTER))
    if recent.exists():
        return  # a link went out minutes ago: repeated requests must not flood the inbox
    token, token_hash = new_token()
    ttl = current_app.config["PASSWORD_RESET_TTL"]
    with database.atomic():
        # Only the newest link works: an older one lying in a mailbox is no longer a way in.
        PasswordResetToken.update(expires_at=utcnow()).where(
            (PasswordResetToken.account == account) & PasswordResetToken.used_at.is_null()
            & (PasswordResetToken.expires_at > utcnow())).execute()
        PasswordResetToken.create(
            account=account, token_hash=token_hash, expires_at=utcnow() + timedelta(seconds=ttl)
        )
    mail.send_mail(
        account.email,
        "mail/password_reset.txt",
        locale=account.locale,
        link=public_url("auth.reset_password", token=token),
        minutes=ttl // 60,
    )


def reset_token_account(token):
    """The account a live reset token belongs to, or Invalid."""
    row = (
        PasswordResetToken.select(PasswordResetToken, Account)
        .join(Account)
        .where(
            (PasswordResetToken.token_hash == hash_token(token or ""))
            & PasswordResetToken.used_at.is_null()
            & (PasswordResetToken.expires_at > utcnow())
        )
        .first()
    )
    if row is None:
        raise Invalid(_("This reset link is invalid, already used or expired. Ask for a new one."))
    return row.account


def reset_password(token, new_password):
    """Set a new password through a reset token; uses up every token of the account."""
    validate_password(new_password)
    password_hash = hash_password(new_password)
    with database.atomic("IMMEDIATE"):
        account = reset_token_account(token)
        PasswordResetToken.update(used_at=utcnow()).where(
            (PasswordResetToken.account == account) & PasswordResetToken.used_at.is_null()
        ).execute()
        return _set_password(account, password_hash)


def purge_expired_tokens():
    """Delete reset tokens that can no longer be used, and sign-ups not confirmed while their link
    worked (freeing their address and username); returns how many rows."""
    tokens = PasswordResetToken.delete().where(
        (PasswordResetToken.expires_at <= utcnow()) | PasswordResetToken.used_at.is_null(False)
    ).execute()
    # A suspended or deleted account stays, whether or not it was confirmed: its usernames stay taken.
    return tokens + Account.delete().where(
        Account.confirmed_at.is_null() & (Account.created_at < utcnow() - UNCONFIRMED_KEPT)
        & Account.suspended_at.is_null() & Account.deleted_at.is_null()).execute()
