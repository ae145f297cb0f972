"""Events organised as a group: the groups an account may organise as, and a group's own events."""
from ..activitypub.convert.actor import collection
from ..models import Actor, Event, Member
from ..models.actors import TYPE_GROUP
from ..models.events import Visibility
from ..urls import public_url
from . import event_cards, group_roles
from .event_access import ORGANISING_ROLES, visible
from .event_federation import event_document
from .events import by_time, events_query, listing_query
from .rows import EventRow, with_actors


def organising_groups(identities):
    """[(group, identity)] of the local groups in which one of these identities may organise events,
    by username; identity is the one that acts there (acting_member), never another of the account."""
    by_id = {identity.id: identity for identity in identities}
    if not by_id:
        return []
    groups = (Actor.select().join(Member, on=(Member.group == Actor.id))
              .where(Member.actor.in_(list(by_id)) & Member.role.in_(ORGANISING_ROLES)
                     & (Actor.type == TYPE_GROUP) & Actor.domain.is_null() & ~Actor.suspended
                     & Actor.deleted_at.is_null())
              .distinct().order_by(Actor.preferred_username))
    return [(group, group_roles.acting_member(group, identities)[0]) for group in groups]


def events_of_group(group, viewer_ids=(), past=False, page=1, per_page=20):
    """One page of the group's events the viewer may see in listings (EventRows), upcoming soonest first
    or (past) latest first, and one row more when a next page exists."""
    query = listing_query().where((Event.attributed_to == group) & visible(viewer_ids))
    rows = with_actors(by_time(query, past).limit(per_page + 1).offset((page - 1) * per_page), EventRow)
    event_cards.count_participants(rows)
    return rows


def _public(group):
    return (Event.attributed_to == group) & (Event.visibility == Visibility.PUBLIC)


def events_collection(group, page=None, per_page=10):
    """The group's events collection (Mobilizon's `events`): its public events only, latest start first,
    whoever asks (page None: the collection itself, else one OrderedCollectionPage)."""
    collection_id = public_url("group_events.index", username=group.preferred_username)
    total = Event.select().where(_public(group)).count()
    items = []
    if page is not None:
        rows = (events_query().where(_public(group)).order_by(Event.begins_on.desc(), Event.id.desc())
                .limit(per_page).offset((page - 1) * per_page))
        # event_document() without a requester: no online address that only participants see.
        items = [event_document(event) for event in rows]
    return collection(collection_id, items, total, page, per_page)
