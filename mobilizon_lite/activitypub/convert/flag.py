"""Flag: a report sent to (or received from) another server, in Mobilizon's shape."""
from ...text import clean_text
from ..vocab import CONTEXT, as_list, get_id

# A Flag names an actor and some of its content: more than this is no honest report.
OBJECTS_MAX = 20
CONTENT_MAX = 2000


def flag_to_ap(activity_id, instance_actor, reported, object_ids, content):
    """The Flag the instance actor sends to reported's server about reported and object_ids (its content
    there). The reporter is never named: the instance reports, as Mobilizon's relay does."""
    return {"@context": CONTEXT, "id": activity_id, "type": "Flag", "actor": instance_actor.ap_id,
            "content": content, "mediaType": "text/plain", "object": [reported.ap_id, *object_ids],
            "to": [], "cc": [reported.ap_id]}


def flag_from_ap(activity):
    """(object ids, content) of a received Flag: at most OBJECTS_MAX ids, the text cut at CONTENT_MAX."""
    ids = [get_id(value) for value in as_list(activity.get("object"), OBJECTS_MAX)]
    content = activity.get("content")
    text = clean_text(content, multiline=True).strip()[:CONTENT_MAX] if isinstance(content, str) else ""
    return [object_id for object_id in dict.fromkeys(ids) if object_id], text
