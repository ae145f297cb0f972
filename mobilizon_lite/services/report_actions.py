"""What moderators do from a report: remove what it names, suspend its author's account, block its author's
server; each written in the moderation log, and on the report's own history."""
from flask_babel import gettext as _

from ..db import database
from ..models import ReportItem
from . import account_moderation, content_moderation, domain_blocks, moderation_log
from .errors import Invalid, NotFound
from .reportables import find

# The kinds of reported things a moderator removes (identities and groups: their account or server instead).
REMOVABLE = ("event", "comment", "post")


def removable(item):
    """The live content a report item names, when a moderator may remove it; else None."""
    found = find(item.ap_id) if item.kind in REMOVABLE else None
    return found.row if found is not None else None


def suspendable(report):
    """The local account behind the reported identity, when it is not suspended yet; else None."""
    author = report.reported
    if author is None or not author.is_local or author.account_id is None or author.account.suspended_at:
        return None
    return author.account


def blockable(report):
    """The server of the reported actor, when it is another one; else None."""
    author = report.reported
    return author.domain if author is not None and not author.is_local else None


def _noted(report, moderator, action, label, reason):
    moderation_log.record(moderator, f"report_{action}", "report", report.id, label, reason)


def remove_item(report, item_id, moderator, reason=""):
    """Remove one thing the report names (content_moderation.remove: deleted everywhere when ours)."""
    item = ReportItem.get_or_none((ReportItem.id == item_id) & (ReportItem.report == report))
    content = removable(item) if item is not None else None
    if content is None:
        raise NotFound(_("This content does not exist or was already removed."))
    with database.atomic("IMMEDIATE"):
        content_moderation.remove(item.kind, content, moderator, reason)
        _noted(report, moderator, f"remove_{item.kind}", item.label, reason)


def suspend_author(report, moderator, reason=""):
    """Suspend the account of the reported identity (account_moderation.suspend)."""
    account = suspendable(report)
    if account is None:
        raise Invalid(_("The reported identity has no account here to suspend."))
    with database.atomic("IMMEDIATE"):
        account_moderation.suspend(account, moderator, reason)
        _noted(report, moderator, "suspend_author", report.reported.handle, reason)


def block_author_domain(report, moderator, severity, reject_media=False, reason=""):
    """Block the reported actor's server (domain_blocks.block: suspend or silence)."""
    domain = blockable(report)
    if domain is None:
        raise Invalid(_("The reported actor is of this instance: there is no server to block."))
    with database.atomic("IMMEDIATE"):
        domain_blocks.block(domain, severity, reject_media, moderator, reason)
        _noted(report, moderator, "block_domain", domain, reason)
