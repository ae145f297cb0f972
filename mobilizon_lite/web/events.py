"""Event pages: create, show, edit, delete, the account's events, and uploaded pictures."""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..activitypub.convert.event_date import instant_text
from ..dates import span_when
from ..db import utcnow
from ..models import Event
from ..models.events import Status
from ..models.participation import SEAT_ROLES, WAITLISTED
from ..negotiation import negotiated, personal_document, wants_activity_json
from ..page_cache import TOKEN, shared, viewer_part, with_token
from ..services import (
    anonymous,
    date_joins,
    event_access,
    event_federation,
    event_messages,
    events,
    group_events,
    my_events,
    occurrence_changes,
    occurrences,
    participation,
    rate_limits,
    recurrence,
    remote_participation,
    seats,
    thumbnails,
    time_zones,
)
from ..services.errors import Invalid, TooMany, refusal
from ..services.pictures import upload_folder
from ..urls import page_number
from .context import (
    account_identities,
    chosen_identity,
    commenter_identity,
    current_identity,
    event_requester,
    identity_choices,
    organised_date,
    organizer_identity,
    viewer_ids,
)
from .errors import retry_after
from .event_town import saved_with_town, town_found, with_coordinates
from .forms.base import add_error, confirmed_deletion, render_form
from .forms.events import (
    CATEGORY_LABELS,
    LINK_TYPE_LABELS,
    AnonymousJoinForm,
    EventForm,
    JoinForm,
    language_choices,
    show_times,
    timezone_choices,
)
from .once import once
from .threads import comment_form_html, thread_html

bp = Blueprint("events", __name__)

# Events of each kind a page of My events shows: an account's whole history made pages that grew
# without end (hundreds of rows for an active organiser).
MY_EVENTS_PER_GROUP = 25
# Browsers and caches keep a thumbnail a year, the longest max-age in common use: it never changes.
IMMUTABLE_SECONDS = 365 * 24 * 3600


def event_form(event=None):
    """The event form, with its choices, filled from event on first display."""
    form = EventForm()
    if event is None:
        identity_choices(form.identity)
        form.offer_groups(group_events.organising_groups(account_identities()))
    else:
        # The organiser (and its group) of an existing event does not change.
        del form.identity
        del form.group
        if event.is_cancelled:
            form.keep_cancelled()
    form.timezone.choices = timezone_choices(time_zones.common_zones())
    form.language.choices = language_choices()
    if form.is_submitted():
        form.offer_repeated_times()
        form.offer_repetitions()
        return form
    if event is None:
        form.timezone.data = time_zones.proposed_zone(current_identity())
        form.offer_repetitions()
        return form
    zone = event.zone
    # A series is edited from its first date.
    begins_on, ends_on = event.first_span
    data = {name: getattr(event, name) for name in form._fields if hasattr(Event, name)}
    data.update(description=event.description_source, tags=", ".join(event.tags), links=event.links, picture=None,
                **repetition_data(event))
    form.process(formdata=None, data=data)
    show_times(form, begins_on, ends_on, zone)
    form.offer_repeated_times()
    form.offer_repetitions()
    return form


def repetition_data(event):
    """The "Repeats" fields of the event form as the event's rule fills them."""
    if not event.repeats:
        return {}
    return recurrence.form_fields(occurrences.rule_of(event), occurrences.series_start(event), event.exdates)


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
@once
def create():
    form = event_form()
    if request.method == "POST" and "find_town" in request.form:
        return town_found(form)
    if form.validate_on_submit() and (data := with_coordinates(form)) is not None:
        organizer, group = organizer_and_group(form)
        try:
            rate_limits.check(organizer, "events")
        except TooMany as error:
            # The form is shown again, filled in, to be sent once the limit allows.
            add_error(form, error)
            return render_form("events/form.html", form, event=None)[0], 429, retry_after(error)
        try:
            event = events.create_event(organizer, data, picture=form.picture.data or None, group=group)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("Your event is published."), "success")
            saved_with_town(form, data)
            return redirect(url_for("events.show", uuid=event.uuid))
    return render_form("events/form.html", form, event=None)


def organizer_and_group(form):
    """(organiser, group or None) a validated new event form chose: as a group, the organiser is the
    account's identity that acts in it, whichever identity the form named."""
    if not form.group.data:
        return chosen_identity(form.identity), None
    return form.offered_groups[form.group.data]


@bp.route("/events/<uuid>")
@negotiated
@shared(unless=lambda: "Signature" in request.headers)
def show(uuid):
    event = events.visible_event(uuid, viewer_ids())
    if wants_activity_json():
        # The document of an event of another server is its server's to give.
        if not event.is_local:
            return redirect(event.ap_id)
        return event_json(event)
    # An event of another server also shows what became of the Joins sent there (deliveries, which
    # change all the time): such a page is made anew for every request.
    if not current_user.is_authenticated or not event.is_local:
        return render_template("events/show.html", event=event, content=with_token(event_content(event)))
    # What a logged-in person's page shows is theirs alone and changes only with what the page shows
    # (the content version), the time or the identity they act as: kept for them, the event read again
    # in the build so that nothing older than the version it is kept under goes in.
    identities, acting = account_identities(), current_identity()
    viewer = ("event", current_user.id, tuple(identity.id for identity in identities), acting and acting.id)
    content = viewer_part(viewer, lambda: event_content(events.visible_event(uuid, viewer_ids())))
    return render_template("events/show.html", event=event, content=content)


def event_content(event):
    """The event page's article as the viewer sees it, forms holding page_cache.TOKEN for their token."""
    going = seats.going_count(event)
    identities = account_identities()
    mine, organizers = participation.participations_of(event, identities) if identities else ([], set())
    # Seats on single dates make way for a seat on every date: their holders' count is the services' own.
    dated_seats = {row.actor_id for row in mine if row.recurrence_id is not None and row.role in SEAT_ROLES}
    # Participations in one date of a series are shown beside their dates.
    mine = [row for row in mine if row.recurrence_id is None]
    # Each check reads what the page has read already: no query per identity and per check.
    known = {row.actor_id: row for row in mine}
    known_seats = going if event.is_local else None

    def seats_for(identity):
        return None if identity is not None and identity.id in dated_seats else known_seats

    # The page offers each identity what the services will let it do, and nothing more.
    actions = {identity.id: participation.actions_for(event, identity, organizers, known.get(identity.id),
                                                      seats_for(identity))
               for identity in identities}
    offered = (set().union(*actions.values()) if identities
               else participation.actions_for(event, None, going=known_seats))
    # Forms with a token only for people who may post them: a visitor's page is kept for every visitor.
    join_form, join_refusal, comment_form, commenter = None, None, None, None
    joiners = [identity for identity in identities if "join" in actions[identity.id]]
    if joiners and not mine:
        join_form = JoinForm(meta={"csrf": False})  # its template writes the token
        identity_choices(join_form.identity, joiners)
    elif "join" not in offered:
        acting = current_identity()
        join_refusal = refusal(participation.check_join, event, acting,
                               known.get(acting.id) if acting else None, seats_for(acting))
    acting = commenter_identity(event, organizers) if identities else None
    commenters = [identity for identity in identities if "comment" in actions[identity.id]]
    if commenters:
        # An identity that cannot comment (a private event seen through another one) gives way.
        commenter = acting if acting in commenters else commenters[0]
        comment_form = comment_form_html(event, commenters, commenter)
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    return render_template(
        "events/_show_content.html",
        csrf_token=lambda: TOKEN,
        event=event,
        going=going,
        remaining=seats.remaining_seats(event, going),
        my_participations=mine,
        waiting_positions={row.id: participation.waiting_position(row) for row in mine if row.role == WAITLISTED},
        # Reminders are offered, or stopped, while the event is still ahead.
        reminders_offered=not event.is_cancelled and event.begins_on > utcnow(),
        actions=actions,
        offered=offered,
        registrations_elsewhere=remote_participation.registrations_elsewhere(event, mine),
        join_form=join_form,
        join_refusal=join_refusal,
        anonymous_form=(None if current_user.is_authenticated or refusal(anonymous.check_anonymous, event)
                        else AnonymousJoinForm()),
        comment_form=comment_form,
        comment_thread=thread_html(event, identities, acting, organizers, commenter),
        online_address=event_access.online_address_for(event, viewer),
        links=event_access.links_for(event, viewer),
        category_labels=CATEGORY_LABELS,
        link_type_labels=LINK_TYPE_LABELS,
        messages=event_messages.shown_to(event, mine, "manage" in offered),
        repetition=repetition_and_dates(event, current_identity() if identities else None),
    )


def repetition_and_dates(event, acting):
    """(the rule in words, the next dates as (in words, occurrence_changes.ListedDate, the instant naming a
    cancelled one not begun in its restore link, else None, what the acting identity (None: a visitor) may
    do on it: a date_joins.DateChoice, or None)) of a repeated event, else None."""
    if not event.repeats:
        return None
    now = utcnow()
    listed = occurrence_changes.listed_dates(event, now)
    choices = date_joins.date_choices(event, acting, listed) or [None] * len(listed)
    return occurrences.summary(event), [
        (span_when(item.begins_on, item.ends_on, event.zone), item,
         instant_text(item.override.recurrence_id)
         if item.override and item.override.cancelled and item.begins_on > now else None, choice)
        for item, choice in zip(listed, choices, strict=True)]


def event_json(event):
    """The event's document for whoever asks (context.event_requester)."""
    return personal_document(event_federation.event_document(event, event_requester()))


@bp.route("/events/<uuid>/edit", methods=["GET", "POST"])
@login_required
def edit(uuid):
    event = events.visible_event(uuid, viewer_ids())
    organizer = organizer_identity(event)
    form = event_form(event)
    if request.method == "POST" and "find_town" in request.form:
        return town_found(form, event)
    if form.validate_on_submit() and (data := with_coordinates(form, event)) is not None:
        try:
            events.update_event(event, organizer, data, picture=form.picture.data or None,
                                remove_picture=form.remove_picture.data)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("The event is saved. Participants were told about any change of date or place."),
                  "success")
            saved_with_town(form, data)
            return redirect(url_for("events.show", uuid=event.uuid))
    return render_form("events/form.html", form, event=event)


@bp.route("/events/<uuid>/dates/<id:occurrence_id>/following", methods=["GET", "POST"])
@login_required
def following(uuid, occurrence_id):
    event, organizer, row, _when = organised_date(uuid, occurrence_id)
    if not occurrence_changes.splits_series(event, row):
        return redirect(url_for("events.edit", uuid=event.uuid))
    form = event_form(event)
    if request.method == "GET":
        # The series' values, from this date on.
        show_times(form, row.begins_on, row.ends_on, event.zone)
        count, excluded = occurrence_changes.following_repetition(event, row)
        form.repeat_exdates.data = ", ".join(excluded)
        if count is not None:
            form.repeat_count.data = count
    if form.validate_on_submit() and (data := with_coordinates(form, event)) is not None:
        # The following dates are a new event: counted as the new-event page counts one (429 over it).
        rate_limits.check(organizer, "events")
        try:
            new = occurrence_changes.split_series(event, organizer, occurrence_id, data,
                                                  picture=form.picture.data or None,
                                                  remove_picture=form.remove_picture.data)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("The series now ends before this date; the dates from it on are a new event. Those who "
                    "joined every date stay on the earlier ones; those who joined one of these dates follow it."),
                  "success")
            return redirect(url_for("events.show", uuid=new.uuid))
    return render_form("events/form.html", form, event=event,
                       heading=_("Change this date and the following ones"))


@bp.route("/events/<uuid>/cancel", methods=["GET", "POST"])
@login_required
def cancel(uuid):
    return status_confirmed(
        uuid, Status.CANCELLED, _("The event is cancelled. Its participants are told by email."),
        title=_("Cancel the event"), heading=_("Cancel “%(title)s”?"), button=_("Cancel the event"),
        lines=[_("The event stays visible, marked as cancelled, in listings and calendars; its participants "
                 "are told by email. You can restore it later.")])


@bp.route("/events/<uuid>/restore", methods=["GET", "POST"])
@login_required
def restore(uuid):
    return status_confirmed(
        uuid, Status.CONFIRMED, _("The event takes place again."),
        title=_("Restore the event"), heading=_("Restore “%(title)s”?"), button=_("Restore the event"),
        lines=[_("The event is shown as taking place again, with its participants as they were.")])


def status_confirmed(uuid, status, done_message, heading, **page):
    """The page confirming an organiser's change of the event's status (heading naming its title) and,
    posted, the change."""
    event = events.visible_event(uuid, viewer_ids())
    organizer = organizer_identity(event)
    back = url_for("events.show", uuid=event.uuid)
    return confirmed_deletion(lambda: events.set_status(event, organizer, status), done_message, back,
                              heading=heading % {"title": event.title}, cancel=back,
                              cancel_label=_("Back to the event"), **page)


@bp.route("/events/<uuid>/delete", methods=["GET", "POST"])
@login_required
def delete(uuid):
    event = events.visible_event(uuid, viewer_ids())
    organizer = organizer_identity(event)
    if request.method == "POST":
        events.delete_event(event, organizer)
        flash(_("The event “%(title)s” is deleted.", title=event.title), "success")
        return redirect(url_for("events.mine"))
    return render_template(
        "confirm_delete.html", title=_("Delete the event"), heading=_("Delete “%(title)s”?", title=event.title),
        lines=[_("The event, its participants and its comments disappear for good. To keep it visible while telling "
                 "people it will not happen, cancel it instead (the “Cancel the event” link of its page).")],
        button=_("Delete the event"), cancel=url_for("events.show", uuid=event.uuid))


@bp.route("/my-events")
@login_required
def mine():
    past, page = request.args.get("past") == "1", page_number(request.args.get("page"))
    ids = viewer_ids()

    def lists():
        groups = my_events.my_events(ids, past, page, MY_EVENTS_PER_GROUP)
        return render_template(
            "events/_mine_lists.html", groups={name: rows[:MY_EVENTS_PER_GROUP] for name, rows in groups.items()},
            past=past, page=page, has_next=any(len(rows) > MY_EVENTS_PER_GROUP for rows in groups.values()))

    # Kept for the account by the identities it lists the events of: its own page, opened again and again.
    viewer = (current_user.id, tuple(sorted(ids)))
    return render_template("events/mine.html", past=past, lists=viewer_part(viewer, lists))


@bp.route("/uploads/<name>")
def upload(name):
    folder = upload_folder()
    if not name.endswith(thumbnails.SUFFIX):
        return send_from_directory(folder, name, max_age=7 * 24 * 3600)
    # A picture stored before thumbnails existed gets its thumbnail at its first card's request.
    if not thumbnails.ensure_thumbnail(folder, name):
        abort(404)
    response = send_from_directory(folder, name, max_age=IMMUTABLE_SECONDS)
    # Its name is its picture's, random and never given to another: it never changes.
    response.cache_control.immutable = True
    return response
