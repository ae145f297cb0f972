"""Lines of the moderation log, written by every moderation action and read by /admin/log."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext  # lazy; named so that the extractor finds its phrases

from ..models.moderation import ModerationLog

PAGE_SIZE = 50
# Each action code as the log and a report's history say it: one phrase per code the services write.
ACTIONS = {
    "suspend": _l("Account suspended"),
    "unsuspend": _l("Account restored"),
    "delete": _l("Account deleted"),
    "set_role": _l("Role changed"),
    "confirm_email": _l("Address confirmed by hand"),
    "remove": _l("Content removed"),
    "block_domain": _l("Server blocked"),
    "unblock_domain": _l("Server unblocked"),
    "settings_changed": _l("Settings changed"),
    "follow_instance": _l("Instance followed"),
    "unfollow_instance": _l("Instance no longer followed"),
    "accept_instance_follower": _l("Instance's follow request accepted"),
    "refuse_instance_follower": _l("Instance's follow request refused"),
    "instance_follow_approval": _l("Approval of following instances changed"),
    "report_note": _l("Note added"),
    "report_open": _l("Report reopened"),
    "report_resolved": _l("Report resolved"),
    "report_closed": _l("Report closed"),
    "report_remove_event": _l("Reported event removed"),
    "report_remove_comment": _l("Reported comment removed"),
    "report_remove_post": _l("Reported post removed"),
    "report_suspend_author": _l("Account of the reported identity suspended"),
    "report_block_domain": _l("Server of the reported identity blocked"),
}
# What a line is about (its target_type), as the log names it.
TARGETS = {
    "account": _l("Account"), "report": pgettext("noun", "Report"), "domain": _l("Server"),
    "instance": _l("Instance"), "setting": _l("Setting"), "event": _l("Event"), "comment": _l("Comment"),
    "post": _l("Post"), "message": _l("Discussion message"),
}


def action_label(code):
    """An action code as people read it; a code this version does not know, as it is."""
    return ACTIONS.get(code, code)


def target_label(target_type):
    """A line's target type as people read it; one this version does not know, as it is."""
    return TARGETS.get(target_type, target_type)


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
