"""ActivityStreams vocabulary: contexts, media types, the public audience, and tolerant accessors."""
AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# The public audience as other servers send it: compacted, or with http://.
PUBLIC_ALIASES = frozenset({AS_PUBLIC, "http://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})

AP_MEDIA_TYPE = "application/activity+json"
LD_MEDIA_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
AP_MEDIA_TYPES = ("application/activity+json", "application/ld+json")

# Mobilizon's @context, term for term, so both codebases read each other's documents the same way.
MOBILIZON_TERMS = {
    "@language": "und", "sc": "http://schema.org#", "ical": "http://www.w3.org/2002/12/cal/ical#",
    "pt": "https://joinpeertube.org/ns#", "toot": "http://joinmastodon.org/ns#",
    "mz": "https://joinmobilizon.org/ns#", "discoverable": "toot:discoverable",
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers", "Hashtag": "as:Hashtag",
    "category": "sc:category", "uuid": "sc:identifier", "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
    "remainingAttendeeCapacity": "sc:remainingAttendeeCapacity",
    "location": {"@id": "sc:location", "@type": "sc:Place"}, "PostalAddress": "sc:PostalAddress",
    "address": {"@id": "sc:address", "@type": "sc:PostalAddress"}, "addressCountry": "sc:addressCountry",
    "addressRegion": "sc:addressRegion", "postalCode": "sc:postalCode", "addressLocality": "sc:addressLocality",
    "streetAddress": "sc:streetAddress",
    "repliesModerationOptionType": {"@id": "mz:repliesModerationOptionType", "@type": "rdfs:Class"},
    "repliesModerationOption": {"@id": "mz:repliesModerationOption", "@type": "mz:repliesModerationOptionType"},
    "commentsEnabled": {"@type": "sc:Boolean", "@id": "pt:commentsEnabled"},
    "joinModeType": {"@id": "mz:joinModeType", "@type": "rdfs:Class"},
    "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
    "anonymousParticipationEnabled": {"@id": "mz:anonymousParticipationEnabled", "@type": "sc:Boolean"},
    "participationMessage": {"@id": "mz:participationMessage", "@type": "sc:Text"},
    "participantCount": {"@id": "mz:participantCount", "@type": "sc:Integer"},
    "memberCount": {"@id": "mz:memberCount", "@type": "sc:Integer"},
    "isOnline": {"@type": "sc:Boolean", "@id": "mz:isOnline"},
    "externalParticipationUrl": {"@id": "mz:externalParticipationUrl", "@type": "sc:URL"},
    "PropertyValue": "sc:PropertyValue", "value": "sc:value", "propertyID": "sc:propertyID",
    "inLanguage": "sc:inLanguage", "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
    "discussions": {"@id": "mz:discussions", "@type": "@id"}, "events": {"@id": "mz:events", "@type": "@id"},
    "members": {"@id": "mz:members", "@type": "@id"}, "openness": {"@id": "mz:openness", "@type": "@id"},
    "posts": {"@id": "mz:posts", "@type": "@id"}, "resources": {"@id": "mz:resources", "@type": "@id"},
    "todos": {"@id": "mz:todos", "@type": "@id"}, "status": {"@id": "ical:status", "@type": "ical:status"},
}
# Our own extensions, in our own namespace: other software ignores them. `repetition` carries a
# repeated event's rule as a JSON literal: {"rrule", "exdates", "startTime", "endTime"} (its first date).
# One date of a series changed or cancelled goes as its own Event: `recurrenceOf` the series' id,
# `recurrenceId` the date's start as the rule gives it (iCalendar's RECURRENCE-ID, in UTC), `dateNote`
# the organisers' note for that date alone; the series lists its changed dates in `changedDates`.
OUR_NAMESPACE = "https://w3id.org/mobilizon-lite/ns#"
OUR_TERMS = {"mzl": OUR_NAMESPACE, "repetition": {"@id": "mzl:repetition", "@type": "@json"},
             "recurrenceOf": {"@id": "mzl:recurrenceOf", "@type": "@id"},
             "recurrenceId": {"@id": "mzl:recurrenceId", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
             "dateNote": {"@id": "mzl:dateNote", "@type": "sc:Text"}, "changedDates": {"@id": "mzl:changedDates"}}
CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", {**MOBILIZON_TERMS, **OUR_TERMS}]


# Readers of foreign documents look at the first ITEMS_MAX entries of an array and never at the
# rest, so that 20,000 tags cost what 64 do; no honest event, note or actor needs more. Servers
# put the Public first in to/cc: one listed later reads as not public, the safe side.
ITEMS_MAX = 64


def as_list(value, limit=ITEMS_MAX):
    """A property that may be absent, one value or a list, as a list of its first limit values."""
    if value is None:
        return []
    return value[:limit] if isinstance(value, list) else [value]


def get_id(value):
    """The id of a property that may be a URL string or an embedded object; None otherwise."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def is_public(activity):
    """True when the public audience is among to/cc (in any of its spellings)."""
    audience = as_list(activity.get("to")) + as_list(activity.get("cc"))
    return any(get_id(item) in PUBLIC_ALIASES for item in audience)


def is_listed(activity):
    """True when the public audience is in `to`: public, not unlisted (the Public only in `cc`)."""
    return any(get_id(item) in PUBLIC_ALIASES for item in as_list(activity.get("to")))
