"""Events as ActivityStreams documents, in Mobilizon's shape, field for field, and back."""
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...dates import YEARS, parse_utc, utc_text, within_years
from ...models.events import JOIN_MODES, CommentMode, JoinMode, Status, Visibility, status_from_ical
from ...models.limits import (
    CAPACITY_MAX,
    DESCRIPTION_MAX,
    EXDATES_MAX,
    LINK_LABEL_MAX,
    LINKS_MAX,
    RRULE_MAX,
    TAG_MAX_LENGTH,
    TAGS_MAX,
    TIMEZONE_MAX,
    TITLE_MAX,
)
from ...text import sanitize_html, tag_has_a_page, text_line
from ...urls import public_url
from .. import audience
from ..parse import ParseError
from ..vocab import CONTEXT, PUBLIC_ALIASES, as_list, get_id, is_public
from .address import PLACE_FIELDS, address_to_ap, http_url, media_type, online_from_ap, place_from_ap

# Our link kinds as the metadata keys Mobilizon's front end knows.
LINK_PROPERTY_IDS = {
    "visio": "mz:visio:jitsi_meet",
    "live": "mz:live:peertube:url",
    "chat": "mz:social:matrix",
    "poll": "mz:poll:framadate:url",
    "pad": "mz:notes:etherpad:url",
    "tickets": "mz:ticket:external_url",
    "website": "mz:social:website",
}


def local_time(moment, zone):
    """An aware datetime as Mobilizon writes an event's times: in the event's zone, with its offset."""
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def place_to_ap(event):
    """The event's physical address as a Place with a PostalAddress (None when it has none)."""
    if not event.has_address:
        return None
    return address_to_ap(f"{event.ap_id}#place", {name: getattr(event, name) for name in PLACE_FIELDS},
                         *((event.latitude, event.longitude) if event.has_coordinates else ()))


def event_to_ap(event, participant_count, summary, online_url, links, changed_dates=()):
    """The Event document; summary is the plain-text line (date, zone, place) microblogs show;
    online_url and links are the online address ("" to leave it out) and links it may carry;
    changed_dates, a series' dates changed or cancelled (event_date.changed_date_to_ap)."""
    zone = event.zone
    to, cc = audience.of_event(event)
    attachments = [{"type": "PropertyValue", "name": link.get("label") or link["type"],
                    "propertyID": LINK_PROPERTY_IDS.get(link["type"], "mz:social:website"), "value": link["url"]}
                   for link in links]
    if event.picture:
        attachments.append({"type": "Document", "mediaType": media_type(event.picture), "name": "Banner",
                            "url": public_url("events.upload", name=event.picture)})
    if online_url:
        attachments.append({"type": "Link", "href": online_url, "mediaType": "text/html", "name": "Website"})
    capacity = event.capacity
    status = event.ical_status
    document = {
        "@context": CONTEXT,
        "type": "Event",
        "id": event.ap_id,
        "url": event.ap_id,
        "uuid": event.uuid,
        "name": event.title,
        "content": event.description,
        "mediaType": "text/html",
        "summary": summary,
        "startTime": local_time(event.begins_on, zone),
        "endTime": local_time(event.ends_on, zone),
        "timezone": event.timezone,
        "published": utc_text(event.created_at),
        "updated": utc_text(event.updated_at),
        "actor": event.organizer.ap_id,
        # Mobilizon's shape: a group's event is attributed to the group, its actor the member who made it.
        "attributedTo": event.attributed_to.ap_id if event.attributed_to_id else event.organizer.ap_id,
        "to": to,
        "cc": cc,
        "category": event.category,
        "tag": [{"type": "Hashtag", "name": f"#{tag}", "href": public_url("search.results", q=f"#{tag}")}
                for tag in event.tags],
        "joinMode": event.join_mode,
        "externalParticipationUrl": event.external_participation_url or None,
        "maximumAttendeeCapacity": capacity,
        "remainingAttendeeCapacity": max(capacity - participant_count, 0) if capacity else None,
        "participantCount": participant_count,
        "repliesModerationOption": event.comment_mode,
        "commentsEnabled": not event.comments_closed,
        "anonymousParticipationEnabled": event.anonymous_participation,
        "isOnline": bool(event.online_url) and not event.has_address,
        "status": status,
        "ical:status": status,
        "draft": False,
        "inLanguage": event.language or "und",
        "contacts": [],
        "attachment": attachments,
    }
    location = place_to_ap(event)
    if location is not None:
        document["location"] = location
    if event.repeats:
        # startTime and endTime above are the date the series is at, as Mobilizon reads them.
        document["repetition"] = {"rrule": event.rrule, "exdates": event.exdates,
                                  "startTime": local_time(event.series_begins_on, zone),
                                  "endTime": local_time(event.series_ends_on, zone)}
        document["changedDates"] = list(changed_dates)
    return document


def repetition_from_ap(document):
    """(rrule, exdates, first start, first end or None) of an Event's `repetition`, its values of the
    right types and sizes (the rule itself is checked by who stores it); None without a usable one."""
    found = document.get("repetition")
    if not isinstance(found, dict):
        return None
    rrule, exdates = found.get("rrule"), found.get("exdates", [])
    begins_on, ends_on = parse_utc(found.get("startTime")), parse_utc(found.get("endTime"))
    if (not isinstance(rrule, str) or len(rrule) > RRULE_MAX or not isinstance(exdates, list)
            or len(exdates) > EXDATES_MAX or not all(isinstance(day, str) and len(day) == 10 for day in exdates)
            or begins_on is None or not within_years(begins_on)
            or (ends_on is not None and (not within_years(ends_on) or ends_on <= begins_on))):
        return None
    return rrule, exdates, begins_on, ends_on


# Reading events from other servers -----------------------------------------------------

# Mobilizon's other keys by their family; its mz:social:* keys are profiles on social networks (websites),
# read as our links of that kind. The keys we write read back as the kind they were written from.
LINK_TYPES_BY_PREFIX = (("mz:visio", "visio"), ("mz:live", "live"), ("mz:replay", "live"), ("mz:poll", "poll"),
                        ("mz:notes", "pad"), ("mz:ticket", "tickets"))
LINK_TYPES_BY_ID = {property_id: kind for kind, property_id in LINK_PROPERTY_IDS.items()}


def link_type(property_id):
    """Our link kind of a PropertyValue's propertyID (website for a key we do not know)."""
    if property_id in LINK_TYPES_BY_ID:
        return LINK_TYPES_BY_ID[property_id]
    return next((kind for prefix, kind in LINK_TYPES_BY_PREFIX if property_id.startswith(prefix)), "website")


def _integer(value, low, high):
    """value when it is a whole number (JSON true is not) between low and high, else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high else None


def _zone(value, start):
    """The event's IANA zone; without one, a fixed zone of its start's offset (Gancio sends none)."""
    try:
        if isinstance(value, str) and 0 < len(value) <= TIMEZONE_MAX:
            return ZoneInfo(value).key
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name such as "America" is a directory
        pass
    try:
        offset = datetime.fromisoformat(start.replace("Z", "+00:00")).utcoffset()
    except (AttributeError, TypeError, ValueError):
        offset = None
    hours, rest = divmod(int(offset.total_seconds()), 3600) if offset else (0, 0)
    # Etc/GMT zones count the other way round: UTC+2 is Etc/GMT-2.
    return f"Etc/GMT{-hours:+d}" if hours and not rest and -14 <= hours <= 12 else "UTC"


def visibility(document):
    """public with the Public in `to` (as Mobilizon reads it), unlisted with it in `cc`, else private."""
    if any(get_id(item) in PUBLIC_ALIASES for item in as_list(document.get("to"))):
        return Visibility.PUBLIC
    return Visibility.UNLISTED if is_public(document) else Visibility.PRIVATE


def group_id_from_ap(document, maker_id):
    """The id of the group a remote event or post is attributed to, as Mobilizon says it (attributedTo
    another actor than maker_id, the one who made it), on the object's own server only; else None."""
    group_id = next((get_id(item) for item in as_list(document.get("attributedTo")) if get_id(item)), None)
    if not group_id or group_id in (maker_id, get_id(document.get("actor"))) or not isinstance(document.get("id"), str):
        return None
    return group_id if urlsplit(group_id).netloc == urlsplit(document["id"]).netloc else None


def event_from_ap(document, categories, languages):
    """Event columns from a remote Event, read as tolerantly as Mobilizon does; ParseError if unusable."""
    title = text_line(document.get("name"), TITLE_MAX)
    begins_on = parse_utc(document.get("startTime"))
    if not title or begins_on is None:
        raise ParseError("an event needs a name and a startTime")
    ends_on = parse_utc(document.get("endTime"))
    # The event form's years: beyond them no page, feed or zone could show the event.
    if not all(within_years(moment) for moment in (begins_on, ends_on) if moment is not None):
        raise ParseError(f"an event takes place between the years {YEARS[0]} and {YEARS[1]}")
    if ends_on is not None and ends_on <= begins_on:
        ends_on = None
    status = status_from_ical(document.get("status") or document.get("ical:status") or "") or Status.CONFIRMED
    join_mode = document.get("joinMode") if document.get("joinMode") in JOIN_MODES else JoinMode.FREE
    replies = document.get("repliesModerationOption")
    if replies not in (CommentMode.ALLOW_ALL, CommentMode.CLOSED):
        replies = CommentMode.CLOSED if document.get("commentsEnabled") is False else CommentMode.ALLOW_ALL
    online_url, more_online = online_from_ap(document)
    links = []
    for attachment in as_list(document.get("attachment")):
        if isinstance(attachment, dict) and attachment.get("type") == "PropertyValue" and http_url(
                attachment.get("value")):
            kind = link_type(str(attachment.get("propertyID") or ""))
            links.append({"type": kind, "url": http_url(attachment["value"]),
                          "label": text_line(attachment.get("name"), LINK_LABEL_MAX)})
    tags = []
    for tag in as_list(document.get("tag")):
        if isinstance(tag, dict) and tag.get("type") == "Hashtag":
            # Read past the limit: a longer tag is dropped, as the form refuses it, never cut into another.
            name = text_line(tag.get("name"), 2 * TAG_MAX_LENGTH).lstrip("#").casefold()
            # A tag whose page no link can reach is dropped (a comma would also split it in two).
            if name and len(name) <= TAG_MAX_LENGTH and tag_has_a_page(name) and name not in tags:
                tags.append(name)
    category = str(document.get("category") or "").upper()
    language = str(document.get("inLanguage") or "")
    return {
        "title": title,
        # Cut before sanitising, so that the sanitiser closes what the cut left open.
        "description": sanitize_html(document["content"][:DESCRIPTION_MAX]
                                     if isinstance(document.get("content"), str) else ""),
        "begins_on": begins_on,
        "ends_on": ends_on,
        "timezone": _zone(document.get("timezone"), document.get("startTime")),
        "status": status,
        "visibility": visibility(document),
        "join_mode": join_mode,
        "external_participation_url": http_url(document.get("externalParticipationUrl")),
        "capacity": _integer(document.get("maximumAttendeeCapacity"), 1, CAPACITY_MAX),
        "comment_mode": replies,
        "remote_participant_count": _integer(document.get("participantCount"), 0, 1_000_000),
        "anonymous_participation": False,  # anonymous participants stay on the event's own server
        **place_from_ap(document),
        "online_url": online_url,
        "links": (links + more_online)[:LINKS_MAX],
        "tags": tags[:TAGS_MAX],
        "category": category if category in categories else "MEETING",
        "language": language if language in languages else "",
    }
