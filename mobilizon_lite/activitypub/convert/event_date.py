"""One changed or cancelled date of a series as its own Event, linked to the series by our terms (see
vocab.OUR_TERMS), and back: its id, the short form the series' document lists, and the reading of
either form by a server of ours."""
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ...dates import parse_utc, utc_text, within_years
from ...models.events import Status, status_from_ical
from ...models.limits import ADDRESS_MAX, MESSAGE_MAX, URL_MAX
from ...text import clean_text
from ..parse import ParseError
from ..vocab import get_id
from .address import PLACE_FIELDS, address_to_ap, place_from_ap
from .event import local_time

# A date's start in a URL: iCalendar's UTC form, without characters a path would have to escape.
INSTANT_FORMAT = "%Y%m%dT%H%M%SZ"


def instant_text(moment):
    """A date's UTC start as its URLs write it (20270316T180000Z)."""
    return moment.astimezone(UTC).strftime(INSTANT_FORMAT)


def instant_from_text(text):
    """The UTC start an instant_text names, or None when it names none."""
    try:
        return datetime.strptime(text, INSTANT_FORMAT).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def date_id(series_id, recurrence_id):
    """The id of the Event of the series' date recurrence_id (its UTC start as the rule gives it)."""
    return f"{series_id}/dates/{instant_text(recurrence_id)}"


def is_date_document(document):
    """True for an Event that says it is one date of a series (`recurrenceOf`)."""
    return (isinstance(document, dict) and document.get("type") == "Event"
            and isinstance(get_id(document.get("recurrenceOf")), str))


def link_to_series(document, series_id, recurrence_id, note):
    """document (a date's Event in Mobilizon's shape) with our terms: the series it is a date of, the
    date's start as the rule gives it, and the organisers' note for that date."""
    return dict(document, recurrenceOf=series_id, recurrenceId=utc_text(recurrence_id), dateNote=note)


def changed_date_to_ap(series_id, recurrence_id, span, zone, status, place, note):
    """The short form of a changed date a series' document lists: what differs from the series (span,
    its (start, end or None); status, its iCalendar STATUS; place, the date's own address columns or
    None) and nothing else."""
    ap_id = date_id(series_id, recurrence_id)
    document = {"type": "Event", "id": ap_id, "recurrenceId": utc_text(recurrence_id),
                "startTime": local_time(span[0], zone), "endTime": local_time(span[1], zone) if span[1] else None,
                "status": status, "ical:status": status, "dateNote": note}
    if place:
        document["location"] = address_to_ap(f"{ap_id}#place", place)
    return document


def date_from_ap(document, series_id, series_place):
    """The override columns a date's Event carries (either form), each bounded: recurrence_id, begins_on,
    ends_on (None without its own times), cancelled, place_name and address (empty when its place is
    series_place, the series' address columns) and description (its note). ParseError when it is not
    a date of series_id's server or names no start."""
    ap_id = document.get("id")
    if (not isinstance(ap_id, str) or len(ap_id) > URL_MAX
            or urlsplit(ap_id).netloc != urlsplit(series_id).netloc):
        raise ParseError("a date of a series is an Event of the series' own server")
    recurrence_id = parse_utc(document.get("recurrenceId"))
    if recurrence_id is None or not within_years(recurrence_id):
        raise ParseError("a date of a series needs its recurrenceId")
    begins_on, ends_on = parse_utc(document.get("startTime")), parse_utc(document.get("endTime"))
    if begins_on is None or not within_years(begins_on):
        begins_on = ends_on = None
    elif ends_on is not None and (ends_on <= begins_on or not within_years(ends_on)):
        ends_on = None
    place = place_from_ap(document)
    own = {name: place[name] for name in PLACE_FIELDS}
    if own == {name: series_place[name] for name in PLACE_FIELDS}:
        own = dict.fromkeys(PLACE_FIELDS, "")
    address = ", ".join(part for part in (own[name] for name in PLACE_FIELDS[1:]) if part)
    status = status_from_ical(document.get("status") or document.get("ical:status") or "")
    note = clean_text(document["dateNote"], multiline=True) if isinstance(document.get("dateNote"), str) else ""
    return {"ap_id": ap_id, "recurrence_id": recurrence_id, "begins_on": begins_on, "ends_on": ends_on,
            "cancelled": status == Status.CANCELLED, "place_name": own["place_name"],
            "address": address[:ADDRESS_MAX["street"]], "description": note[:MESSAGE_MAX]}
