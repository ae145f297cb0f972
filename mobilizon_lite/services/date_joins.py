"""Taking part in one date of a local series: join and leave a date, each date with its seats, its
waiting line and its approvals (participation's rules, given the date); what an event page offers on
each listed date. Joining every date is participation's join, as for any event."""
from collections import namedtuple

from flask_babel import gettext as _
from peewee import fn

from ..db import utcnow
from ..models import Participation
from ..models.participation import SEAT_ROLES
from . import anonymous, occurrence_changes, participation
from .errors import NotFound, PermissionDenied, refusal
from .event_access import require_visible_to
from .seats import every_date_seats

# One date an event page lists, as the viewer may take part in it: listed (occurrence_changes.ListedDate),
# its RECURRENCE-ID, the viewer's participation in it (None: none), whether the viewer may ask to join it
# (seats aside) and the seats left on it (None: no limit).
DateChoice = namedtuple("DateChoice", "listed recurrence_id mine joinable seats_left")


def open_date(event, occurrence_id):
    """The RECURRENCE-ID of the stored date occurrence_id of a local series still open for joining;
    NotFound or PermissionDenied (with the reason) else."""
    if not event.repeats:
        raise NotFound(_("This event has no dates of its own to join: join the event."))
    if not event.is_local:
        raise PermissionDenied(_("The dates of an event of another server are joined all together."))
    participation.check_open(event)
    row = occurrence_changes.stored_date(event, occurrence_id)
    if (row.ends_on or row.begins_on) < utcnow():
        raise PermissionDenied(_("This date is over."))
    return occurrence_changes.recurrence_id_of(event, row)


def join_date(event, actor, occurrence_id, message=""):
    """Join one date of a local series as an identity: participant at once, in that date's waiting
    line, or awaiting the organisers' approval for that date."""
    message = participation.clean_message(message)
    require_visible_to(event, actor)
    return participation.admit(event, actor, message, date=open_date(event, occurrence_id))


def recurrence_of(event, occurrence_id):
    """The RECURRENCE-ID of the series' stored date occurrence_id (over or not), else NotFound."""
    return occurrence_changes.recurrence_id_of(event, occurrence_changes.stored_date(event, occurrence_id))


def leave_date(event, actor, occurrence_id):
    """Stop taking part in one date (over or not); its seat goes to the first in that date's line."""
    participation.leave(event, actor, recurrence_of(event, occurrence_id))


def request_date(event, occurrence_id, email, message, locale, address=None, name="", email_shown=False):
    """anonymous.request_anonymous for one date of a series: the emailed link confirms that date."""
    date = open_date(event, occurrence_id)
    anonymous.request_anonymous(event, email, message, locale, address, name, email_shown, date=date)


def date_choices(event, actor, listed):
    """What the event page offers actor (an identity, None for a visitor) on each listed date
    (occurrence_changes.ListedDate) of a local series, as DateChoices, in a few queries; [] when it
    offers nothing per date (an event of another server or closed, or actor takes part in every date)."""
    if not event.repeats or not event.is_local or refusal(participation.check_open, event):
        return []
    dates = [listed_date.override.recurrence_id if listed_date.override else listed_date.begins_on
             for listed_date in listed]
    mine = {}
    if actor is not None:
        if participation.participation_of(event, actor) is not None:
            return []
        mine = {row.recurrence_id: row for row in Participation.select().where(
            (Participation.event == event.id) & (Participation.actor == actor)
            & Participation.recurrence_id.in_(dates))}
    may_join = actor is None or not event.invite_only or participation.is_invited(event, actor)
    left = _seats_left(event, dates)
    return [DateChoice(listed_date, date, mine.get(date), may_join and listed_date.date_id is not None,
                       None if left is None else left[date])
            for listed_date, date in zip(listed, dates, strict=True)]


def _seats_left(event, dates):
    """The seats left on each of these dates (whole-series participants hold one on each), or None
    without a capacity."""
    if event.capacity is None:
        return None
    taken = every_date_seats(event)
    counts = dict(Participation.select(Participation.recurrence_id, fn.COUNT(Participation.id))
                  .where((Participation.event == event.id) & Participation.role.in_(SEAT_ROLES)
                         & Participation.recurrence_id.in_(dates))
                  .group_by(Participation.recurrence_id).tuples())
    return {date: max(event.capacity - taken - counts.get(date, 0), 0) for date in dates}
