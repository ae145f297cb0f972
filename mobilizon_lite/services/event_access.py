"""Who may see an event, its online address and links, and who organises it: the visibility filter every
listing uses."""
from flask_babel import gettext as _

from ..models import Account, Actor, Event, EventInvitation, Member, Participation
from ..models.events import Visibility
from ..models.groups import Role
from ..models.participation import GOING_ROLES, ORGANIZER_ROLES, REJECTED
from . import group_roles
from .errors import NotFound, PermissionDenied
from .prepared import prepared

# Links that are online addresses too: they follow the online address's rule.
ONLINE_LINK_TYPES = ("visio", "live")


def roles_allowing(action):
    """The group roles group_roles lets do action, for queries that filter on Member.role."""
    return tuple(role for role in Role if group_roles.allows(role, action))


# Members see their group's private events; those who manage its events organise every one of them.
SEEING_ROLES = roles_allowing("see_members_only")
ORGANISING_ROLES = roles_allowing("manage_events")
# Its own alias: listings join Actor for who their cards name.
SUSPENDED = Actor.alias("suspended_actor")


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
