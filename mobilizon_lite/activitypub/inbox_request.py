"""What a POST to an inbox must be before its activity is handled: a small ActivityStreams document,
signed for this server by its actor, naming only what its actor's server owns."""
import logging

from ..urls import host_of
from . import blocklist
from .parse import ParseError, load_json
from .signatures import SignatureError, parse_signature_header, signed_for, verify_request
from .vocab import AP_MEDIA_TYPES, get_id

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
# Verbs that create, change or delete their object: only the object's own server may send them.
OWNED_VERBS = ("Create", "Update", "Delete")


class Refused(Exception):
    """The request is answered with status and reason, and nothing of it is kept."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status, self.reason = status, reason


def read_activity(content_type, body):
    """The activity a POST body carries, with an actor, a type and an id; raises Refused.

    Cheapest checks first: size, media type, then JSON.
    """
    if len(body) > MAX_BODY:
        raise Refused(413, "body larger than 1 MiB")
    if (content_type or "").split(";")[0].strip().lower() not in AP_MEDIA_TYPES:
        raise Refused(415, "not an ActivityStreams document")
    try:
        activity = load_json(body)
    except ParseError as error:
        raise Refused(400, str(error)) from None
    if not get_id(activity.get("actor")):
        raise Refused(400, "activity without an actor")
    # Without a type nothing can say what the activity does, and without an id it cannot be stored
    # once: refused (a 4xx is final for Mastodon and others, so the sender does not retry it).
    if not isinstance(activity.get("type"), str) or not activity["type"]:
        raise Refused(400, "activity without a type")
    if not isinstance(activity.get("id"), str) or not activity["id"]:
        raise Refused(400, "activity without an id")
    return activity


def refuse_blocked(headers, activity):
    """Refused (403) when the activity's actor or the request's signing key is on a suspended server:
    checked before any key is fetched or anything is stored."""
    hosts = [host_of(get_id(activity["actor"]))]
    try:
        hosts.append(host_of(parse_signature_header(headers.get("signature"))["keyId"]))
    except SignatureError:
        pass  # check_signed refuses it as unsigned
    if blocklist.suspends(*hosts):
        log.info("inbox: refused %s from %s: the server is blocked", activity["type"], hosts[0])
        raise Refused(403, "this server is blocked here")


def check_signed(method, target, headers, body, activity, key_for, base_url):
    """Check that the activity's actor signed this request for base_url and that the activity and
    what it changes are on that actor's server; returns the Verified key, or raises Refused (401
    signature, 400 ids).

    key_for(key_id, refresh) returns (public PEM, owner actor id), as verify_request expects.
    """
    actor_id = get_id(activity["actor"])
    actor_host = host_of(actor_id)
    try:
        verified = verify_request(method, target, headers, body, key_for)
    except SignatureError as error:
        log.info("inbox: refused %s from %s: %s", activity["type"], actor_host, error)
        raise Refused(401, f"signature refused: {error}") from None
    if not signed_for(headers, base_url):
        raise Refused(401, "the request was signed for another server")
    if verified.owner != actor_id or host_of(verified.owner) != actor_host:
        raise Refused(401, "the signing key does not belong to the activity's actor")
    if actor_host is None or host_of(activity["id"]) != actor_host:
        raise Refused(400, "the activity's id is not an http(s) URL on its actor's server")
    if activity["type"] in OWNED_VERBS and not _may_change(activity, actor_host, base_url):
        # Creating, changing or deleting something on another server is never this actor's to do.
        raise Refused(400, "the object is not on the actor's server")
    return verified



def _may_change(activity, actor_host, base_url):
    """True when an actor of actor_host may send this change of its object: its own server's objects only.
    A Member is its group's (its id may be the Join the member's server sent, as Mobilizon keeps it),
    and a member of one of our groups may ask us to change another, or to change or delete one of our
    events or group content (as its group's moderator): their role is checked by the handler."""
    document = activity.get("object")
    if isinstance(document, dict) and document.get("type") == "Member":
        group_host = host_of(get_id(document.get("object")))
        return group_host in (actor_host, host_of(base_url))
    object_host = host_of(get_id(document))
    if object_host == host_of(base_url) and activity["type"] != "Create":
        return activity["type"] == "Delete" or (isinstance(document, dict) and document.get("type") == "Event")
    return object_host == actor_host
