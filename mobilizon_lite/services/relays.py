"""Instance followings (relays): this instance's actor following other instances' actors and followed by
them, as Mobilizon instances subscribe to each other's public events."""
import logging
import re
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from ..activitypub import client
from ..activitypub.nodeinfo import instance_actor_url
from ..activitypub.parse import ParseError
from ..activitypub.vocab import as_list, get_id
from ..db import database
from ..models import Actor, Event, Follow, Tombstone
from ..models.actors import TYPE_APPLICATION
from ..models.federation import DONE, IGNORED
from ..models.limits import URL_MAX
from . import announces, follows, moderation_log, remote_events
from .actors import INSTANCE_USERNAME, actor_from_ap, instance_actor, known_or_fetched, signed_get
from .errors import Invalid, NotFound

log = logging.getLogger(__name__)

HOST = re.compile(r"[a-z0-9]([a-z0-9.-]{0,252}[a-z0-9])?(:[0-9]{1,5})?")
PENDING, ACCEPTED, REFUSED = "pending", "accepted", "refused"


def _local_instance_actor():
    """Condition on Actor: this instance's own actor."""
    return Actor.domain.is_null() & (Actor.type == TYPE_APPLICATION) & (Actor.preferred_username == INSTANCE_USERNAME)


def _bad_address():
    return Invalid(_("Enter the domain of an instance, such as mobilizon.example.org, or the link to its "
                     "instance actor."), "address")


def find_instance_actor(address):
    """The instance actor of another server, named by its domain or a link to it (its NodeInfo tells
    where it is, FEP-2677; else WebFinger relay@domain) or by the actor's own URL; fetched and stored."""
    address = (address or "").strip()
    parts = urlsplit(address if "//" in address else f"//{address}")
    host = parts.netloc.lower()
    if len(address) > URL_MAX or parts.scheme not in ("", "http", "https") or not HOST.fullmatch(host):
        raise _bad_address()
    if host == urlsplit(current_app.config["BASE_URL"]).netloc.lower():
        raise Invalid(_("This is the address of this instance."), "address")
    if parts.path.strip("/"):
        actor = follows.find_remote_actor(address)
    else:
        actor = (_advertised(f"{parts.scheme or follows.scheme_for(host)}://{host}")
                 or follows.find_remote_actor(f"{INSTANCE_USERNAME}@{host}"))
    if actor.type != TYPE_APPLICATION:
        raise Invalid(_("%(address)s is not the actor of an instance.", address=address), "address")
    return actor


def _advertised(base_url):
    """The instance actor the NodeInfo of base_url names, fetched; None when there is none to be had."""
    allowed = client.parse_networks(current_app.config["ALLOWED_PRIVATE_NETWORKS"])
    try:
        url = instance_actor_url(base_url, allowed)
        return actor_from_ap(signed_get(url)) if url else None
    except (client.RequestError, ParseError) as error:
        log.info("no instance actor found in the NodeInfo of %s: %s", base_url, error)
        return None


def follow(account, address):
    """An administrator makes this instance follow another instance's actor; it counts once accepted."""
    target = find_instance_actor(address)
    with database.atomic():
        row = follows.follow_actor(instance_actor(), target)
        moderation_log.record(account, "follow_instance", "instance", target.ap_id, target.domain)
    return row


def _followed(actor_id):
    target = Actor.get_or_none((Actor.id == actor_id) & Actor.domain.is_null(False))
    if target is None:
        raise NotFound(_("This instance is not followed."))
    return target


def unfollow(account, actor_id):
    """An administrator stops this instance following another one (or withdraws the request)."""
    target = _followed(actor_id)
    with database.atomic():
        follows.unfollow(instance_actor(), target)
        moderation_log.record(account, "unfollow_instance", "instance", target.ap_id, target.domain)


def decide(account, follow_id, accept):
    """An administrator accepts or refuses another instance's request to follow this one."""
    row = Follow.get_or_none(Follow.id == follow_id)
    with database.atomic():
        follows.decide_follower(instance_actor(), follow_id, accept)
        moderation_log.record(account, "accept_instance_follower" if accept else "refuse_instance_follower",
                              "instance", row.follower.ap_id, row.follower.domain)


def set_manual_approval(account, manual):
    """Whether other instances' follow requests wait for an administrator (else they are accepted at once)."""
    with database.atomic():
        Actor.update(manually_approves_followers=manual).where(Actor.id == instance_actor().id).execute()
        moderation_log.record(account, "instance_follow_approval", "setting", INSTANCE_USERNAME,
                              "manual" if manual else "automatic")


def manual_approval():
    """True when other instances' follow requests wait for an administrator (the default)."""
    return bool(instance_actor().manually_approves_followers)


def followings():
    """(actor, state) for each instance this one follows or asked to, newest first; state is PENDING,
    ACCEPTED or REFUSED."""
    rows = (Follow.select(Follow, Actor).join(Actor, on=(Follow.followed == Actor.id))
            .where(Follow.follower == instance_actor()).order_by(Follow.id.desc()))
    return [(row.followed, ACCEPTED if row.accepted else REFUSED if row.refused_at else PENDING) for row in rows]


def followers():
    """The instance actor's follows as follows.overview gives them: "pending" (instances asking to follow
    this one) and "followers", newest first, each with `.follow`; and "following"."""
    relay = instance_actor()
    return follows.overview([relay])[relay.id]


def audience():
    """The instances following this one, as light rows for delivery: public events go to them too."""
    relay = Actor.get_or_none(_local_instance_actor())
    return follows.follower_addresses(relay) if relay is not None else []


# Inbound --------------------------------------------------------------------------------

def _is_followed(actor):
    """Whether actor is another instance's actor that this instance follows (its request accepted)."""
    return actor.type == TYPE_APPLICATION and (
        Follow.select().join(Actor, on=(Follow.follower == Actor.id))
        .where((Follow.followed == actor) & Follow.accepted & _local_instance_actor()).exists())


def _organizer_id(document):
    """Who made an event document, as Mobilizon and we write it: its actor, else who it is attributed to."""
    return get_id(document.get("actor")) or next((get_id(item) for item in as_list(document.get("attributedTo"))
                                                 if get_id(item)), None)


def _is_own_event(document):
    """An Event whose maker is on the event's own server."""
    maker = _organizer_id(document) if remote_events.is_event(document) else None
    return isinstance(maker, str) and urlsplit(maker).netloc == urlsplit(document["id"]).netloc


def on_announce_event(item):
    """An Announce of an event: from an instance this one follows, the public event it relays (Mobilizon's
    relay does so for creations, changes and deletions), stored, changed or deleted as its maker's,
    never on the relay's word (fetched unless from its server); from anyone else, as a group's announce."""
    if not _is_followed(item.actor):
        return announces.on_announce_event(item)
    carried = item.body.get("object")
    document = announces.from_origin(carried, item.actor, _is_own_event)
    if document is None:
        return _forget_if_gone(get_id(carried))
    organizer = known_or_fetched(_organizer_id(document))
    if organizer is None or organizer.is_local:
        return IGNORED
    return DONE if remote_events.store(document, organizer) is not None else IGNORED


def _forget_if_gone(object_id):
    """A remote event relayed as deleted (Mobilizon's relay announces the Tombstone): deleted here once
    its origin confirms it is gone."""
    event = Event.get_or_none(Event.ap_id == object_id) if object_id else None
    if event is None or event.is_local or not announces.gone_at_origin(object_id):
        return IGNORED
    with database.atomic():
        Tombstone.get_or_create(ap_id=object_id, actor=event.organizer)
        event.delete_instance(recursive=True)
    return DONE


def on_announce_unknown(item):
    """An Announce of an id we do not hold: as of an event."""
    if not _is_followed(item.actor):
        return announces.on_announce_unknown(item)
    return on_announce_event(item)
