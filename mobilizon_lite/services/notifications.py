"""Which notification emails an account wants, and the one way they are sent: to the accounts owning
identities, once per account, in its language, each with the link to its notification settings."""
from flask_babel import gettext as _

from .. import mail
from ..models import Account, Actor, NotificationSetting
from ..models.notifications import GROUP_EVENTS_DAILY, GROUP_EVENTS_MODES, GROUP_EVENTS_NOW
from ..urls import public_url
from .errors import Invalid

# The kinds an account turns on or off, each a column of NotificationSetting.
COMMENTS = "comments"
REQUESTS = "participation_requests"
DECISIONS = "participation_decisions"
INVITATIONS = "invitations"
SWITCHES = (COMMENTS, REQUESTS, DECISIONS, INVITATIONS)
# The group events' kinds: each is wanted by the accounts whose group_events mode it names.
GROUP_EVENTS_NOW_KIND = "group_events_now"
GROUP_EVENTS_DAILY_KIND = "group_events_daily"
_GROUP_MODES = {GROUP_EVENTS_NOW_KIND: GROUP_EVENTS_NOW, GROUP_EVENTS_DAILY_KIND: GROUP_EVENTS_DAILY}


def settings_of(account):
    """{kind: on?} of SWITCHES and "group_events": its mode, as the account chose (defaults: all on, daily)."""
    row = NotificationSetting.get_or_none(NotificationSetting.account == account) or NotificationSetting()
    return {kind: getattr(row, kind) for kind in SWITCHES} | {"group_events": row.group_events}


def save_settings(account, choices):
    """Store an account's choices ({kind: on?} for SWITCHES, and "group_events": one of GROUP_EVENTS_MODES)."""
    if choices.get("group_events") not in GROUP_EVENTS_MODES:
        raise Invalid(_("Choose how to hear of your groups' new events."), "group_events")
    values = {kind: bool(choices.get(kind)) for kind in SWITCHES} | {"group_events": choices["group_events"]}
    (NotificationSetting.insert(account=account, **values)
     .on_conflict(conflict_target=[NotificationSetting.account],
                  update={getattr(NotificationSetting, name): value for name, value in values.items()})
     .execute())


def _wanted(row, kind):
    if kind in _GROUP_MODES:
        return row.group_events == _GROUP_MODES[kind]
    return getattr(row, kind)


def wanting(kind, account_ids):
    """The ids among account_ids of the accounts that want emails of kind."""
    if kind not in SWITCHES and kind not in _GROUP_MODES:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = set(account_ids)
    if not ids:
        return set()
    rows = {row.account_id: row for row in
            NotificationSetting.select().where(NotificationSetting.account.in_(list(ids)))}
    defaults = NotificationSetting()
    return {account_id for account_id in ids if _wanted(rows.get(account_id, defaults), kind)}


def wants(account, kind):
    """Whether the account wants emails of kind: the one question every notification's sender asks."""
    return account.id in wanting(kind, [account.id])


def settings_link():
    """The address of the notification settings page, which every notification email gives."""
    return public_url("account.notifications")


def outgoing(account, template, context):
    """The email of template to account, in its language, with the link to its notification settings."""
    return mail.Outgoing(account.email, template, account.locale, dict(context, settings_link=settings_link()))


def accounts_of(identity_ids):
    """The live accounts (not suspended, not deleted) owning these identities, each once."""
    ids = {identity_id for identity_id in identity_ids if identity_id is not None}
    if not ids:
        return []
    return list(Account.select().where(
        Account.id.in_(Actor.select(Actor.account).where(Actor.id.in_(list(ids)) & Actor.account.is_null(False)))
        & Account.deleted_at.is_null() & Account.suspended_at.is_null()))


def notify(kind, accounts, template, context_for):
    """Email each of these accounts that wants kind, in one batch; context_for(account) gives what its
    email says (it must name only the identities that email is about). Returns how many went out."""
    accounts = list({account.id: account for account in accounts}.values())
    wanted = wanting(kind, [account.id for account in accounts])
    return mail.send_batch([outgoing(account, template, context_for(account))
                            for account in accounts if account.id in wanted])


def notify_identities(kind, identity_ids, template, context_for):
    """notify the accounts owning these identities (those of other servers have none here)."""
    return notify(kind, accounts_of(identity_ids), template, context_for)
