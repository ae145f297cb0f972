"""Actors seen from federation: the instance actor, remote actors fetched and refreshed, their keys."""
import logging
from urllib.parse import urlsplit

from flask import current_app
from peewee import IntegrityError

from ..activitypub import blocklist, client
from ..activitypub.convert.actor import group_settings_from_ap, image_url_from_ap
from ..activitypub.keys import new_key_pair
from ..activitypub.parse import ParseError
from ..activitypub.signatures import SignatureError, sign_headers, signed_for, verify_request
from ..activitypub.vocab import get_id
from ..db import database, utcnow
from ..models import Account, Actor, Follow, Tombstone
from ..models.actors import TYPE_APPLICATION
from ..models.federation import DONE, IGNORED
from ..models.limits import URL_MAX
from ..text import clean_text, sanitize_html
from ..urls import public_url
from . import throttles

log = logging.getLogger(__name__)

INSTANCE_USERNAME = "relay"
ACTOR_TYPES = frozenset({"Person", "Group", "Application", "Organization", "Service"})
KEY_REFETCH_INTERVAL = 300
FIELD_MAX = 2048


def instance_actor():
    """The instance's own actor (an Application, as Mobilizon's relay), made on first use."""
    actor = Actor.get_or_none(Actor.domain.is_null() & (Actor.preferred_username == INSTANCE_USERNAME))
    if actor is not None:
        return actor
    private_pem, public_pem = new_key_pair()
    try:
        with database.atomic():
            return Actor.create(type=TYPE_APPLICATION, preferred_username=INSTANCE_USERNAME,
                                name=current_app.config["INSTANCE_NAME"], ap_id=public_url("actors.instance"),
                                public_key_pem=public_pem, private_key_pem=private_pem,
                                manually_approves_followers=True)
    except IntegrityError:  # another thread made it first
        return Actor.get(Actor.domain.is_null() & (Actor.preferred_username == INSTANCE_USERNAME))


def owned_by_confirmed():
    """Condition on Actor: owned by an account whose address is confirmed, or by none (the
    instance actor). Until its sign-up is confirmed, an identity is nobody to anyone."""
    return Actor.account.is_null() | Actor.account.in_(
        Account.select(Account.id).where(Account.confirmed_at.is_null(False)))


def live_local():
    """Condition on Actor: a local actor others may find, see and follow."""
    return Actor.domain.is_null() & Actor.deleted_at.is_null() & ~Actor.suspended & owned_by_confirmed()


def signing(signer=None):
    """The sign function of client.request for GETs signed by signer (a local actor; by default the
    instance actor)."""
    signer = signer or instance_actor()

    def sign(method, target_url):
        return sign_headers(method, target_url, f"{signer.ap_id}#main-key", signer.private_key_pem)

    return sign


def allowed_networks():
    """The private networks this instance may fetch from (ALLOWED_PRIVATE_NETWORKS), parsed."""
    return client.parse_networks(current_app.config["ALLOWED_PRIVATE_NETWORKS"])


def signed_get(url, signer=None):
    """Fetch an ActivityStreams document with a GET signed by signer (a local actor; by default
    the instance actor)."""
    return client.fetch_object(url, allowed=allowed_networks(), sign=signing(signer))


def known_or_fetched(actor_id):
    """The actor at actor_id: known here, or fetched from its server; None when it cannot be had."""
    if not isinstance(actor_id, str) or len(actor_id) > URL_MAX:
        return None
    actor = Actor.get_or_none(Actor.ap_id == actor_id)
    if actor is not None:
        return actor
    try:
        return actor_from_ap(signed_get(actor_id))
    except (client.RequestError, ParseError) as error:
        log.info("cannot fetch %s: %s", actor_id, error)
        return None


def _text(value, limit=FIELD_MAX):
    return value[:limit] if isinstance(value, str) else ""


def _url(value):
    """An http(s) URL we can later POST to, or None."""
    value = _text(get_id(value))
    try:
        client.check_url(value)
    except client.RequestError:
        return None
    return value


def actor_from_ap(document):
    """Store (or refresh) a remote actor from its fetched document; returns the Actor.
    ParseError when the document is not a remote actor."""
    ap_id = document.get("id")
    if document.get("type") not in ACTOR_TYPES or not isinstance(ap_id, str):
        raise ParseError(f"{ap_id!r} is not an actor")
    key = document.get("publicKey") if isinstance(document.get("publicKey"), dict) else {}
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    values = {
        "type": document["type"] if document["type"] in ("Person", "Group", "Application") else "Person",
        "preferred_username": (clean_text(_text(document.get("preferredUsername"), 255))
                               or clean_text(ap_id.rsplit("/", 1)[-1][:255])),
        "domain": urlsplit(ap_id).netloc.lower(),
        "name": clean_text(_text(document.get("name"), 255)),
        "summary": sanitize_html(_text(document.get("summary"), 20_000)),
        "inbox": _url(document.get("inbox")),
        "shared_inbox": _url(endpoints.get("sharedInbox")),
        "public_key_pem": _text(key.get("publicKeyPem"), 8192) or None,
        "public_key_id": _text(key.get("id")) or None,
        "manually_approves_followers": document.get("manuallyApprovesFollowers") is True,
        "avatar_url": image_url_from_ap(document.get("icon")),
        "banner_url": image_url_from_ap(document.get("image")),
        "fetched_at": utcnow(),
        "updated_at": utcnow(),
    }
    if blocklist.rejects_media(values["domain"]):
        values.update(avatar_url=None, banner_url=None)
    if values["type"] == "Group":
        values.update(group_settings_from_ap(document))
    # IMMEDIATE (SQLite's transactions all are): on PostgreSQL too, the same actor fetched by requests at once
    # (a follow pressed twice, activities of one sender) is created once, then refreshed.
    with database.atomic("IMMEDIATE"):
        actor = Actor.get_or_none(Actor.ap_id == ap_id)
        if actor is None:
            return Actor.create(ap_id=ap_id, **values)
        if actor.domain is None:
            raise ParseError(f"{ap_id} is a local actor")
        Actor.update(**values).where(Actor.id == actor.id).execute()
    return Actor.get_by_id(actor.id)


def _key_owner_document(key_id):
    """The actor document behind a key id (the key may be a fragment of it, or its own document)."""
    document = signed_get(key_id.split("#", 1)[0])
    if document.get("type") not in ACTOR_TYPES and isinstance(document.get("owner"), str):
        document = signed_get(document["owner"])
    return document


def _key_holder(key_id):
    return Actor.get_or_none((Actor.ap_id == key_id.split("#", 1)[0]) | (Actor.public_key_id == key_id))


def public_key_for(key_id, refresh=False):
    """(public PEM, owner actor id) of a key, fetched when unknown; refreshed at most every 5 minutes."""
    actor = _key_holder(key_id)
    if actor is not None and actor.domain is None:
        return actor.public_key_pem, actor.ap_id
    if actor is not None and actor.public_key_pem and not refresh:
        return actor.public_key_pem, actor.ap_id
    # One fetch per key document per 5 minutes, whatever the fragment, whether it is the first
    # fetch, a refresh after a failing signature, or a fetch that failed.
    if not throttles.once_every(f"key-fetch:{key_id.split('#', 1)[0]}", KEY_REFETCH_INTERVAL):
        return None, None
    try:
        document = _key_owner_document(key_id)
        key = document.get("publicKey") if isinstance(document.get("publicKey"), dict) else {}
        if key.get("id") != key_id:
            log.info("key %s is not the key of %s", key_id, document.get("id"))
            return None, None
        actor = actor_from_ap(document)
    except (client.RequestError, ParseError) as error:
        log.info("cannot fetch key %s: %s", key_id, error)
        return None, None
    return actor.public_key_pem, actor.ap_id


def signed_requester(method, target, headers):
    """The actor whose key signed this request, or None (unsigned, unknown key, bad signature).

    Only keys already stored count: answering a GET never makes us fetch anything, and the actors
    a signed GET may matter for (participants of an event) are known here already. headers maps
    lower-case names to values.
    """
    if "signature" not in headers or not signed_for(headers, current_app.config["BASE_URL"]):
        return None

    def stored_key(key_id, refresh):
        actor = None if refresh else _key_holder(key_id)
        return (actor.public_key_pem, actor.ap_id) if actor is not None else (None, None)

    try:
        verified = verify_request(method, target, headers, b"", stored_key)
    except SignatureError as error:
        log.info("signed %s %s not verified: %s", method, target, error)
        return None
    return Actor.get_or_none(Actor.ap_id == verified.owner)


def keep_tombstone(item):
    """Remember a Delete against its sender, so a late or replayed Create or Update of it is ignored."""
    Tombstone.get_or_create(ap_id=get_id(item.body.get("object")), actor=item.actor)


def mark_deleted(actor):
    """A remote account deleted on its server: marked gone, its follows both ways dropped."""
    Actor.update(deleted_at=utcnow()).where(Actor.id == actor.id).execute()
    Follow.delete().where((Follow.follower == actor) | (Follow.followed == actor)).execute()


def on_update_actor(item):
    """An Update of the actor itself refreshes its profile and key from its own server."""
    if get_id(item.body.get("object")) != item.actor.ap_id:
        return IGNORED
    # The embedded copy is not trusted: the profile is fetched from its origin.
    try:
        actor_from_ap(signed_get(item.actor.ap_id))
    except ParseError:
        return IGNORED  # what its server now serves is no actor: the profile we hold stands
    return DONE
