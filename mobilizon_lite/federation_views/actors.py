"""Actor documents and their collections, for other servers."""
from flask import Blueprint, abort

from ..activitypub.convert.actor import actor_to_ap, collection
from ..models import Activity, Actor, Follow
from ..negotiation import activity_response, collection_page, personal_document, signed_parts
from ..page_cache import shared
from ..services.actors import instance_actor, signed_requester
from ..services.groups import page_owner
from ..services.members import member_object
from ..urls import public_url

bp = Blueprint("actors", __name__)
PER_PAGE = 10


def _follow_collection(collection_id, query, actor_of):
    page = collection_page()
    total = query.count()
    items = []
    if page is not None:
        rows = query.order_by(Follow.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
        items = [actor_of(row).ap_id for row in rows]
    return activity_response(collection(collection_id, items, total, page, PER_PAGE))


@bp.route("/activities/<uuid>")
def activity(uuid):
    stored = Activity.get_or_none(Activity.ap_id == public_url("actors.activity", uuid=uuid))
    # Only public activities: the others went to their recipients, and asking for one proves nothing.
    if stored is None or not stored.public:
        abort(404)
    return activity_response(stored.body)


@bp.route("/relay")
@shared(by_language=False)
def instance():
    return activity_response(actor_to_ap(instance_actor()))


def _outbox(actor, collection_id):
    """The actor's public activities (not the unlisted ones), newest first."""
    page = collection_page()
    query = Activity.select().where((Activity.actor == actor) & Activity.listed)
    items = []
    if page is not None:
        items = [row.body for row in query.order_by(Activity.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)]
    return activity_response(collection(collection_id, items, query.count(), page, PER_PAGE))


@bp.route("/relay/outbox")
def instance_outbox():
    return _outbox(instance_actor(), public_url("actors.instance_outbox"))


@bp.route("/@<username>/outbox")
def outbox(username):
    identity = page_owner(username)
    return _outbox(identity, public_url("actors.outbox", username=identity.preferred_username))


def _side(actor, side, collection_id):
    # followers: rows where the actor is followed, listing followers; following: the reverse.
    mine, theirs = ((Follow.followed, Follow.follower) if side == "followers" else (Follow.follower, Follow.followed))
    query = (Follow.select(Follow, Actor).join(Actor, on=(theirs == Actor.id))
             .where((mine == actor) & Follow.accepted))
    attribute = "follower" if side == "followers" else "followed"
    return _follow_collection(collection_id, query, lambda row: getattr(row, attribute))


@bp.route("/@<username>/followers", defaults={"side": "followers"}, endpoint="followers")
@bp.route("/@<username>/following", defaults={"side": "following"}, endpoint="following")
def follow_collection(username, side):
    return _side(page_owner(username), side, public_url(f"actors.{side}", username=username))


@bp.route("/relay/followers", defaults={"side": "followers"}, endpoint="instance_followers")
@bp.route("/relay/following", defaults={"side": "following"}, endpoint="instance_following")
def instance_collection(side):
    """The instances following this one, and those it follows."""
    return _side(instance_actor(), side, public_url(f"actors.instance_{side}"))


@bp.route("/member/<uuid>")
def member(uuid):
    # Who belongs to a group is for its members only: the member itself or another member of the
    # group, proven by the signature of the fetch; anyone else gets 404, as if there were none.
    requester = signed_requester(*signed_parts())
    return personal_document(member_object(uuid, requester))
