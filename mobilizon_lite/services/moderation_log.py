"""Lines of the moderation log, written by every moderation action and read by /admin/log."""
from ..models.moderation import ModerationLog

PAGE_SIZE = 50


def record(moderator, action, target_type, target_id, label="", reason=""):
    """Write one line: moderator is the Account that acted, or None for the command line."""
    return ModerationLog.create(moderator=moderator, action=action, target_type=target_type,
                                target_id=str(target_id)[:2048], target_label=(label or "")[:300],
                                reason=reason or "")


def page(number=1):
    """One page of the log, newest first, and whether another page follows."""
    lines = list(ModerationLog.select().order_by(ModerationLog.created_at.desc(), ModerationLog.id.desc())
                 .offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    return lines[:PAGE_SIZE], len(lines) > PAGE_SIZE


def about(target_type, target_id):
    """The lines about one target (a report: its notes and changes), oldest first."""
    return list(ModerationLog.select().where((ModerationLog.target_type == target_type)
                                             & (ModerationLog.target_id == str(target_id)))
                .order_by(ModerationLog.created_at, ModerationLog.id))
