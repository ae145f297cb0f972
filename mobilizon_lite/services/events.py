"""Events: create, change, cancel, delete, and the one visibility filter every listing uses."""
import uuid as uuid_lib

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from peewee import JOIN, fn

from .. import mail
from ..activitypub import audience, blocklist
from ..activitypub.convert.activities import change_to_ap
from ..activitypub.convert.event import event_to_ap
from ..activitypub.convert.tombstone import tombstone_to_ap
from ..activitypub.publish import new_activity_id, publish, withhold
from ..dates import event_when
from ..db import database, utcnow
from ..models import Account, Actor, Comment, Event, EventInvitation, Member, Participation
from ..models.events import Status, Visibility
from ..models.groups import Role
from ..models.participation import (
    CREATOR,
    GOING_ROLES,
    NOT_APPROVED,
    ORGANIZER_ROLES,
    REJECTED,
    SEAT_ROLES,
    WAITLISTED,
)
from ..tokens import sign, unsign
from ..urls import public_url
from . import (
    event_cards,
    follows,
    group_digest,
    group_outbox,
    group_private_outbox,
    group_roles,
    occurrences,
    pictures,
    relays,
    reminders,
)
from .errors import Gone, NotFound, PermissionDenied
from .event_input import clean_event_input
from .prepared import Value, prepared, shaped
from .rows import EventRow, read_with_actors, with_actors, with_actors_query

CANCEL_PURPOSE = "anonymous-cancel"
# Links that are online addresses too: they follow the online address's rule.
ONLINE_LINK_TYPES = ("visio", "live")
# Changes that participants are emailed about.
WATCHED_FIELDS = ("begins_on", "ends_on", "timezone", "place_name", "street", "postal_code",
                  "locality", "region", "country", "online_url", "rrule", "exdates")


def roles_allowing(action):
    """The group roles group_roles lets do action, for queries that filter on Member.role."""
    return tuple(role for role in Role if group_roles.allows(role, action))


# Members see their group's private events; those who manage its events organise every one of them.
SEEING_ROLES = roles_allowing("see_members_only")
# Its own alias: listings join Actor for who their cards name.
SUSPENDED = Actor.alias("suspended_actor")
ORGANISING_ROLES = roles_allowing("manage_events")


def visible(viewer_ids=(), listed=True):
    """The condition that hides events from those who may not see them.

    Listings (listed=True) show public events; a direct link also opens unlisted ones; private
    events are visible only to their organiser, participants and invitees among the viewer's identities,
    and for a group's event to the group's members. Nobody sees the events of a suspended organiser.
    """
    condition = Event.visibility == Visibility.PUBLIC
    if not listed:
        condition |= Event.visibility == Visibility.UNLISTED
    if viewer_ids:
        ids = list(viewer_ids)
        involved = Participation.select(Participation.event).where(
            Participation.actor.in_(ids) & Participation.role.not_in([REJECTED])
        )
        invited = EventInvitation.select(EventInvitation.event).where(EventInvitation.actor.in_(ids))
        # One subquery for every event listed: the groups the viewer belongs to.
        groups = Member.select(Member.group).where(Member.actor.in_(ids) & Member.role.in_(SEEING_ROLES))
        condition |= (Event.organizer.in_(ids) | Event.id.in_(involved) | Event.id.in_(invited)
                      | Event.attributed_to.in_(groups))
    return condition & Event.organizer.not_in(SUSPENDED.select(SUSPENDED.id).where(SUSPENDED.suspended))


def may_see_online_address(event, viewer=None):
    """Whether viewer may see the event's online address (video call, stream).

    Whoever sees an event anyone may join sees it; when the organisers choose who takes part
    (approval or invitation), only those taking part and the organisers do. viewer is an Actor,
    an Account (any of its identities), a Participation (an email's recipient), or None (visitors,
    public feeds, documents sent or served to anyone).
    """
    if not event.chooses_participants:
        return True
    if viewer is None:
        return False
    if isinstance(viewer, Participation):
        return viewer.event_id == event.id and viewer.role in GOING_ROLES
    ids = ([row.id for row in Actor.select(Actor.id).where(Actor.account == viewer)]
           if isinstance(viewer, Account) else [viewer.id])
    return event.organizer_id in ids or bool(group_organizer_ids(event) & set(ids)) or Participation.select().where(
        (Participation.event == event) & Participation.actor.in_(ids)
        & Participation.role.in_(GOING_ROLES)).exists()


def online_address_for(event, viewer=None):
    """The event's online address as viewer sees it: "" when may_see_online_address says no."""
    return event.online_url if event.online_url and may_see_online_address(event, viewer) else ""


def public_links(event):
    """The event's links less its video calls and streams (and any copy of its online address)."""
    return [link for link in event.links
            if link["type"] not in ONLINE_LINK_TYPES and link["url"] != event.online_url]


def links_for(event, viewer=None):
    """The event's links as viewer sees them (viewer as for may_see_online_address)."""
    return event.links if may_see_online_address(event, viewer) else public_links(event)


def require_visible_to(event, actor):
    """NotFound unless this one identity may see the event.

    Pages check visibility for the whole account; acting on a private event as another of its
    identities would show the organisers that the two identities belong together.
    """
    if event.is_public or event.is_unlisted:
        return  # what visible() lets anyone open by its link: no query needed
    if not Event.select().where((Event.id == event.id) & visible([actor.id], listed=False)).exists():
        raise NotFound(_("This event does not exist, or is not visible to you."))


def events_query():
    """Events with their organiser loaded."""
    return Event.select(Event, Actor).join(Actor, on=(Event.organizer == Actor.id))


def listing_query():
    """Events joined to who organises them as their cards name it: the group, for a group's events (the
    member who created one is named on the event's page only, where the group allows it)."""
    return Event.select().join(Actor, on=(Actor.id == fn.COALESCE(Event.attributed_to, Event.organizer)))


def stored_moment(moment):
    """moment as the database stores it (a prepared query's Value passes as it is)."""
    return moment if isinstance(moment, Value) else Event.begins_on.db_value(moment)


def ends_since(moment):
    """The condition: the event ends (or, without an end, starts) at or after moment."""
    # A function's result gets no field conversion: compare with the stored text form.
    return fn.COALESCE(Event.ends_on, Event.begins_on) >= stored_moment(moment)


def by_time(query, past=False, now=None):
    """Events not yet over, soonest first; or (past) those over, latest first (now: utcnow() unless given)."""
    now = utcnow() if now is None else now
    if past:
        return query.where(~ends_since(now)).order_by(Event.begins_on.desc())
    return query.where(ends_since(now)).order_by(Event.begins_on)


@shaped(lambda _shape: 3)
def _public_listing(shape, now, limit, offset):
    past, local_only, silencing = shape
    query = listing_query().where(visible())
    if local_only:
        query = query.where(Actor.domain.is_null())
    elif silencing:
        query = query.where(blocklist.not_silenced(Actor.domain))
    return with_actors_query(by_time(query, past, now).limit(limit).offset(offset), EventRow)


def upcoming_public(page, per_page, past=False, local_only=False):
    """One page of public events, upcoming soonest first (or past, latest first); local_only hides remote
    ones; those of silenced servers are never listed."""
    # One row more than a page tells whether a next page exists.
    rows = read_with_actors(_public_listing((past, local_only, blocklist.any_silenced())).rows(
        stored_moment(utcnow()), per_page + 1, (page - 1) * per_page), EventRow)
    event_cards.count_participants(rows)
    return rows


@prepared(1)
def _event_by_uuid(uuid):
    return events_query().where(Event.uuid == uuid)


def visible_event(uuid, viewer_ids=()):
    """The event with this uuid when the viewer may see it; NotFound otherwise (no 403: no leak)."""
    event = _event_by_uuid.first(uuid)
    # What anyone may open by its link needs no question about the viewer (the longest query to build).
    if event is not None and event.organizer.suspended:
        raise Gone(_("This event's organiser is suspended."))
    if event is None or not (event.is_public or event.is_unlisted or (viewer_ids and Event.select().where(
            (Event.id == event.id) & visible(viewer_ids, listed=False)).exists())):
        raise NotFound(_("This event does not exist, or is not visible to you."))
    return event


def organizer_ids(event):
    """Ids of the identities that organise the event: its creator, co-organisers and, for a group's
    event, the group's members whose role lets them manage its events."""
    return ({actor_id for (actor_id,) in _organizer_rows.rows(event.id)} | {event.organizer_id}
            | group_organizer_ids(event))


def group_organizer_ids(event):
    """Ids of the identities that organise the event as its group's moderators (none for other events)."""
    # A group of another server keeps its members' roles there: its events are edited there too.
    if event.attributed_to_id is None or not event.is_local:
        return set()
    return {actor_id for (actor_id,) in _group_organizer_rows.rows(event.attributed_to_id)}


@prepared(1)
def _group_organizer_rows(group_id):
    return Member.select(Member.actor).where((Member.group == group_id) & Member.role.in_(ORGANISING_ROLES)).tuples()


@prepared(1)
def _organizer_rows(event_id):
    return Participation.select(Participation.actor).where(
        (Participation.event == event_id) & Participation.role.in_(ORGANIZER_ROLES)).tuples()


def may_organise(event, actor, organizers=None):
    """Whether this one identity may organise the event: edit, cancel, delete it and decide who takes
    part (organizers: its organizer_ids, if known). Every such check asks this."""
    return actor is not None and actor.id in (organizer_ids(event) if organizers is None else organizers)


def organizer_among(event, identities, organizers=None):
    """The first of these identities that organises the event, or None (organizers: its organizer_ids, if known).

    Only an identity that organises it is ever chosen: for a group's event, the one that is a member."""
    ids = organizer_ids(event) if organizers is None else organizers
    return next((identity for identity in identities if may_organise(event, identity, ids)), None)


def require_organizer(event, actor, organizers=None):
    """PermissionDenied unless actor organises the event (organizers: its organizer_ids, if known)."""
    if not may_organise(event, actor, organizers):
        raise PermissionDenied(_("Only the organisers of this event can do this."))


def create_event(organizer, data, picture=None, group=None):
    """Publish a new event organised by one identity (for group, when given: a group it moderates);
    the organiser takes part as creator."""
    if group is not None:
        group_roles.require(group, organizer, "manage_events")
    values = occurrences.series_columns(clean_event_input(data))
    picture_name = pictures.save_picture(picture) if picture else None
    event_uuid = str(uuid_lib.uuid4())
    try:
        with database.atomic():
            now = utcnow()
            event = Event.create(
                uuid=event_uuid, ap_id=public_url("events.show", uuid=event_uuid),
                organizer=organizer, attributed_to=group, picture=picture_name, created_at=now, updated_at=now,
                **values,
            )
            reminders.sync_participation(Participation.create(event=event, actor=organizer, role=CREATOR))
            occurrences.refresh(event)
            event = events_query().where(Event.id == event.id).get()
            federate(event, "Create")
            if group is not None:
                database.on_commit(lambda: group_digest.tell_new_event(event))
    except Exception:
        pictures.delete_picture(picture_name)
        raise
    return event


def update_event(event, actor, data, picture=None, remove_picture=False):
    """Change an event (organisers only); bumps its sequence and emails participants of changes."""
    require_organizer(event, actor)
    values = clean_event_input(data)
    old_picture = event.picture
    new_picture = pictures.save_picture(picture) if picture else None
    if new_picture or remove_picture:
        values["picture"] = new_picture
    try:
        event = change_event(event, actor, values)
    except Exception:
        pictures.delete_picture(new_picture)
        raise
    if new_picture or remove_picture:
        pictures.delete_picture(old_picture)
    return event


def change_event(event, actor, values):
    """Write an organiser's checked values (Event columns) to the event, tell the servers holding it and
    email participants of changes; the changed event. Pages and organisers of elsewhere call it."""
    require_organizer(event, actor)
    values = occurrences.series_columns(values)
    changed = [name for name in WATCHED_FIELDS if getattr(event, name) != values[name]]
    newly_cancelled = values["status"] == Status.CANCELLED and not event.is_cancelled
    made_private = values["visibility"] == Visibility.PRIVATE and not event.is_private
    made_unlisted = values["visibility"] == Visibility.UNLISTED and event.is_public
    # Back from private, it is new to its followers' servers (ours forgot it, and lift the tombstone).
    verb = "Create" if event.is_private and values["visibility"] != Visibility.PRIVATE else "Update"
    with database.atomic():
        # The sequence grows in SQL so that two edits saved at once still count as two.
        Event.update(sequence=Event.sequence + 1, updated_at=utcnow(), **values).where(
            Event.id == event.id).execute()
        event = events_query().where(Event.id == event.id).get()
        reminders.sync_event(event)
        occurrences.refresh(event)
        if made_private:
            withdraw(event, actor)
        elif made_unlisted:
            unlist(event, actor)
        federate(event, verb, actor)
        # Seats added (or the limit lifted) go to those in line, in this transaction. Imported here:
        # participation builds on this module.
        from .participation import fill_seats
        fill_seats(event)
    if newly_cancelled:
        notify_participants(event, actor, "mail/event_cancelled.txt")
    elif changed:
        notify_participants(event, actor, "mail/event_changed.txt", changed=changed)
    return event


def delete_event(event, actor):
    """Delete an event and everything attached to it (organisers only)."""
    require_organizer(event, actor)
    with database.atomic():
        federate(event, "Delete", actor)
        # Also when nobody was told (a private event): nothing about it is served or sent any more.
        withhold([event.ap_id, *comment_ids(event)])
        event.delete_instance(recursive=True)
    pictures.delete_picture(event.picture)


def event_link(event):
    """The public address of an event's page."""
    return public_url("events.show", uuid=event.uuid)


def participation_token(participation, purpose):
    """A token naming one participation, for a link in an email (cancel, stop reminders or messages)."""
    # Signed, not stored, so every email can carry a link that keeps working; the creation time
    # in it keeps an old link from matching a later row that reuses the id.
    return sign([participation.id, participation.created_at.isoformat()], purpose)


def participation_by_token(token, purpose, condition=True, invalid=None):
    """The participation a participation_token of this purpose names (and matching condition), else
    NotFound with the invalid message."""
    signed = unsign(token, purpose)
    participation = None
    if isinstance(signed, list) and len(signed) == 2 and isinstance(signed[0], int):
        participation = Participation.get_or_none((Participation.id == signed[0]) & condition)
    if participation is None or participation.created_at.isoformat() != signed[1]:
        raise NotFound(invalid or _("This link is invalid, or the participation it was for no longer exists."))
    return participation


def cancel_link(participation):
    """For an anonymous participant, the link that cancels their participation (else None)."""
    if participation.actor_id is not None:
        return None
    return public_url("participation.cancel_anonymous", token=participation_token(participation, CANCEL_PURPOSE))


def recipient(participation, account=None):
    """(email, locale, cancel link) to write to about a participation, or None."""
    if participation.actor_id is None:
        return participation.email, participation.locale, cancel_link(participation)
    if participation.actor.account_id is None:
        return None  # an identity of another server: its own server tells it
    account = account or Account.get_or_none(Account.id == participation.actor.account_id)
    return (account.email, account.locale, None) if account else None


def notify_participants(event, actor, template, **context):
    """Email those who take part or wait for approval or a seat about a change (one SMTP connection for all)."""
    mail.send_batch(participant_mails(event, actor, template, **context))


def participant_mails(event, actor, template, **context):
    """The emails of notify_participants, as a list of mail.Outgoing (each address once; context may
    override what each carries, as cancel_link=None)."""
    rows = (
        Participation.select(Participation, Actor, Account)
        .join(Actor, JOIN.LEFT_OUTER, on=(Participation.actor == Actor.id))
        .join(Account, JOIN.LEFT_OUTER, on=(Actor.account == Account.id))
        .where((Participation.event == event) & Participation.role.in_([*GOING_ROLES, NOT_APPROVED, WAITLISTED])
               & (Participation.actor.is_null() | (Participation.actor != actor.id)))
    )
    recipients, allowed = {}, set()
    for row in rows:
        found = recipient(row, row.actor.account if row.actor_id and row.actor.account_id else None)
        if found:
            recipients.setdefault(found[0], found[1:])
            if may_see_online_address(event, row):
                allowed.add(found[0])
    link = event_link(event)
    return [
        mail.Outgoing(email, template, locale, dict(
            dict(event=event, link=link, cancel_link=cancel,
                 online_address=event.online_url if email in allowed else ""), **context))
        for email, (locale, cancel) in recipients.items()
    ]


def going_count(event):
    """How many participants hold a seat (organisers not counted, as in Mobilizon); for an event of
    another server, the figure that server last sent (None if it sent none)."""
    if not event.is_local:
        return event.remote_participant_count
    return _seats_taken.first(event.id)[0]


@prepared(1)
def _seats_taken(event_id):
    return Participation.select(fn.COUNT(Participation.id)).where(
        (Participation.event == event_id) & Participation.role.in_(SEAT_ROLES)).tuples()


def remaining_seats(event, count):
    """Seats left given count participants, or None when there is no limit or no known count."""
    if event.capacity is None or count is None:
        return None
    return max(event.capacity - count, 0)


def events_of(actor, viewer_ids=()):
    """(upcoming, past) events an identity organises, as the viewer may see them in listings (EventRows),
    but for the events of groups that hide who created them."""
    base = listing_query().where((Event.organizer == actor) & visible(viewer_ids)
                                 & (Event.attributed_to.is_null() | ~Actor.hide_event_creator))
    upcoming, past = with_actors(by_time(base), EventRow), with_actors(by_time(base, past=True).limit(50), EventRow)
    event_cards.count_participants(upcoming, past)
    return upcoming, past


def remote_participants(event):
    """Identities of other servers that take part in the event, asked to, or wait for a seat."""
    return list(Actor.select().join(Participation, on=(Participation.actor == Actor.id)).where(
        (Participation.event == event) & Participation.role.in_([*GOING_ROLES, NOT_APPROVED, WAITLISTED])
        & Actor.domain.is_null(False)))


def federate(event, verb, actor=None):
    """Send Create, Update or Delete of an event to its organiser's followers (for a group's event, to
    the group's followers and remote members, sent by actor, the member who acted, and Announced by
    the group) and remote participants (private events: to the participants only)."""
    participants = remote_participants(event)
    # A Delete carries only a Tombstone: the whole document (a count, a summary) would be wasted.
    document = tombstone_to_ap(event.ap_id, "Event", utcnow()) if verb == "Delete" else event_document(event)
    if event.is_private and event.attributed_to_id is not None:
        # A group's private event is its members': those of other servers get it as members-only content.
        group_private_outbox.share(event.attributed_to, actor or event.organizer, verb, document)
    if event.is_private and not participants:
        return
    group = None if event.is_private or event.attributed_to_id is None else event.attributed_to
    to, cc, listed = audience.of_change(verb, *audience.of_event_change(event, participants))
    # Public events go to the instances following this one as well (each inbox once: see publish).
    instances = relays.audience() if event.is_public else []
    if group is not None:
        group_outbox.publish_change(group, actor or event.organizer, verb, document, to, cc,
                                    participants + group_outbox.audience_of(group) + instances, listed)
        return
    recipients = participants + ([] if event.is_private else follows.follower_addresses(event.organizer)) + instances
    publish(event.organizer, change_to_ap(new_activity_id(), verb, event.organizer, document, to, cc), recipients,
            listed)


def followers_of(event):
    """Who follows what the event speaks for, and so holds a copy of it and hears of its comments: its
    group's audience (its followers and members of other servers), else its organiser's followers."""
    if event.attributed_to_id is not None:
        return group_outbox.audience_of(event.attributed_to)
    return follows.follower_addresses(event.organizer)


def _followers(event):
    """followers_of the event, and the instances following this one, which had it while it was public."""
    return followers_of(event) + relays.audience()


def withdraw(event, actor):
    """An event made private (by actor) is deleted on its followers' servers, except those of its
    participants and of its group's members (they get the Update, and keep it private); a group's
    event is withdrawn as it was published, Announced by the group."""
    # A group's members keep it too: it stays theirs (see federate).
    keeping = remote_participants(event) + (group_outbox.remote_members(event.attributed_to)
                                            if event.attributed_to_id is not None else [])
    _send_withdrawal(event, actor, _followers(event), keeping)
    withhold(comment_ids(event))


def unlist(event, actor):
    """A public event made unlisted (by actor) leaves the listings of the instances following this one:
    they get its Delete, except where a participant or follower keeps it (they get the Update)."""
    instances = relays.audience()
    if instances:
        _send_withdrawal(event, actor, instances, remote_participants(event) + followers_of(event))


def _send_withdrawal(event, actor, audience_rows, keeping):
    """Send the event's Delete to audience_rows but the servers of keeping, as it was published."""
    domains = {row.domain for row in keeping}
    recipients = [row for row in audience_rows if row.domain not in domains]
    to, cc, listed = audience.of_change("Delete", *audience.of_withdrawal(event))
    tombstone = tombstone_to_ap(event.ap_id, "Event", utcnow())
    if event.attributed_to_id is not None:
        group_outbox.publish_change(event.attributed_to, actor, "Delete", tombstone, to, cc, recipients, listed)
    else:
        publish(event.organizer, change_to_ap(new_activity_id(), "Delete", event.organizer, tombstone, to, cc),
                recipients, listed)


def comment_ids(event):
    """The ids of the event's comments, as they travel."""
    return [ap_id for (ap_id,) in Comment.select(Comment.ap_id).where(Comment.event == event).tuples()]


def event_document(event, requester=None):
    """The event as ActivityStreams, with its live participant count and a one-line summary; the
    online address only when requester (None: whoever receives what is sent) may see it."""
    # In the instance's language, whoever asks: the same document goes to every server.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        when = event_when(event)
    allowed = may_see_online_address(event, requester)
    online_url = event.online_url if allowed else ""
    summary = " - ".join(part for part in (when, event.address_line or online_url) if part)
    links = event.links if allowed else public_links(event)
    return event_to_ap(event, going_count(event), summary, online_url, links)
