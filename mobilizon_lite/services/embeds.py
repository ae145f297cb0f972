"""What an association's website shows in its frame of this instance: the upcoming public events of a group
or an identity (or of the whole instance), with tags, and one public event."""
from flask_babel import gettext as _

from ..models import Actor, Event
from . import groups, identities, remote_groups, search, search_query
from .errors import Invalid, NotFound
from .events import listing_query, visible_event
from .rows import EventRow, with_actors

LIMITS = (1, 20)
DEFAULT_LIMIT = 5


def owner(group="", identity=""):
    """The group (this instance's by its username, or one of elsewhere by name@server) or local identity
    whose events a frame lists; None for the whole instance. Invalid when both are named."""
    if group and identity:
        raise Invalid(_("Name a group or an identity, not both."))
    if group:
        return remote_groups.remote_group(group) if remote_groups.is_remote_handle(group) else groups.local_group(group)
    if identity:
        return identities.public_identity(identity)
    return None


def read_tags(text):
    """The tags of a comma-separated list, as search reads them; Invalid when there are too many or too long."""
    query = search_query.read({"tags": text})
    if query.errors:
        raise Invalid(query.errors[0])
    return query


def read_limit(text):
    """How many events to list: a whole number in LIMITS, DEFAULT_LIMIT when not given; Invalid else."""
    if not text:
        return DEFAULT_LIMIT
    if text.isascii() and text.isdigit() and len(text) <= 2 and LIMITS[0] <= int(text) <= LIMITS[1]:
        return int(text)
    raise Invalid(_("The number of events (limit) is a whole number from %(low)d to %(high)d.",
                    low=LIMITS[0], high=LIMITS[1]))


def upcoming(actor, tags_query, limit):
    """EventRows of the public events not over yet of actor (a group's, or those an identity organises in its
    own name or for a group that names who created its events), with every tag asked, soonest first."""
    base = listing_query()
    if actor is not None and actor.is_group:
        base = base.where(Event.attributed_to == actor)
    elif actor is not None:
        base = base.where((Event.organizer == actor) & (Event.attributed_to.is_null() | ~Actor.hide_event_creator))
    return with_actors(search.matching_events(base, tags_query).limit(limit), EventRow)


def public_event(uuid):
    """The public event with this uuid; NotFound for any other (unlisted ones are for those given the link)."""
    event = visible_event(uuid)
    if not event.is_public:
        raise NotFound(_("This event does not exist, or is not visible to you."))
    return event
