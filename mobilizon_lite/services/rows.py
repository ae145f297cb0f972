"""Light rows for the lists pages show: the few columns a list writes, read as tuples into small
objects that borrow the models' own properties (building a full model per row cost half a page)."""
from ..models import Actor, Comment, Event, Participation
from .thumbnails import thumbnail_name


class Row:
    """A row of COLUMNS, read positionally; subclasses name them in __slots__, in the same order."""

    __slots__ = ()
    COLUMNS = ()
    ACTOR = "actor"  # the attribute holding the row's ActorRow, when it is read with one

    def __init__(self, values):
        for name, value in zip(self.__slots__, values, strict=False):
            setattr(self, name, value)


class ActorRow(Row):
    """An identity as lists name it."""

    __slots__ = ("id", "preferred_username", "name", "domain", "ap_id")
    COLUMNS = (Actor.id, Actor.preferred_username, Actor.name, Actor.domain, Actor.ap_id)
    is_local, display_name, handle = Actor.is_local, Actor.display_name, Actor.handle


class EventRow(Row):
    """An event as its card shows it; organizer is an ActorRow, or None when the list does not say; going
    the participants event_cards.count_participants counted, None until then (or when unknown)."""

    __slots__ = ("id", "uuid", "title", "begins_on", "ends_on", "timezone", "status", "visibility",
                 "place_name", "locality", "online_url", "picture", "capacity", "show_remaining_seats",
                 "remote_participant_count", "rrule", "tags", "organizer", "going")
    COLUMNS = (Event.id, Event.uuid, Event.title, Event.begins_on, Event.ends_on, Event.timezone, Event.status,
               Event.visibility, Event.place_name, Event.locality, Event.online_url, Event.picture, Event.capacity,
               Event.show_remaining_seats, Event.remote_participant_count, Event.rrule, Event.tags)
    ACTOR = "organizer"
    zone, is_local, is_cancelled, is_tentative = Event.zone, Event.is_local, Event.is_cancelled, Event.is_tentative
    repeats = Event.repeats

    def __init__(self, values):
        super().__init__(values)
        self.going = None

    @property
    def thumbnail(self):
        """The file name of the banner's thumbnail, or None without a banner."""
        return thumbnail_name(self.picture)


class CommentRow(Row):
    """A comment as its event's page shows it; actor is an ActorRow, thread_replies its replies."""

    __slots__ = ("id", "ap_id", "actor_id", "in_reply_to_id", "text", "created_at", "updated_at", "deleted_at",
                 "actor", "thread_replies")
    # The address names the comment in its Report link.
    COLUMNS = (Comment.id, Comment.ap_id, Comment.actor, Comment.in_reply_to, Comment.text, Comment.created_at,
               Comment.updated_at, Comment.deleted_at)


class ParticipationRow(Row):
    """A participation as the participants page and its export show it; actor is an ActorRow, or None
    for an anonymous participant."""

    __slots__ = ("id", "actor_id", "role", "message", "created_at", "name", "email", "email_shown",
                 "recurrence_id", "actor")
    COLUMNS = (Participation.id, Participation.actor, Participation.role, Participation.message,
               Participation.created_at, Participation.name, Participation.email, Participation.email_shown,
               Participation.recurrence_id)


def split(values, *kinds):
    """One tuple of the kinds' COLUMNS, in that order, as one Row of each kind."""
    rows, start = [], 0
    for kind in kinds:
        end = start + len(kind.COLUMNS)
        rows.append(kind(values[start:end]))
        start = end
    return rows


def with_actors_query(query, kind):
    """query (rows of kind joined to their actor, outer join allowed) selecting what read_with_actors reads."""
    return query.select(*kind.COLUMNS, *ActorRow.COLUMNS).tuples()


def read_with_actors(tuples, kind):
    """The tuples of a with_actors_query as kinds with their ActorRow (in kind.ACTOR), or None where an
    outer join found none."""
    found = []
    for values in tuples:
        row, actor = split(values, kind, ActorRow)
        setattr(row, kind.ACTOR, actor if actor.id is not None else None)
        found.append(row)
    return found


def with_actors(query, kind):
    """query (rows of kind joined to their actor) read as kinds with their ActorRow, or None."""
    return read_with_actors(with_actors_query(query, kind), kind)
