"""Changed and cancelled dates of another server's series, received as their own Events (in the inbox,
or listed in the series' document): kept as overrides of the series held here, never as events of
their own; each value distrusted and bounded, and only from whoever may change the series."""
from ..activitypub.convert.address import PLACE_FIELDS
from ..activitypub.convert.event_date import date_from_ap
from ..activitypub.parse import ParseError
from ..activitypub.vocab import as_list, get_id
from ..db import database, utcnow
from ..models import Event, EventOccurrence, OccurrenceOverride
from ..models.federation import DONE, IGNORED
from ..models.limits import OVERRIDES_MAX
from . import occurrence_changes, occurrences
from .actors import keep_tombstone
from .errors import Invalid


def may_change(event, maker, group):
    """Whether maker may change a remote event (or one of its dates) by a document it sends: its
    organiser, or for a group's event, whoever sends a document attributed to that group (group, its
    server checked by remote_events.attributed_group or by the group's Announce)."""
    return event.organizer_id == maker.id or (group is not None and event.attributed_to_id == group.id)


def _read(series, document):
    """The override columns of a date's Event (either form) of a series held here; ParseError unless it
    is a date the series' rule gives (not excluded), moved onto no other of its dates."""
    values = date_from_ap(document, series.ap_id, {name: getattr(series, name) for name in PLACE_FIELDS})
    recurrence_id = values["recurrence_id"]
    if not occurrences.is_rule_date(series, recurrence_id, series.exdates):
        raise ParseError("the date is not one the series' rule gives")
    if (values["begins_on"], values["ends_on"]) == occurrences.date_span(series, recurrence_id):
        values.update(begins_on=None, ends_on=None)  # at the rule's times: kept from the rule, as ours do
        return values
    held = OccurrenceOverride.get_or_none((OccurrenceOverride.event == series.id)
                                          & (OccurrenceOverride.recurrence_id == recurrence_id))
    now_at = (held and held.begins_on) or recurrence_id
    if values["begins_on"] not in (None, recurrence_id, now_at) and EventOccurrence.select().where(
            (EventOccurrence.event == series.id) & (EventOccurrence.begins_on == values["begins_on"])).exists():
        raise ParseError("the date is moved onto another date of the series")
    return values


def _keep(series, dates, strict=True):
    """Write the overrides dates holds (override columns), then bring the series' dates to them; the
    series as it is now. One more than OVERRIDES_MAX: ParseError (nothing written) when strict, else
    those that fit are kept."""
    with database.atomic():
        for values in dates:
            try:
                occurrence_changes.write_override(series, **values)
            except Invalid as error:
                if strict:
                    raise ParseError(str(error)) from None
                break
        return _refreshed(series)


def _refreshed(series):
    """The series, its update time raised (pages and feeds built before show it no longer) and its dates
    brought to its overrides."""
    Event.update(updated_at=utcnow()).where(Event.id == series.id).execute()
    series = Event.get_by_id(series.id)
    occurrences.refresh(series)
    occurrences.advance(series)
    return series


def store_date(document, maker, group):
    """Keep a date's Event as an override of the remote series it names (`recurrenceOf`): the series as
    it is now; None when the series is not held here or maker may not change it (as
    remote_events.store), ParseError when the date is unusable or beyond bounds."""
    series = Event.get_or_none(Event.ap_id == get_id(document.get("recurrenceOf")))
    if series is None or series.is_local or not series.repeats or not may_change(series, maker, group):
        return None
    return _keep(series, [_read(series, document)])


def sync_dates(series, document):
    """A remote series' changed dates as its document lists them (`changedDates`, our servers'): those
    listed kept, those from now on it no longer lists dropped (the list holds every one from a day
    back on); an entry unusable or beyond bounds is left out. The series as it is now; as it was when
    the document has no such list (other software)."""
    listed = document.get("changedDates")
    if not isinstance(listed, list) or not series.repeats:
        return series
    dates = {}
    for entry in as_list(listed, OVERRIDES_MAX):
        try:
            values = _read(series, entry) if isinstance(entry, dict) else None
        except ParseError:
            continue
        if values is not None:
            dates[values["recurrence_id"]] = values
    with database.atomic():
        occurrences.delete_overrides(series, (OccurrenceOverride.recurrence_id >= utcnow())
                                     & OccurrenceOverride.recurrence_id.not_in(list(dates)))
        return _keep(series, list(dates.values()), strict=False)


def held_date(ap_id):
    """The override received as the Event of this id, with its series, or None."""
    if not ap_id:
        return None
    return (OccurrenceOverride.select(OccurrenceOverride, Event).join(Event)
            .where(OccurrenceOverride.ap_id == ap_id).first())


def drop(override):
    """A received date again as its series' rule gives it; the series as it is now."""
    with database.atomic():
        occurrences.delete_overrides(override.event, OccurrenceOverride.id == override.id)
        return _refreshed(override.event)


def on_delete_date(item):
    """Delete of a date's Event by its series' organiser: the date is again as the rule gives it (a
    group's Announce of the Delete: announces)."""
    override = held_date(get_id(item.body.get("object")))
    if override is None or override.event.organizer_id != item.actor.id:
        return IGNORED
    keep_tombstone(item)
    drop(override)
    return DONE
