"""Reports to the moderators: made by an identity, by a visitor whose address is confirmed by a link, or
by another server's Flag; the moderators' emails, notes and states."""
import uuid as uuid_lib
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn, prefetch

from .. import mail
from ..db import database, delete_in_batches, utcnow
from ..models import Account, Report, ReportItem, ReportNote
from ..models.accounts import ROLE_ADMIN, ROLE_MODERATOR
from ..models.reports import OPEN, REASONS, STATES, UNCONFIRMED
from ..text import clean_text
from ..tokens import hash_token, new_token
from ..urls import public_url
from . import moderation_log, report_forwarding, throttles
from .accounts import normalize_email
from .anonymous import RESEND_AFTER
from .errors import Invalid, NotFound

COMMENT_MAX = 2000
NOTE_MAX = 5000
REPORTS_PER_PAGE = 50
# What a report may name, as the moderators read it (reportables.py gives the kinds).
KIND_LABELS = {
    "event": _l("Event"), "comment": _l("Comment"), "post": _l("Post"), "group": _l("Group"),
    "identity": _l("Identity"),
}
REASON_LABELS = {
    "spam": _l("Spam or advertising"),
    "harassment": _l("Harassment, insults or hate"),
    "illegal": _l("Illegal content"),
    "rules": _l("It breaks this instance's rules"),
    "other": _l("Something else"),
}


def clean_comment(comment, limit=COMMENT_MAX):
    """The reporter's (or a moderator's) words, trimmed; Invalid when longer than limit."""
    text = (clean_text(comment or "", multiline=True) or "").strip()
    if len(text) > limit:
        raise Invalid(_("Write at most %(max)d characters.", max=limit), "comment")
    return text


def _check(found, reason, forward):
    if reason not in REASONS:
        raise Invalid(_("Choose a reason."), "reason")
    if forward and found.domain is None:
        raise Invalid(_("Only reports about another server's content can be sent to it."), "forward")


def _create(found, reason, comment, forward, **fields):
    """Write a report about found (a Reportable) and its one item, in the caller's transaction."""
    report = Report.create(uuid=str(uuid_lib.uuid4()), reported=found.author, reason=reason, comment=comment,
                           forward=forward, **fields)
    ReportItem.create(report=report, kind=found.kind, ap_id=found.ap_id, domain=found.domain, label=found.label)
    return report


def _opened(report):
    """A report reaches the queue: the content's server is told (when asked) in the same transaction."""
    if report.forward:
        report_forwarding.forward(report)


def report_as(identity, found, reason, comment, forward=False):
    """identity (a local identity of the logged-in account) reports found (see reportables.reportable)."""
    comment = clean_comment(comment)
    _check(found, reason, forward)
    with database.atomic():
        report = _create(found, reason, comment, forward, reporter=identity, state=OPEN)
        _opened(report)
    notify_moderators(report)
    return report


def request_report(found, email, reason, comment, forward, locale, address=None):
    """A visitor reports found with an email address: the report waits for the link emailed there.
    Answers the same whatever the address; one address gets one link per item in RESEND_AFTER.
    Requests are counted per email address and client address: TooMany after a few in a row."""
    email = normalize_email(email)
    comment = clean_comment(comment)
    _check(found, reason, forward)
    throttles.attempt(throttles.keys_for("report", email, address))
    token, token_hash = new_token()
    ttl = timedelta(seconds=current_app.config["ANONYMOUS_CONFIRMATION_TTL"])
    now = utcnow()
    with database.atomic("IMMEDIATE"):
        recent = (Report.select().join(ReportItem)
                  .where((Report.email == email) & (Report.state == UNCONFIRMED) & (ReportItem.ap_id == found.ap_id)
                         & (Report.created_at > now - RESEND_AFTER)).exists())
        if recent:
            return  # someone keeps posting this address: do not flood its inbox
        _create(found, reason, comment, forward, email=email, locale=locale, state=UNCONFIRMED,
                confirm_token_hash=token_hash, confirm_expires_at=now + ttl)
    mail.send_mail(email, "mail/report_confirm.txt", locale, label=found.label, hours=int(ttl.total_seconds() // 3600),
                   confirm_link=public_url("reports.confirm", token=token))


def confirm_report(token):
    """The link a visitor was emailed: the report goes to the moderators."""
    with database.atomic("IMMEDIATE"):
        report = Report.get_or_none((Report.confirm_token_hash == hash_token(token or ""))
                                    & (Report.state == UNCONFIRMED) & (Report.confirm_expires_at > utcnow()))
        if report is None:
            raise NotFound(_("This confirmation link is invalid, already used or expired."))
        report.state, report.confirm_token_hash, report.confirm_expires_at = OPEN, None, None
        report.updated_at = utcnow()
        report.save()
        _opened(report)
    notify_moderators(report)
    return report


def receive(remote_id, reporter, found_items, comment):
    """A report another server sent (its Flag): reporter is its actor, found_items what it names of ours."""
    with database.atomic():
        report = Report.create(uuid=str(uuid_lib.uuid4()), remote_id=remote_id, reporter=reporter,
                               reported=found_items[0].author, reason="other", comment=comment, state=OPEN)
        ReportItem.insert_many([{"report": report.id, "kind": found.kind, "ap_id": found.ap_id, "domain": None,
                                 "label": found.label} for found in found_items]).execute()
    notify_moderators(report)
    return report


def notify_moderators(report):
    """Email every moderator and administrator about a new report, each in their language."""
    staff = Account.select().where(Account.role.in_([ROLE_MODERATOR, ROLE_ADMIN]) & Account.confirmed_at.is_null(False)
                                   & Account.suspended_at.is_null())
    link = public_url("admin_reports.show", report_id=report.id)
    items = list(report.items)
    mail.send_batch(mail.Outgoing(account.email, "mail/report_new.txt", account.locale,
                                  {"report": report, "items": items, "link": link, "reasons": REASON_LABELS})
                    for account in staff)


def report_by_id(report_id):
    """A report the moderators see (not one waiting for its address), else NotFound."""
    report = Report.get_or_none((Report.id == report_id) & Report.state.in_(STATES))
    if report is None:
        raise NotFound(_("There is no such report."))
    return report


def reports_page(state, page=1):
    """One page of the reports in state, newest first, each with its items read, and whether another
    page follows."""
    if state not in STATES:
        raise Invalid(_("Unknown state."))
    query = (Report.select().where(Report.state == state).order_by(Report.created_at.desc(), Report.id.desc())
             .offset((page - 1) * REPORTS_PER_PAGE).limit(REPORTS_PER_PAGE + 1))
    rows = list(prefetch(query, ReportItem.select().order_by(ReportItem.id)))
    return rows[:REPORTS_PER_PAGE], len(rows) > REPORTS_PER_PAGE


def counts():
    """How many reports each state holds."""
    found = dict(Report.select(Report.state, fn.COUNT(Report.id)).where(Report.state.in_(STATES))
                 .group_by(Report.state).tuples())
    return {state: found.get(state, 0) for state in STATES}


def add_note(report, moderator, text):
    """A moderator's note on a report, written in the moderation log too."""
    text = clean_comment(text, NOTE_MAX)
    if not text:
        raise Invalid(_("Write the note."), "text")
    with database.atomic():
        note = ReportNote.create(report=report, moderator=moderator, text=text)
        moderation_log.record(moderator, "report_note", "report", report.id, _label(report), text)
    return note


def set_state(report, moderator, state, reason=""):
    """Open, resolve or close a report; the change goes in the moderation log."""
    if state not in STATES:
        raise Invalid(_("Unknown state."))
    if state == report.state:
        return report
    with database.atomic():
        report.state, report.updated_at = state, utcnow()
        report.save()
        moderation_log.record(moderator, f"report_{state}", "report", report.id, _label(report), reason)
    return report


def _label(report):
    first = report.items.first()
    return first.label if first is not None else ""


def purge_unconfirmed_reports():
    """Forget visitors' reports whose confirmation link expired; returns how many."""
    return delete_in_batches(Report, (Report.state == UNCONFIRMED) & (Report.confirm_expires_at <= utcnow()))
