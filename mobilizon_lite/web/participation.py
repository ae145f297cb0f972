"""Joining and leaving events (every date of a series, or one), the organisers' participants page, and
anonymous participation."""
import csv
import io

from flask import Blueprint, Response, flash, get_template_attribute, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..dates import span_when, utc_text
from ..models.participation import NOT_APPROVED, ROLES, WAITLISTED
from ..page_cache import hole, shared_holed
from ..services import (
    anonymous,
    date_joins,
    decisions,
    event_access,
    events,
    occurrence_changes,
    participation,
    reminder_mail,
    reminders,
)
from ..services.errors import Full, Invalid, RegistrationsElsewhere, refusal
from ..urls import page_number
from .context import account_identities, chosen_identity, identity_choices, organizer_identity, private_page, viewer_ids
from .forms.base import require_valid
from .forms.events import AnonymousJoinForm, InviteForm, JoinForm

bp = Blueprint("participation", __name__)

# A page of a few hundred rows, each with its buttons, weighed more than half a megabyte; the
# export has them all.
PARTICIPANTS_PER_PAGE = 50

ROLE_LABELS = {
    "creator": _l("creator"), "moderator": _l("moderator"), "participant": _l("participant"),
    "not_approved": _l("awaiting approval"), "not_confirmed": _l("email not confirmed"),
    "rejected": _l("rejected"), "waitlisted": _l("on the waiting list"),
}


def back_to(event):
    return redirect(url_for("events.show", uuid=event.uuid))


def in_line_message(result):
    """What a person put on the waiting list is told, with their place in line."""
    return _("The event is full: you are number %(position)d on the waiting list. If a seat frees up, it is "
             "yours and you get an email.", position=participation.waiting_position(result))


def flash_outcome(result, awaiting, taking_part):
    """Say what a join gave: awaiting (the organisers' approval), a place in line, or taking_part."""
    if result.role == NOT_APPROVED:
        flash(awaiting, "success")
    elif result.role == WAITLISTED:
        flash(in_line_message(result), "success")
    else:
        flash(taking_part, "success")


def posted_join_form(uuid):
    """(event, validated join form, identity chosen in it) for a join or leave button."""
    event = events.visible_event(uuid, viewer_ids())
    form = JoinForm()
    identity_choices(form.identity)
    require_valid(form)
    return event, form, chosen_identity(form.identity)


@bp.route("/events/<uuid>/join", methods=["POST"])
@login_required
def join(uuid):
    event, form, identity = posted_join_form(uuid)
    try:
        result = participation.join(event, identity, form.message.data)
    except RegistrationsElsewhere:
        return back_to(event)  # whose page now says so, with the link to register there
    except Full as error:
        flash(error.message, "error")  # said on the event's page, where the seats are shown
        return back_to(event)
    if not event.is_local:
        flash(_("Your request is sent to %(server)s. You take part once it answers.",
                server=event.organizer.domain), "success")
    elif result.role == NOT_APPROVED:
        flash(_("Your request is sent. The organisers will approve it or not; you will get an email."), "success")
    elif result.role == WAITLISTED:
        flash(in_line_message(result), "success")
    else:
        flash(_("You take part in this event."), "success")
    return back_to(event)


@bp.route("/events/<uuid>/reminders/<choice>", methods=["POST"])
@login_required
def event_reminders(uuid, choice):
    if choice not in ("off", "on"):
        raise Invalid(_("Unknown action."))
    event, _form, identity = posted_join_form(uuid)
    reminders.set_event_reminders(event, identity, choice == "off")
    flash(_("You will get no reminders for this event.") if choice == "off"
          else _("You will be reminded of this event."), "success")
    return back_to(event)


@bp.route("/events/<uuid>/leave", methods=["POST"])
@login_required
def leave(uuid):
    event, _form, identity = posted_join_form(uuid)
    participation.leave(event, identity)
    flash(_("You no longer take part in this event."), "success")
    return back_to(event)


@bp.route("/events/<uuid>/dates/<id:occurrence_id>/join", methods=["POST"])
def join_date(uuid, occurrence_id):
    # Exempt from the site-wide CSRF check for visitors (see VisitorForm): JoinForm checks its own token.
    if not current_user.is_authenticated:
        return _request_date(uuid, occurrence_id)
    event, form, identity = posted_join_form(uuid)
    try:
        result = date_joins.join_date(event, identity, occurrence_id, form.message.data)
    except Full as error:
        flash(error.message, "error")  # said on the event's page, beside the date
        return back_to(event)
    flash_outcome(result, _("Your request for this date is sent. The organisers will approve it or not; you "
                            "will get an email."), _("You take part in this date."))
    return back_to(event)


def _request_date(uuid, occurrence_id):
    """A visitor's join of a date: the confirmation link emailed, as for joining every date."""
    event = events.visible_event(uuid, viewer_ids())
    form = AnonymousJoinForm()
    require_valid(form)
    date_joins.request_date(event, occurrence_id, form.email.data, form.message.data, str(get_locale()),
                            request.remote_addr, form.name.data, form.email_shown.data)
    return render_template("events/anonymous_sent.html", event=event), 200


@bp.route("/events/<uuid>/dates/<id:occurrence_id>/leave", methods=["POST"])
@login_required
def leave_date(uuid, occurrence_id):
    event, _form, identity = posted_join_form(uuid)
    date_joins.leave_date(event, identity, occurrence_id)
    flash(_("You no longer take part in this date."), "success")
    return back_to(event)


# In the decision buttons rendered once per kind, where each participation's number goes.
NUMBER = "__number__"


def chosen_date(event):
    """(the stored date the participants page and export are asked for (?date=, its id), or None; its
    RECURRENCE-ID, or None for all dates); a 4xx for a date that is not the event's."""
    asked = request.args.get("date") or None
    if asked is None:
        return None, None
    if not asked.isdigit():
        raise Invalid(_("Unknown date."))
    return int(asked), date_joins.recurrence_of(event, int(asked))


def date_label(event, recurrence_id):
    """A participation's date in words: one date of a series, or all of them."""
    return _("every date") if recurrence_id is None else span_when(recurrence_id, None, event.zone)


def _participants_part(event, role, page, date_id, date):
    """The participants page's list as every organiser sees it: filters, table and pager (with a hole
    for the viewer's CSRF token)."""
    rows = participation.participants_page(event, role, page, PARTICIPANTS_PER_PAGE, date)
    shown = rows[:PARTICIPANTS_PER_PAGE]
    # Buttons written per row by the template cost more than the rest of the list: rows offered the
    # same decisions share one rendering, given each row's number.
    buttons = get_template_attribute("events/_decision_buttons.html", "buttons")
    row_path = f"{url_for('participation.participants', uuid=event.uuid)}/{NUMBER}"
    kinds, controls = {}, {}
    for number, offered in decisions.decisions_for(event, shown).items():
        kind = frozenset(offered)
        if kind not in kinds:
            kinds[kind] = str(buttons(row_path, kind))
        controls[number] = Markup(kinds[kind].replace(NUMBER, str(number)))
    return render_template(
        "events/_participants.html", event=event, role=role, hole=hole,
        role_labels={value: str(label) for value, label in ROLE_LABELS.items()},  # translated once, not per row
        participants=shown, controls=controls, counts=participation.role_counts(event, date), page=page,
        has_next=len(rows) > PARTICIPANTS_PER_PAGE, date_id=date_id,
        dates=[(listed.date_id, span_when(listed.begins_on, listed.ends_on, event.zone))
               for listed in occurrence_changes.listed_dates(event) if listed.date_id] if event.repeats else [],
        date_labels={row.recurrence_id: date_label(event, row.recurrence_id) for row in shown},
    ), None


@bp.route("/events/<uuid>/participants")
@login_required
def participants(uuid):
    event = events.visible_event(uuid, viewer_ids())
    organizers = event_access.organizer_ids(event)  # read once for both checks
    organizer = event_access.organizer_among(event, account_identities(), organizers)
    event_access.require_organizer(event, organizer, organizers)
    role = request.args.get("role") or None
    if role is not None and role not in ROLES:
        raise Invalid(_("Unknown role."))
    page = page_number(request.args.get("page"))
    date_id, date = chosen_date(event)
    # Every organiser sees the same list: it is rendered once per change of the content.
    listing = shared_holed(lambda: _participants_part(event, role, page, date_id, date)).fill(
        {"csrf": generate_csrf()})
    return render_template(
        "events/participants.html", event=event, listing=listing,
        invite_form=None if refusal(participation.check_invite, event, organizer, organizers) else InviteForm(),
    )


def spreadsheet_safe(value):
    """A cell that spreadsheet programs show as text, never run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/events/<uuid>/participants.csv")
@login_required
def participants_csv(uuid):
    event = events.visible_event(uuid, viewer_ids())
    organizer_identity(event)
    output = io.StringIO()
    writer = csv.writer(output)
    _date_id, date = chosen_date(event)
    writer.writerow([_("Name"), _("Username"), _("Role"), _("Message"), _("Since"), _("Email")]
                    + ([_("Date")] if event.repeats else []))
    for row in participation.participants(event, date=date):
        if row.actor_id is None:
            # What the anonymous participant chose to show: a name, and the address if they allowed it.
            name, username = row.name or _("Anonymous participant"), ""
            email = row.email if row.email_shown else ""
        else:
            name, username, email = row.actor.display_name, row.actor.handle, ""
        writer.writerow([spreadsheet_safe(cell) for cell in (
            name, username, ROLE_LABELS[row.role], row.message,
            utc_text(row.created_at), email, *([date_label(event, row.recurrence_id)] if event.repeats else []))])
    return Response(
        "\ufeff" + output.getvalue(),  # the BOM lets spreadsheet programs read UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="participants-{event.uuid}.csv"'},
    )


@bp.route("/events/<uuid>/participants/<id:participation_id>/<action>", methods=["POST"])
@login_required
def decide(uuid, participation_id, action):
    event = events.visible_event(uuid, viewer_ids())
    organizer = organizer_identity(event)
    if action not in decisions.DECISIONS:
        raise Invalid(_("Unknown action."))
    try:
        decisions.DECISIONS[action](event, organizer, participation_id)
    except Full:
        flash(_("The event is full: raise the number of seats, or wait for a seat to free up, to approve "
                "this person."), "error")
        return redirect(url_for("participation.participants", uuid=uuid))
    flash({"approve": _("The participant is approved and told by email."),
           "reject": _("The participant is rejected and told by email."),
           "remove": _("The participant is removed."),
           "promote": _("The participant is now a co-organiser.")}[action], "success")
    return redirect(url_for("participation.participants", uuid=uuid))


@bp.route("/events/<uuid>/invite", methods=["POST"])
@login_required
def invite(uuid):
    event = events.visible_event(uuid, viewer_ids())
    organizer = organizer_identity(event)
    form = InviteForm()
    require_valid(form)
    identity = participation.invite(event, organizer, form.username.data)
    flash(_("@%(username)s is invited.", username=identity.preferred_username), "success")
    return redirect(url_for("participation.participants", uuid=uuid))


@bp.route("/events/<uuid>/anonymous", methods=["POST"])
def join_anonymously(uuid):
    event = events.visible_event(uuid, viewer_ids())
    form = AnonymousJoinForm()
    require_valid(form)
    anonymous.request_anonymous(event, form.email.data, form.message.data, str(get_locale()),
                                request.remote_addr, form.name.data, form.email_shown.data)
    return render_template("events/anonymous_sent.html", event=event), 200


@bp.route("/participation/confirm/<token>", methods=["GET", "POST"])
@private_page
def confirm_anonymous(token):
    # Mail scanners open links: confirming takes a click (POST), not just a visit.
    if request.method == "GET":
        return render_template("events/anonymous_confirm.html", event=anonymous.awaiting_confirmation(token).event)
    try:
        result = anonymous.confirm_anonymous(token)
    except Full as error:
        event = anonymous.awaiting_confirmation(token).event
        flash(error.message, "error")
        return back_to(event)
    # Post/Redirect/Get: the event's page says what became of it, and a reload sends nothing again.
    flash_outcome(result, _("Your email is confirmed. The organisers will approve your participation or not; "
                            "you will get an email."), _("Your participation is confirmed. See you there!"))
    return back_to(result.event)


@bp.route("/participation/cancel/<token>", methods=["GET", "POST"])
@private_page
def cancel_anonymous(token):
    record = anonymous.anonymous_by_cancel_token(token)
    if request.method == "GET":
        return render_template("events/anonymous_cancel.html", token=token, event=record.event,
                               participations_link=anonymous.participations_link(record.email))
    event = anonymous.cancel_anonymous(token)
    flash(_("Your participation is cancelled."), "success")
    return back_to(event)


@bp.route("/participation/mine/<token>")
@private_page
def anonymous_participations(token):
    email, listed = anonymous.participations_by_token(token)
    return render_template("events/anonymous_participations.html", email=email, participations=listed,
                           token=token)


@bp.route("/participation/mine/<token>/<id:participation_id>/cancel", methods=["POST"])
@private_page
def cancel_listed(token, participation_id):
    event = anonymous.cancel_listed(token, participation_id)
    flash(_("Your participation in “%(title)s” is cancelled.", title=event.title), "success")
    return redirect(url_for("participation.anonymous_participations", token=token))


@bp.route("/reminders/stop/<token>", methods=["GET", "POST"])
@private_page
def stop_reminders(token):
    event = reminder_mail.participation_by_off_token(token).event
    # As for confirmations: mail scanners open links, so stopping takes the click of a button.
    if request.method == "GET":
        return render_template("confirm.html", heading=_("No more reminders for “%(title)s”?", title=event.title),
                               button=_("Stop the reminders"))
    reminder_mail.stop_by_link(token)
    flash(_("You will get no reminders for this event."), "success")
    return back_to(event)
