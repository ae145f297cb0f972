"""Events as ActivityStreams documents, in Mobilizon's shape, field for field."""
from ...urls import public_url
from ..vocab import AS_PUBLIC, CONTEXT
from .actor import actor_urls

ICAL_STATUS = {"confirmed": "CONFIRMED", "tentative": "TENTATIVE", "cancelled": "CANCELLED"}
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


def _time(moment, zone):
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def _utc(moment):
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def place_to_ap(event):
    """The event's physical address as a Place with a PostalAddress (None when it has none)."""
    if not event.has_address:
        return None
    place = {
        "type": "Place",
        "id": f"{event.ap_id}#place",
        "name": event.place_name or event.locality,
        "address": {"type": "PostalAddress", "streetAddress": event.street, "postalCode": event.postal_code,
                    "addressLocality": event.locality, "addressRegion": event.region,
                    "addressCountry": event.country},
    }
    if event.has_coordinates:
        place.update(latitude=event.latitude, longitude=event.longitude)
    return place


def audience(event):
    """(to, cc) of an event: public ones address the Public; unlisted ones cc it; private ones never."""
    followers = actor_urls(event.organizer)["followers"]
    if event.visibility == "public":
        return [AS_PUBLIC], [followers]
    if event.visibility == "unlisted":
        return [followers], [AS_PUBLIC]
    return [followers], []


def event_to_ap(event, participant_count, summary):
    """The Event document; summary is the plain-text line (date, zone, place) microblogs show."""
    zone = event.zone
    to, cc = audience(event)
    attachments = [{"type": "PropertyValue", "name": link.get("label") or link["type"],
                    "propertyID": LINK_PROPERTY_IDS.get(link["type"], "mz:social:website"), "value": link["url"]}
                   for link in event.links]
    if event.picture:
        attachments.append({"type": "Document", "mediaType": _media_type(event.picture), "name": "Banner",
                            "url": public_url("events.upload", name=event.picture)})
    if event.online_url:
        attachments.append({"type": "Link", "href": event.online_url, "mediaType": "text/html", "name": "Website"})
    capacity = event.capacity
    status = ICAL_STATUS.get(event.status, "CONFIRMED")
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
        "startTime": _time(event.begins_on, zone),
        "endTime": _time(event.ends_on, zone),
        "timezone": event.timezone,
        "published": _utc(event.created_at),
        "updated": _utc(event.updated_at),
        "actor": event.organizer.ap_id,
        "attributedTo": event.organizer.ap_id,
        "to": to,
        "cc": cc,
        "category": event.category,
        "tag": [{"type": "Hashtag", "name": f"#{tag}", "href": public_url("pages.home") + f"?tag={tag}"}
                for tag in event.tags],
        "joinMode": event.join_mode,
        "externalParticipationUrl": event.external_participation_url or None,
        "maximumAttendeeCapacity": capacity,
        "remainingAttendeeCapacity": max(capacity - participant_count, 0) if capacity else None,
        "participantCount": participant_count,
        "repliesModerationOption": event.comment_mode,
        "commentsEnabled": event.comment_mode == "allow_all",
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
    return document


def _media_type(name):
    extension = name.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}.get(extension,
                                                                                                  "image/jpeg")
