"""The dates of repeated events: the occurrence rows kept for a window around now, the occurrence a
series shows in listings (its begins_on and ends_on), and the jobs that keep both current."""
from datetime import UTC, datetime, time, timedelta

from peewee import Case, fn

from ..db import database, utcnow
from ..dialect import greatest
from ..models import Event, EventOccurrence, OccurrenceOverride
from ..models.limits import EXDATES_MAX
from . import events, recurrence, reminders

# Occurrences are stored this far ahead (listings, search, the calendar) and kept this far back
# (the calendar's past months).
AHEAD = timedelta(days=366)
BEHIND = timedelta(days=31)
# The daily refresh moves the stored window a day at a time: a period nearer its edges than this (or
# outside it) is expanded from the rule instead of read from the rows.
EDGE = timedelta(days=2)
NEXT_SHOWN = 5  # dates an event page lists


def rule_of(event):
    """The event's Rule (parsed from its stored, already checked, RRULE value)."""
    return recurrence.parse(event.rrule, event.zone)


def _overrides(event):
    """(the days the series does not take place: its excluded dates and the dates cancelled one by one,
    {RECURRENCE-ID: (UTC start, UTC end or None)} of its dates moved one by one). Cancelled dates stay
    apart from the excluded ones: feeds write them as cancelled, not as absent."""
    days, moved = set(), {}
    for row in OccurrenceOverride.select(OccurrenceOverride.recurrence_id, OccurrenceOverride.begins_on,
                                         OccurrenceOverride.ends_on, OccurrenceOverride.cancelled).where(
            (OccurrenceOverride.event == event.id)
            & (OccurrenceOverride.cancelled | OccurrenceOverride.begins_on.is_null(False))):
        if row.cancelled:
            days.add(row.recurrence_id.astimezone(event.zone).date().isoformat())
        else:
            moved[row.recurrence_id] = (row.begins_on, row.ends_on)
    return (sorted(days.union(event.exdates)) if days else event.exdates), moved


def _dated(event, moment, moved):
    """(UTC start, UTC end or None, local start text) of the series' date at moment (aware, local): its
    own times when it was moved one by one."""
    begins, ends = _span(moment, event.series_begins_on, event.series_ends_on)
    if begins in moved:
        begins, ends = moved[begins]
        moment = begins.astimezone(event.zone)
    return begins, ends, moment.strftime("%Y-%m-%dT%H:%M")


def series_start(event):
    """The series' first start as a wall-clock time in the event's zone (the rule's DTSTART)."""
    return event.first_span[0].astimezone(event.zone)


def _duration(begins_on, ends_on):
    return timedelta(0) if ends_on is None else ends_on - begins_on


def _span(start, begins_on, ends_on):
    """(UTC start, UTC end or None) of the occurrence starting at start (aware, local), for a series whose
    first date is begins_on to ends_on: as long on the zone's clock as the first, as calendar apps count it."""
    length = recurrence.wall_length(begins_on, ends_on, start.tzinfo)
    end = recurrence.end_of(start, length)
    return start.astimezone(UTC), None if end is None else end.astimezone(UTC)


def date_span(event, begins_on):
    """(UTC start, UTC end or None) of the series' date starting at begins_on (UTC), as the rule gives it."""
    return _span(begins_on.astimezone(event.zone), event.series_begins_on, event.series_ends_on)


def override_span(event, override):
    """(UTC start, UTC end or None) of a changed or cancelled date: its own times once moved, else the rule's."""
    if override.begins_on is not None:
        return override.begins_on, override.ends_on
    return date_span(event, override.recurrence_id)


def dated(event, participation):
    """The one date of a series a participation names, as an unsaved Event of its times (moved or not)
    for emails and pages to say; None for a participation in every date."""
    if participation.recurrence_id is None:
        return None
    override = OccurrenceOverride.get_or_none((OccurrenceOverride.event == event.id)
                                              & (OccurrenceOverride.recurrence_id == participation.recurrence_id))
    begins_on, ends_on = (date_span(event, participation.recurrence_id) if override is None
                          else override_span(event, override))
    return Event(begins_on=begins_on, ends_on=ends_on, timezone=event.timezone)


def start_on_day(event, day):
    """The RECURRENCE-ID of the event's date on day (a date in its zone): of a series, the rule's date
    that day, not excluded; of a single event, its start when it falls that day; else None."""
    after = datetime.combine(day, time(), event.zone)
    before = datetime.combine(day + timedelta(days=1), time(), event.zone) - timedelta(microseconds=1)
    if not event.repeats:
        return event.begins_on if after <= event.begins_on <= before else None
    found = recurrence.starts(rule_of(event), event.exdates, series_start(event), after, before)
    return found[0].astimezone(UTC) if found else None


def series_columns(values, now=None):
    """values (Event columns, begins_on and ends_on the first occurrence) with the series' columns set:
    a series keeps its first start and end, and shows the occurrence current at now."""
    if not values.get("rrule"):
        return dict(values, rrule="", exdates=[], series_begins_on=None, series_ends_on=None)
    zone = recurrence_zone(values)
    rule = recurrence.parse(values["rrule"], zone)
    duration = _duration(values["begins_on"], values["ends_on"])
    current = recurrence.current_start(rule, values["exdates"], values["begins_on"].astimezone(zone), duration,
                                       now or utcnow())
    begins_on, ends_on = _span(current, values["begins_on"], values["ends_on"])
    return dict(values, series_begins_on=values["begins_on"], series_ends_on=values["ends_on"], begins_on=begins_on,
                ends_on=ends_on)


def received(values, repetition, kept=None):
    """values (Event columns read from another server's Event) with the series its `repetition` carries
    (convert.event.repetition_from_ap) when the rule passes the form's own checks, else a single event at
    the date it shows. kept, an event of ours that a document without one changes, stays a series
    while its date is unchanged (other software edits the rest, never the repetition it cannot see)."""
    if repetition is None:
        # Their copy shows the date the series was at when last sent; it has moved on since without an Update.
        if kept is not None and kept.repeats and is_date_of(kept, values["begins_on"], values["ends_on"]):
            return dict(values, rrule=kept.rrule, exdates=kept.exdates, begins_on=kept.series_begins_on,
                        ends_on=kept.series_ends_on)
        return dict(values, rrule="", exdates=[])
    rrule, exdates, begins_on, ends_on = repetition
    zone = recurrence_zone(values)
    try:
        rule = recurrence.parse(rrule, zone)
        exdates = recurrence.clean_exdates(",".join(exdates))
    except recurrence.RuleError:
        return dict(values, rrule="", exdates=[])
    start = begins_on.astimezone(zone)
    # Calendar apps count DTSTART as a date even when the rule does not give it (dateutil does not): a
    # series is kept only when its first date is one of the rule's, as the form makes it.
    if (recurrence.first_start(rule, [], start) != start or recurrence.first_start(rule, exdates, start) is None
            or not recurrence.reaches(rule, exdates, start, utcnow())):
        return dict(values, rrule="", exdates=[])
    return dict(values, rrule=rule.text(), exdates=exdates, begins_on=begins_on, ends_on=ends_on)


def is_date_of(event, begins_on, ends_on):
    """Whether begins_on to ends_on (UTC) is one of the series' dates."""
    local = begins_on.astimezone(event.zone)
    found = recurrence.starts(rule_of(event), event.exdates, series_start(event), local, local)
    return bool(found) and _span(found[0], event.series_begins_on, event.series_ends_on) == (begins_on, ends_on)


def recurrence_zone(values):
    """The zone of event columns (a name known to this machine: the form and the readers checked it)."""
    return Event(timezone=values["timezone"]).zone


def _dates_from(event, after, before):
    """{UTC start: (UTC end or None, local start text)} of the series' dates the rule gives from after to
    before (aware), each at its own times when moved one by one, and of its dates moved there from
    outside that period (their rule's start before or after it)."""
    found = {}
    days, moved = _overrides(event)
    for moment in recurrence.starts(rule_of(event), days, series_start(event), after, before):
        begins, ends, local = _dated(event, moment, moved)
        found[begins] = (ends, local)
    for begins, ends in moved.values():
        if after <= begins <= before and begins not in found:
            found[begins] = (ends, begins.astimezone(event.zone).strftime("%Y-%m-%dT%H:%M"))
    return found


def expected(event, now):
    """{UTC start: (UTC end or None, local start text)} of the event's occurrences within the window."""
    return _dates_from(event, now - BEHIND, now + AHEAD)


def delete_overrides(event, condition):
    """Delete the series' overrides matching condition, its sequence raised past the SEQUENCE of their
    instances in feeds: calendar apps keep the highest sequence of a date, and would keep the changed date
    they hold over the series' again giving it."""
    where = (OccurrenceOverride.event == event.id) & condition
    highest = OccurrenceOverride.select(fn.MAX(OccurrenceOverride.sequence)).where(where).scalar()
    if highest is None:
        return
    OccurrenceOverride.delete().where(where).execute()
    # An instance is written at the series' sequence plus its own (feeds/ical.instance_sequence).
    Event.update(sequence=Event.sequence + highest + 1).where(Event.id == event.id).execute()


def _forget_stale_overrides(event):
    """Remove the overrides of dates no longer the rule's (the series' times or rule were edited):
    feeds would write instances of dates calendar apps cannot place."""
    overrides = list(OccurrenceOverride.select(OccurrenceOverride.id, OccurrenceOverride.recurrence_id,
                                               OccurrenceOverride.cancelled)
                     .where(OccurrenceOverride.event == event.id))
    if not overrides:
        return
    stale = [row for row in overrides if not event.repeats or not is_rule_date(event, row.recurrence_id)]
    if not stale:
        return
    # A date cancelled stays cancelled when the series moves to other hours: its day becomes an excluded
    # date (participants were told it will not happen).
    cancelled = {row.recurrence_id.astimezone(event.zone).date().isoformat() for row in stale if row.cancelled}
    if event.repeats and cancelled - set(event.exdates):
        event.exdates = sorted(set(event.exdates) | cancelled)[:EXDATES_MAX]
        Event.update(exdates=event.exdates).where(Event.id == event.id).execute()
    delete_overrides(event, OccurrenceOverride.id.in_([row.id for row in stale]))


def is_rule_date(event, begins_on, exdates=()):
    """Whether begins_on (UTC) starts one of the rule's dates (not among exdates)."""
    local = begins_on.astimezone(event.zone)
    return [moment.astimezone(UTC) for moment in recurrence.starts(rule_of(event), list(exdates), series_start(event),
                                                                    local, local)] == [begins_on]


def refresh(event, now=None):
    """Bring the event's occurrence rows to its rule within the window (a row whose date stays keeps
    its id), its overrides to its dates; a single event has none."""
    now = now or utcnow()
    _forget_stale_overrides(event)
    wanted = expected(event, now) if event.repeats else {}
    with database.atomic():
        stale = []
        for row in EventOccurrence.select().where(EventOccurrence.event == event.id):
            found = wanted.pop(row.begins_on, None)
            if found is None:
                stale.append(row.id)
            elif (row.ends_on, row.local_start) != found:
                EventOccurrence.update(ends_on=found[0], local_start=found[1]).where(
                    EventOccurrence.id == row.id).execute()
        if stale:
            EventOccurrence.delete().where(EventOccurrence.id.in_(stale)).execute()
        if wanted:
            EventOccurrence.insert_many([
                {"event": event.id, "begins_on": begins, "ends_on": ends, "local_start": local}
                for begins, (ends, local) in sorted(wanted.items())]).execute()


def upcoming(event, now=None, limit=NEXT_SHOWN):
    """The event's next stored occurrences not over yet, soonest first (for its page)."""
    now = now or utcnow()
    return list(EventOccurrence.select().where(
        (EventOccurrence.event == event.id)
        & (EventOccurrence.ends_on.is_null(False) & (EventOccurrence.ends_on >= now)
           | EventOccurrence.ends_on.is_null() & (EventOccurrence.begins_on >= now)))
        .order_by(EventOccurrence.begins_on).limit(limit))


def _within(starts_at, ends_before):
    """The condition: the occurrence ends (or, without an end, begins) at or after starts_at, and begins
    before ends_before (either bound None: open)."""
    condition = True
    if starts_at is not None:
        condition = ((EventOccurrence.ends_on.is_null(False) & (EventOccurrence.ends_on >= starts_at))
                     | (EventOccurrence.ends_on.is_null() & (EventOccurrence.begins_on >= starts_at)))
    if ends_before is not None:
        condition &= EventOccurrence.begins_on < ends_before
    return condition


def occurring_within(starts_at, ends_before):
    """The ids of the series with a stored occurrence within the period (a subquery): search and the
    calendar find a series on any of its dates, not only the one it shows."""
    return EventOccurrence.select(EventOccurrence.event).where(_within(starts_at, ends_before))


def stored_covers(starts_at, ends_before, now=None):
    """Whether the stored rows hold every date of the period (either bound None: open)."""
    now = now or utcnow()
    return ((starts_at is None or starts_at >= now - BEHIND + EDGE)
            and (ends_before is None or ends_before <= now + AHEAD - EDGE))


def may_occur_within(starts_at, ends_before, now=None):
    """The condition finding the series that may have a date within a period the stored rows do not
    cover (stored_covers): begun before its end, and showing a date not over before its start or the
    window's (a series never shows a date earlier than one it had); occurrences_between tells."""
    now = now or utcnow()
    since = now - BEHIND if starts_at is None else min(starts_at, now - BEHIND)
    condition = (Event.rrule != "") & events.ends_since(since)
    return condition if ends_before is None else condition & (Event.series_begins_on < ends_before)


def first_within(starts_at, ends_before):
    """The sort key of events on the days asked: a series' first stored date within them, else its
    first start from starts_at on (dates outside the stored window), else the event's start."""
    first = (EventOccurrence.select(fn.MIN(EventOccurrence.begins_on))
             .where((EventOccurrence.event == Event.id) & _within(starts_at, ends_before)))
    later = Event.series_begins_on if starts_at is None else greatest(Event.series_begins_on,
                                                                        Event.begins_on.db_value(starts_at))
    # The subquery runs for series only: SQLite evaluates a CASE's branches lazily.
    return Case(None, [(Event.rrule != "", fn.COALESCE(first, later))], Event.begins_on)


def first_left_out(read_ids, starts_at, ends_before, now=None):
    """The first date within the period of a series not among read_ids (the period's start when the
    stored rows do not cover it, so a list cut short says so from there); ends_before when none."""
    if not stored_covers(starts_at, ends_before, now):
        return starts_at
    first = (EventOccurrence.select(fn.MIN(EventOccurrence.begins_on))
             .where(_within(starts_at, ends_before) & EventOccurrence.event.not_in(list(read_ids))).scalar())
    # MIN's result may come back as the stored text.
    return ends_before if first is None else EventOccurrence.begins_on.python_value(first)


def _expanded(event, starts_at, ends_before):
    """The event's dates within the period as unsaved EventOccurrences, expanded from its rule."""
    margin = _duration(event.series_begins_on, event.series_ends_on) + EDGE
    after = series_start(event) if starts_at is None else starts_at - margin
    found = []
    for begins, (ends, local) in _dates_from(event, after, ends_before).items():
        if (starts_at is None or (ends or begins) >= starts_at) and begins < ends_before:
            found.append(EventOccurrence(event=event.id, begins_on=begins, ends_on=ends, local_start=local))
    # A date moved one by one may now come before another.
    return sorted(found, key=lambda row: row.begins_on)


def occurrences_between(event_ids, starts_at, ends_before, now=None):
    """{event id: [EventOccurrence]} of these series' dates within the period (as occurring_within),
    each list soonest first: where a calendar places a series. Stored rows when they cover the
    period, else dates expanded from the rules (a bounded period: ends_before is given)."""
    if stored_covers(starts_at, ends_before, now):
        found = {}
        rows = EventOccurrence.select().where(EventOccurrence.event.in_(list(event_ids))
                                              & _within(starts_at, ends_before))
        for row in rows.order_by(EventOccurrence.begins_on):
            found.setdefault(row.event_id, []).append(row)
        return found
    series = Event.select(Event.id, Event.rrule, Event.exdates, Event.timezone, Event.begins_on,
                          Event.series_begins_on, Event.series_ends_on).where(
        Event.id.in_(list(event_ids)) & (Event.rrule != ""))
    return {event.id: dates for event in series if (dates := _expanded(event, starts_at, ends_before))}


def shown_within(rows, starts_at, ends_before, now=None):
    """rows (EventRows found on the days asked) with each series at its first date within them; a
    series found outside the stored window without a date there is left out."""
    dates = occurrences_between([row.id for row in rows if row.rrule], starts_at, ends_before, now)
    shown = []
    for row in rows:
        if row.rrule:
            if row.id not in dates:
                continue
            row.begins_on, row.ends_on = dates[row.id][0].begins_on, dates[row.id][0].ends_on
        shown.append(row)
    return shown


def summary(event):
    """The series' rule in the reader's language ("Every 2 weeks on Tuesday, until June 30, 2027")."""
    return recurrence.describe(rule_of(event), event.exdates, series_start(event))


def advance(event, now=None):
    """Move a series' begins_on and ends_on to its occurrence current at now (and its participants'
    reminders with them); True when they moved. Neither its sequence nor its update time changes:
    the series itself did not."""
    now = now or utcnow()
    duration = _duration(event.series_begins_on, event.series_ends_on)
    days, moved = _overrides(event)
    current = recurrence.current_start(rule_of(event), days, series_start(event), duration, now)
    if current is None:
        return False
    begins_on, ends_on, _local = _dated(event, current, moved)
    if begins_on == event.begins_on:
        return False
    event.begins_on, event.ends_on = begins_on, ends_on
    with database.atomic():
        Event.update(begins_on=event.begins_on, ends_on=event.ends_on).where(Event.id == event.id).execute()
        reminders.sync_event(event)
    return True


def advance_series(now=None):
    """The frequent job: each series whose shown occurrence is over and that has a later stored one
    moves on to it (listings then show that one); how many moved."""
    now = now or utcnow()
    later = EventOccurrence.select(EventOccurrence.event).where(EventOccurrence.begins_on > now)
    over = Event.select().where(
        (Event.rrule != "") & Event.id.in_(later)
        & (Event.ends_on.is_null(False) & (Event.ends_on < now) | Event.ends_on.is_null() & (Event.begins_on < now)))
    return sum(advance(event, now) for event in over)


def refresh_series(now=None):
    """The daily job: every series' occurrence rows kept a window ahead, and its shown occurrence
    current; how many series."""
    now = now or utcnow()
    series = list(Event.select().where(Event.rrule != ""))
    for event in series:
        refresh(event, now)
        advance(event, now)
    return len(series)
