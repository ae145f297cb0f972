"""Following between actors, local and remote: Follow, Accept, Reject and Undo, both ways."""
import logging
from urllib.parse import urlencode, urlsplit

from flask import current_app
from flask_babel import gettext as _
from peewee import IntegrityError

from ..activitypub import client
from ..activitypub.convert.activities import answer_to_ap, follow_to_ap, undo_to_ap
from ..activitypub.parse import ParseError, load_json
from ..activitypub.publish import new_activity_id, publish
from ..activitypub.vocab import as_list, get_id
from ..db import database, utcnow
from ..models import Actor, Follow
from ..models.actors import TYPE_APPLICATION
from ..models.federation import DONE, IGNORED
from .actors import actor_from_ap, live_local, signed_get
from .errors import Invalid, NotFound

log = logging.getLogger(__name__)

HANDLE_MAX = 320


def _follow_document(follow):
    return follow_to_ap(follow.ap_id, follow.follower, follow.followed)


def _answer(follow, verb):
    """Send Accept or Reject of a follow request, from the followed local actor to the follower."""
    publish(follow.followed, answer_to_ap(new_activity_id(), verb, follow.followed, _follow_document(follow)),
            [follow.follower])


def scheme_for(host):
    """https, except for peers on a network the admin allowed (test and LAN peers speak http)."""
    allowed = client.parse_networks(current_app.config["ALLOWED_PRIVATE_NETWORKS"])
    try:
        addresses = client.resolve(urlsplit(f"//{host}").hostname or host, 443, allowed)
    except client.RequestError:
        return "https"
    admitted = any(client.is_forbidden(address) and not client.is_forbidden(address, allowed) for address in addresses)
    return "http" if admitted else "https"


def find_remote_actor(handle):
    """The remote actor named by @user@host (WebFinger) or by its URL, fetched and stored."""
    handle = (handle or "").strip()
    if not handle or len(handle) > HANDLE_MAX:
        raise Invalid(_("Enter an address such as @name@example.org, or the link to a profile."), "handle")
    try:
        if handle.startswith(("http://", "https://")):
            return actor_from_ap(signed_get(handle))
        user, _at, host = handle.lstrip("@").partition("@")
        if not user or not host or "/" in host:
            raise Invalid(_("Enter an address such as @name@example.org, or the link to a profile."), "handle")
        query = urlencode({"resource": f"acct:{user}@{host}"})
        allowed = client.parse_networks(current_app.config["ALLOWED_PRIVATE_NETWORKS"])
        response = client.request("GET", f"{scheme_for(host)}://{host}/.well-known/webfinger?{query}",
                                  headers={"Accept": "application/jrd+json"}, allowed=allowed)
        if response.status != 200:
            raise client.RequestError(f"WebFinger answered {response.status}", response.status)
        links = as_list(load_json(response.body).get("links"))
        href = next((link.get("href") for link in links if isinstance(link, dict) and link.get("rel") == "self"
                     and str(link.get("type", "")).startswith(("application/activity+json", "application/ld+json"))),
                    None)
        if not isinstance(href, str):
            raise client.RequestError("no ActivityPub actor in the WebFinger answer")
        return actor_from_ap(signed_get(href))
    except (client.RequestError, ParseError) as error:
        log.info("lookup of %s failed: %s", handle, error)
        raise NotFound(_("Nobody could be found at %(handle)s.", handle=handle)) from None


def follow(identity, handle):
    """Follow a remote actor as a local identity; it counts once the other server accepts."""
    return follow_actor(identity, find_remote_actor(handle))


def follow_actor(follower, target):
    """follower (a local actor) asks to follow target (a remote one): a new request, even after a refusal."""
    existing = Follow.get_or_none((Follow.follower == follower) & (Follow.followed == target))
    if existing is not None and existing.refused_at is None:
        raise _already_following()
    try:
        with database.atomic():
            if existing is not None:
                existing.delete_instance()
            row = Follow.create(follower=follower, followed=target, ap_id=new_activity_id())
            publish(follower, _follow_document(row), [target])
    except IntegrityError:  # the same request, sent twice at once: the other one asked
        raise _already_following() from None
    return row


def _already_following():
    return Invalid(_("You already follow this account, or asked to."), "handle")


def unfollow(identity, target):
    """Stop following (or withdraw a request), telling the other server."""
    row = Follow.get_or_none((Follow.follower == identity) & (Follow.followed == target))
    if row is None:
        raise NotFound(_("You do not follow this account."))
    with database.atomic():
        row.delete_instance()
        publish(identity, undo_to_ap(new_activity_id(), identity, _follow_document(row)), [target])


def decide_follower(identity, follow_id, accept):
    """Accept or refuse a pending follow request made to one of the account's identities."""
    row = Follow.get_or_none((Follow.id == follow_id) & (Follow.followed == identity) & ~Follow.accepted)
    if row is None:
        raise NotFound(_("This follow request does not exist."))
    with database.atomic():
        if accept:
            row.accepted = True
            row.save()
        else:
            row.delete_instance()
        _answer(row, "Accept" if accept else "Reject")


# Inbound --------------------------------------------------------------------------------

def on_follow_actor(item):
    """A remote actor follows a local identity, group or the instance actor (another instance subscribing
    to this one's public events): accepted at once unless it approves followers itself."""
    followed = Actor.get_or_none(live_local() & (Actor.ap_id == get_id(item.body.get("object")))
                                 & Actor.type.in_(("Person", "Group", TYPE_APPLICATION)))
    if followed is None:
        return IGNORED
    with database.atomic():
        row = Follow.get_or_none((Follow.follower == item.actor) & (Follow.followed == followed))
        if row is None:
            row = Follow.create(follower=item.actor, followed=followed, ap_id=item.activity_id,
                                accepted=not followed.manually_approves_followers)
        elif row.ap_id != item.activity_id:
            # A repeated Follow: later Accepts and Undos name the newest id.
            row.ap_id = item.activity_id
            row.save()
        if row.accepted:
            _answer(row, "Accept")
    return DONE


def _follow_of(item):
    """The Follow an Accept/Reject/Undo refers to: by its id, else by the embedded Follow's actors."""
    inner = item.body.get("object")
    follow_id = get_id(inner)
    row = Follow.get_or_none(Follow.ap_id == follow_id) if follow_id else None
    if row is None and isinstance(inner, dict) and inner.get("type") == "Follow":
        follower = Actor.get_or_none(Actor.ap_id == get_id(inner.get("actor")))
        followed = Actor.get_or_none(Actor.ap_id == get_id(inner.get("object")))
        if follower is not None and followed is not None:
            row = Follow.get_or_none((Follow.follower == follower) & (Follow.followed == followed))
    return row


def _asked_of(item):
    """The follow request a local identity sent that an Accept or Reject answers, or None."""
    row = _follow_of(item)
    return row if row is not None and row.followed_id == item.actor.id else None


def on_accept_follow(item):
    """The followed remote actor accepts a follow request a local identity sent."""
    row = _asked_of(item)
    if row is None:
        return IGNORED
    Follow.update(accepted=True, refused_at=None).where(Follow.id == row.id).execute()
    return DONE


def on_reject_follow(item):
    """The followed remote actor refuses (or ends) a follow request a local identity sent; the instance
    actor's refused requests stay, marked, for the administrators to see."""
    row = _asked_of(item)
    if row is None:
        return IGNORED
    if row.follower.type == TYPE_APPLICATION:
        Follow.update(accepted=False, refused_at=utcnow()).where(Follow.id == row.id).execute()
    else:
        row.delete_instance()
    return DONE


def on_undo_follow(item):
    """Undo{Follow}: the remote actor stops following."""
    row = _follow_of(item)
    if row is None or row.follower_id != item.actor.id:
        return IGNORED
    row.delete_instance()
    return DONE


def followers_of(actor):
    """Actors following `actor`, newest first; each carries `.follow`."""
    return list(Actor.select(Actor, Follow).join(Follow, on=(Follow.follower == Actor.id), attr="follow")
                .where((Follow.followed == actor) & Follow.accepted).order_by(Follow.id.desc()))


def overview(identities):
    """Per identity id: pending follow requests, followers (each with `.follow`) and (actor, accepted)
    pairs it follows, newest first; two queries for all the identities."""
    ids = [identity.id for identity in identities]
    result = {identity_id: {"pending": [], "followers": [], "following": []} for identity_id in ids}
    incoming = (Actor.select(Actor, Follow).join(Follow, on=(Follow.follower == Actor.id), attr="follow")
                .where(Follow.followed.in_(ids)).order_by(Follow.id.desc()))
    for actor in incoming:
        result[actor.follow.followed_id]["followers" if actor.follow.accepted else "pending"].append(actor)
    for row in (Follow.select(Follow, Actor).join(Actor, on=(Follow.followed == Actor.id))
                .where(Follow.follower.in_(ids)).order_by(Follow.id.desc())):
        result[row.follower_id]["following"].append((row.followed, row.accepted))
    return result


def follower_addresses(actor):
    """Accepted followers of `actor` as light rows (ap_id, inbox, shared_inbox, domain, deleted_at) for delivery."""
    return list(Actor.select(Actor.ap_id, Actor.inbox, Actor.shared_inbox, Actor.domain, Actor.deleted_at)
                .join(Follow, on=(Follow.follower == Actor.id))
                .where((Follow.followed == actor) & Follow.accepted).namedtuples())


def followed_by(actor):
    """(Actor, accepted) pairs that `actor` follows or asked to follow, newest first."""
    rows = (Follow.select(Follow, Actor).join(Actor, on=(Follow.followed == Actor.id))
            .where(Follow.follower == actor).order_by(Follow.id.desc()))
    return [(row.followed, row.accepted) for row in rows]
