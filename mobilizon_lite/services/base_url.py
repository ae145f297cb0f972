"""The ids this instance minted under its public address: checked against BASE_URL, moved to another."""
from collections import Counter

from flask import current_app
from peewee import fn

from ..db import database
from ..models import Activity, Actor, Comment, Delivery, Event, Follow, InboxItem, Participation
from ..models.actors import TYPE_APPLICATION
from .actors import INSTANCE_USERNAME
from .errors import PermissionDenied

# How the check names each table to an administrator.
KINDS = {Actor: "identities", Event: "events", Comment: "comments", Participation: "participations",
         Follow: "follows", Activity: "activities"}


def _route(endpoint, **values):
    """endpoint's path under BASE_URL (BASE_URL's own path left out)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _activity_route(ap_id):
    return _route("actors.activity", uuid=ap_id.rsplit("/", 1)[-1])


def _ours():
    """(model, condition) selecting the rows of each table whose ap_id this instance minted."""
    local = Actor.select(Actor.id).where(Actor.domain.is_null())
    return ((Actor, Actor.domain.is_null()), (Event, Event.organizer.in_(local)),
            (Comment, Comment.actor.in_(local)),
            (Participation, Participation.actor.in_(local) & Participation.ap_id.is_null(False)),
            (Follow, Follow.follower.in_(local)), (Activity, Activity.id.is_null(False)))


def _our_ids():
    """(model, row id, stored id, route) for every stored id this instance minted."""
    tables = dict(_ours())
    for actor in Actor.select(Actor.id, Actor.ap_id, Actor.type, Actor.preferred_username).where(tables[Actor]):
        relay = actor.type == TYPE_APPLICATION and actor.preferred_username == INSTANCE_USERNAME
        route = _route("actors.instance") if relay else _route("pages.profile", username=actor.preferred_username)
        yield Actor, actor.id, actor.ap_id, route
    for event in Event.select(Event.id, Event.uuid, Event.ap_id).where(tables[Event]):
        yield Event, event.id, event.ap_id, _route("events.show", uuid=event.uuid)
    for comment in Comment.select(Comment.id, Comment.uuid, Comment.ap_id, Event.uuid).join(Event).where(
            tables[Comment]):
        yield Comment, comment.id, comment.ap_id, _route("comments.show", uuid=comment.event.uuid,
                                                         comment_uuid=comment.uuid)
    # Joins, follows and activities of ours all carry ids minted by new_activity_id().
    for model in (Participation, Follow, Activity):
        for row in model.select(model.id, model.ap_id).where(tables[model]):
            yield model, row.id, row.ap_id, _activity_route(row.ap_id)


def stray_ids():
    """Stored ids of ours that BASE_URL does not give: {(kind, address they use instead): count}."""
    base = current_app.config["BASE_URL"]
    prefix = base + "/"
    # The usual answer, "none", from one SQL query per table rather than a Python walk through every row.
    if not any(model.select().where(ours & (fn.substr(model.ap_id, 1, len(prefix)) != prefix)).exists()
               for model, ours in _ours()):
        return {}
    found = Counter()
    for model, _row_id, ap_id, route in _our_ids():
        if ap_id != base + route:
            found[KINDS[model], ap_id[:-len(route)] if ap_id.endswith(route) else ap_id] += 1
    return dict(found)


def has_federated():
    """True once another server may hold our ids: it sent us something, we sent it something,
    or we fetched one of its actors (signed with our instance actor's key id)."""
    return (Actor.select().where(Actor.domain.is_null(False)).exists()
            or Delivery.select().exists() or InboxItem.select().exists())


def _rebase(value, bases, new_base):
    """value (a JSON document or a text) with every URL under one of bases moved under new_base."""
    if isinstance(value, dict):
        return {key: _rebase(item, bases, new_base) for key, item in value.items()}
    if isinstance(value, list):
        return [_rebase(item, bases, new_base) for item in value]
    if isinstance(value, str):
        for base in bases:  # longest first, so that a base inside another one never wins
            if value == base or value.startswith((base + "/", base + "#")):
                return new_base + value[len(base):]
    return value


def move_ids(new_base):
    """Rewrite every id of ours (and the published activities' JSON) to new_base in one transaction;
    returns how many rows changed. Refused once anything was federated: other servers keep old ids."""
    with database.atomic("IMMEDIATE"):
        if has_federated():
            raise PermissionDenied(
                "This instance has already exchanged activities or actors with other servers, which "
                "keep its ids: moving them would break every follow and participation. Keep BASE_URL "
                f"{current_app.config['BASE_URL']} (a reverse proxy can serve it under another address), "
                "or start a new instance at the new address."
            )
        bases, changed = {new_base}, 0
        for model, row_id, ap_id, route in list(_our_ids()):
            if ap_id.endswith(route) and ap_id != new_base + route:
                bases.add(ap_id[:-len(route)])
                model.update(ap_id=new_base + route).where(model.id == row_id).execute()
                changed += 1
        ordered = sorted(bases, key=len, reverse=True)
        for activity in Activity.select(Activity.id, Activity.body, Activity.object_ap_id):
            body, object_id = _rebase(activity.body, ordered, new_base), _rebase(activity.object_ap_id,
                                                                                ordered, new_base)
            if (body, object_id) != (activity.body, activity.object_ap_id):
                Activity.update(body=body, object_ap_id=object_id).where(Activity.id == activity.id).execute()
    return changed
