"""One date of a series, changed or cancelled by its organisers from the event's page."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..dates import span_when
from ..negotiation import negotiated, personal_document, wants_activity_json
from ..services import date_federation, events, occurrence_changes, occurrences
from ..services.errors import Invalid
from .context import event_requester, organised_date, organizer_identity, viewer_ids
from .forms.base import add_error, render_form
from .forms.event_dates import DateChangeForm

bp = Blueprint("event_dates", __name__)


def _confirmed(event, act, done, title, heading, line, button):
    """An action on one date: a confirmation page (posted back to its own address), then act() and the
    event's page saying done."""
    if request.method == "POST":
        act()
        flash(done, "success")
        return redirect(url_for("events.show", uuid=event.uuid))
    return render_template("confirm_delete.html", title=title, heading=heading, lines=[line], button=button,
                           cancel=url_for("events.show", uuid=event.uuid))


@bp.route("/events/<uuid>/dates/<id:occurrence_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(uuid, occurrence_id):
    event, organizer, _row, when = organised_date(uuid, occurrence_id)
    return _confirmed(
        event, lambda: occurrence_changes.cancel_date(event, organizer, occurrence_id),
        _("The date %(when)s is cancelled; its participants were told.", when=when), _("Cancel one date"),
        _("Cancel “%(title)s” on %(when)s?", title=event.title, when=when),
        _("This date is shown as cancelled and its participants are told by email; the other dates stay as they "
          "are."), _("Cancel this date"))


@bp.route("/events/<uuid>/dates/<instant>/restore", methods=["GET", "POST"])
@login_required
def restore(uuid, instant):
    event = events.visible_event(uuid, viewer_ids())
    organizer = organizer_identity(event)
    override = occurrence_changes.cancelled_date(event, instant)
    when = span_when(*occurrences.override_span(event, override), event.zone)
    return _confirmed(
        event, lambda: occurrence_changes.restore_date(event, organizer, override),
        _("The date %(when)s takes place again; its participants were told.", when=when), _("Restore one date"),
        _("Restore “%(title)s” on %(when)s?", title=event.title, when=when),
        _("This date takes place again, as it was before it was cancelled; its participants are told by email."),
        _("Restore this date"))


@bp.route("/events/<uuid>/dates/<id:occurrence_id>/change", methods=["GET", "POST"])
@login_required
def change(uuid, occurrence_id):
    event, organizer, row, when = organised_date(uuid, occurrence_id)
    form = DateChangeForm()
    if request.method == "GET":
        form.fill(row.begins_on, row.ends_on, event.zone, occurrence_changes.override_of(event, row))
    if form.validate_on_submit():
        try:
            occurrence_changes.change_date(event, organizer, occurrence_id, form.data)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("The date %(when)s is changed; its participants were told.", when=when), "success")
            return redirect(url_for("events.show", uuid=event.uuid))
    return render_form("events/date_form.html", form, event=event,
                       heading=_("Change “%(title)s” on %(when)s", title=event.title, when=when),
                       cancel=url_for("events.show", uuid=event.uuid))


@bp.route("/events/<uuid>/dates/<instant>")
@negotiated
def changed_date(uuid, instant):
    """A changed or cancelled date of a series as its own Event (its id), for servers; people go to the
    series' page. Whoever may see the series may see its dates."""
    event = events.visible_event(uuid, viewer_ids())
    override = date_federation.held_date(event, instant)
    if not wants_activity_json():
        return redirect(url_for("events.show", uuid=event.uuid))
    # The date of an event of another server is its server's to give.
    if not event.is_local:
        return redirect(override.ap_id or event.ap_id)
    return personal_document(date_federation.date_document(event, override, event_requester()))
