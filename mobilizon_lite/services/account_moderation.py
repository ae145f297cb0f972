"""Moderation of accounts: suspend, unsuspend, delete, change the role, confirm the address by hand."""
from flask_babel import gettext as _

from ..db import database, utcnow
from ..models import Account, Actor
from ..models.accounts import ROLE_ADMIN, ROLES
from . import account_deletion, moderation_log
from .accounts import end_sessions, normalize_email, require_another_admin
from .errors import Invalid, NotFound, PermissionDenied
from .identities import announce_deletion, identities_of

ACTIVE, UNCONFIRMED, SUSPENDED = "active", "unconfirmed", "suspended"
STATES = (ACTIVE, UNCONFIRMED, SUSPENDED)
ACCOUNTS_PER_PAGE = 50
SEARCH_MAX = 254
STATE_CONDITIONS = {
    ACTIVE: Account.confirmed_at.is_null(False) & Account.suspended_at.is_null(),
    UNCONFIRMED: Account.confirmed_at.is_null() & Account.suspended_at.is_null(),
    SUSPENDED: Account.suspended_at.is_null(False),
}


def state_of(account):
    """active, unconfirmed or suspended."""
    if account.suspended_at is not None:
        return SUSPENDED
    return UNCONFIRMED if account.confirmed_at is None else ACTIVE


def find_accounts(search="", role=None, state=None, page=1, per_page=ACCOUNTS_PER_PAGE):
    """One page of the accounts (deleted ones left out) whose email or an identity's username holds
    search, of this role and state when given, newest first: [(account, [username, …])], and whether
    another page follows."""
    query = Account.select().where(Account.deleted_at.is_null())
    search = (search or "").strip()[:SEARCH_MAX]
    if search:
        named = Actor.select(Actor.account).where(Actor.domain.is_null() & Actor.account.is_null(False)
                                                  & Actor.preferred_username.contains(search.lstrip("@")))
        query = query.where(Account.email.contains(search) | Account.id.in_(named))
    if role in ROLES:
        query = query.where(Account.role == role)
    if state in STATE_CONDITIONS:
        query = query.where(STATE_CONDITIONS[state])
    found = list(query.order_by(Account.created_at.desc(), Account.id.desc())
                 .offset((page - 1) * per_page).limit(per_page + 1))
    shown = found[:per_page]
    names = {}
    for actor in (Actor.select(Actor.account, Actor.preferred_username)
                  .where(Actor.account.in_([account.id for account in shown]) & Actor.deleted_at.is_null())
                  .order_by(Actor.created_at, Actor.id)):
        names.setdefault(actor.account_id, []).append(actor.preferred_username)
    return [(account, names.get(account.id, [])) for account in shown], len(found) > per_page


def account_by_email(email):
    """The (not deleted) account using this address; NotFound otherwise."""
    account = Account.get_or_none((Account.email == normalize_email(email)) & Account.deleted_at.is_null())
    if account is None:
        raise NotFound(_("No account uses this email address."))
    return account


def account_by_id(account_id):
    """The (not deleted) account with this id; NotFound otherwise."""
    account = Account.get_or_none((Account.id == account_id) & Account.deleted_at.is_null())
    if account is None:
        raise NotFound(_("There is no such account."))
    return account


def _require_rights(account, moderator):
    """PermissionDenied unless moderator (an Account; None: the host's administrator at the command
    line) may act on account: never on themselves, and only administrators on administrators."""
    if moderator is None:
        return
    if not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators and administrators act on accounts."))
    if moderator.id == account.id:
        raise PermissionDenied(_("You cannot act on your own account."))
    if account.is_admin and not moderator.is_admin:
        raise PermissionDenied(_("Only an administrator can act on an administrator's account."))
    if account.deleted_at is not None:
        raise Invalid(_("This account is deleted."))


def handles(account):
    """The account's live identities as @names, for lists and log lines."""
    return " ".join(f"@{identity.preferred_username}" for identity in identities_of(account))


def suspend(account, moderator, reason=""):
    """Suspend an account: no more log-in, its sessions end, its identities' pages answer 410 and their
    Delete goes to the servers that know them (as Mobilizon suspends), its events leave every listing."""
    _require_rights(account, moderator)
    if account.suspended_at is not None:
        raise Invalid(_("This account is already suspended."))
    with database.atomic("IMMEDIATE"):
        require_another_admin(account)
        identities = identities_of(account)
        end_sessions(account, suspended_at=utcnow())
        Actor.update(suspended=True).where(Actor.id.in_([identity.id for identity in identities])).execute()
        for identity in identities:
            announce_deletion(identity)
        moderation_log.record(moderator, "suspend", "account", account.id, account.email, reason)


def unsuspend(account, moderator, reason=""):
    """Lift a suspension: log-in and the identities' pages come back (other servers fetch them again
    when they next meet them)."""
    _require_rights(account, moderator)
    if account.suspended_at is None:
        raise Invalid(_("This account is not suspended."))
    with database.atomic():
        Account.update(suspended_at=None).where(Account.id == account.id).execute()
        Actor.update(suspended=False).where(Actor.account == account).execute()
        moderation_log.record(moderator, "unsuspend", "account", account.id, account.email, reason)


def delete_account(account, moderator, reason="", choices=None, default=account_deletion.DELETE):
    """Delete an account as account_deletion.delete_account does (choices and default as there), logged."""
    _require_rights(account, moderator)
    with database.atomic("IMMEDIATE"):
        label = handles(account) or account.email
        account_deletion.delete_account(account, choices, default)
        moderation_log.record(moderator, "delete", "account", account.id, label, reason)


def set_role(account, role, moderator):
    """Make the account a user, moderator or administrator (administrators only; never demoting the
    last administrator)."""
    if role not in ROLES:
        raise Invalid(_("Unknown role: choose user, moderator or admin."), "role")
    if moderator is not None and not moderator.is_admin:
        raise PermissionDenied(_("Only administrators change roles."))
    _require_rights(account, moderator)
    if account.role == role:
        raise Invalid(_("The account already has this role."), "role")
    with database.atomic("IMMEDIATE"):
        if role != ROLE_ADMIN:
            require_another_admin(account)
        Account.update(role=role).where(Account.id == account.id).execute()
        moderation_log.record(moderator, "set_role", "account", account.id, account.email,
                              f"{account.role} → {role}")


def confirm_email(account, moderator):
    """Confirm the account's address by hand (its owner can then log in)."""
    _require_rights(account, moderator)
    if account.confirmed_at is not None:
        raise Invalid(_("This address is already confirmed."))
    with database.atomic():
        Account.update(confirmed_at=utcnow()).where(Account.id == account.id).execute()
        moderation_log.record(moderator, "confirm_email", "account", account.id, account.email)
