"""Members-only group content received from other servers (discussion Notes, resources, todo lists and
tasks). On the group's server: what a member of elsewhere sends to one of our groups is checked
against their role (group_roles), kept, and relayed by the group (Announce) to its other members of
elsewhere; anyone else's is ignored with the reason. On a member's server: what a group of elsewhere
(or someone of its server) shares with its members is kept for our identities that are members."""
from urllib.parse import urlsplit

from ..activitypub.vocab import as_list, get_id
from ..db import database
from ..models import Actor, Discussion, DiscussionComment, Member, Resource, Todo, TodoList
from ..models.actors import TYPE_GROUP, TYPE_PERSON
from ..models.federation import DONE, IGNORED
from ..models.groups import MEMBER_ROLES
from . import announces, discussions, group_roles, remote_comments
from .actors import known_or_fetched
from .group_content_store import STORED, forget_held, held
from .group_outbox import remote_members
from .group_private_outbox import relay

# The action of group_roles.ACTIONS each kind of content needs.
ACTION_OF = {"Note": "discuss", "Document": "edit_resources", "ResourceCollection": "edit_resources",
             "TodoList": "edit_todos", "Todo": "edit_todos"}
MEMBERS_SUFFIX = "/members"


def _host(url):
    return urlsplit(url).netloc if isinstance(url, str) else None


def _group_of(activity, document):
    """The group whose members-only content document is: its discussion's or list's, else the group
    it names as actor or by its members collection in the addressing; None when none."""
    context = get_id(document.get("context")) or get_id(document.get("todoList"))
    holder = (Discussion.get_or_none(Discussion.ap_id == context) or TodoList.get_or_none(TodoList.ap_id == context)
              or Resource.get_or_none(Resource.ap_id == context)) if context else None
    if holder is not None:
        return holder.group
    named = [get_id(document.get("actor"))] + [
        address[:-len(MEMBERS_SUFFIX)] for source in (activity, document) for field in ("to", "cc")
        for address in as_list(source.get(field)) if isinstance(address, str) and address.endswith(MEMBERS_SUFFIX)]
    named = [ap_id for ap_id in named if isinstance(ap_id, str)]
    if not named:
        return None
    return Actor.select().where(Actor.ap_id.in_(named) & (Actor.type == TYPE_GROUP)).first()


def _author_id(document):
    if document.get("type") in ("Document", "ResourceCollection"):
        return next((get_id(item) for item in as_list(document.get("attributedTo"))), None)
    return get_id(document.get("actor")) or get_id(document.get("attributedTo"))


def _has_members_here(group):
    """Whether an identity of ours is a member of group."""
    return (Member.select().join(Actor, on=(Member.actor == Actor.id))
            .where((Member.group == group) & Member.role.in_(MEMBER_ROLES) & Actor.domain.is_null()).exists())


def _relay(group, activity):
    """The group's Announce of activity to its members elsewhere, the one who sent it included (as
    Mobilizon's groups do: the sender's server learns that the group took it)."""
    relay(group, activity, remote_members(group))


def _from_member(item, group, activity, document):
    """A member of elsewhere's Create, Update or Move of one of our groups' content: checked, kept, relayed."""
    sender, kind = item.actor, document["type"]
    if sender.type != TYPE_PERSON or not group_roles.may(group, sender, ACTION_OF[kind]):
        return (IGNORED, "the sender's role in the group does not allow this")
    _holder, existing = held(document["id"])
    if existing is None and _host(document["id"]) != _host(sender.ap_id):
        return (IGNORED, "a new object comes from its author's server")
    context = get_id(document.get("context"))
    if kind == "Note" and not Discussion.select().where(Discussion.ap_id == context).exists() and (
            _host(context) != _host(sender.ap_id)):
        return (IGNORED, "a new discussion comes from its author's server")
    if kind == "Note" and existing is not None and not _may_change_note(group, sender, existing):
        return (IGNORED, "only its author edits a message, and moderators a discussion")
    with database.atomic():
        STORED[kind](group, document, sender, **_place(activity))
        _relay(group, activity)
    return DONE


def _may_change_note(group, sender, row):
    role = group_roles.role_of(group, sender)
    if isinstance(row, Discussion):
        return group_roles.allows(role, "moderate_discussions")
    return isinstance(row, DiscussionComment) and discussions.may_edit(row, sender, role)


def _place(activity):
    """The folder a Move puts a resource in."""
    return {"place_id": get_id(activity.get("target"))} if activity.get("type") == "Move" else {}


def _from_group(sender, group, activity, document):
    """A group of elsewhere's content, sent by the group or someone of its server: kept for our members."""
    if _host(sender.ap_id) != _host(group.ap_id):
        return (IGNORED, "only the group's server shares its members' content")
    if not _has_members_here(group):
        return (IGNORED, "no member of the group here")
    holder, _existing = held(document["id"])
    if _host(document["id"]) not in (_host(group.ap_id), _host(_author_id(document))) and (
            holder is None or holder.id != group.id):
        # What is held as the group's already (our identities' content, which it passes on) it may change.
        return (IGNORED, "an object comes from its author's or its group's server")
    author = known_or_fetched(_author_id(document))
    if document["type"] == "Note" and author is None:
        return (IGNORED, "the message's author cannot be found")
    STORED[document["type"]](group, document, author, **_place(activity))
    return DONE


def _in_discussion(note):
    """Whether a Note is a discussion's: it has a context, one of the discussions held here or else it
    answers nothing (a comment answers an event or comment, even addressed to a group's members)."""
    context = get_id(note.get("context"))
    return bool(context) and (not note.get("inReplyTo") or Discussion.select().where(
        Discussion.ap_id == context).exists())


def received(item, activity, announced=False):
    """Handle activity (item's body, or what a group's Announce carries) when it is members-only content
    of a group; None when it is not."""
    document = activity.get("object")
    if not isinstance(document, dict) or document.get("type") not in STORED or not isinstance(document.get("id"), str):
        return None
    if document["type"] == "Note" and not _in_discussion(document):
        return None
    if activity.get("type") == "Move" and document["type"] not in ("Document", "ResourceCollection"):
        return (IGNORED, "only resources move")
    group = _group_of(activity, document)
    if group is None or (announced and group.id != item.actor.id):
        return None
    if group.is_local:
        return _from_member(item, group, activity, document)
    return _from_group(item.actor, group, activity, document)


def on_create_note(item):
    """A Note: a discussion's message, or else an event's comment."""
    return received(item, item.body) or remote_comments.on_create_note(item)


def on_update_note(item):
    """An edited Note: a discussion's message, or else an event's comment."""
    return received(item, item.body) or remote_comments.on_update_note(item)


def _changed(item):
    return received(item, item.body) or (IGNORED, "not a group's content")


def _deleted(item):
    return deleted(item.actor, item.body)


def deleted(sender, activity):
    """sender deletes what is held under ap_id: in one of our groups when its role allows (then
    relayed as received), in a group of elsewhere when sent from the group's server."""
    group, row = held(get_id(activity.get("object")))
    if row is None:
        return (IGNORED, "nothing held under this id")
    if group.is_local:
        if not _may_delete(group, sender, row):
            return (IGNORED, "the sender's role in the group does not allow this")
    elif _host(sender.ap_id) != _host(group.ap_id):
        return (IGNORED, "only the group's server deletes its content")
    with database.atomic():
        forget_held(row)
        if group.is_local:
            _relay(group, activity)
    return DONE


def _may_delete(group, sender, row):
    role = group_roles.role_of(group, sender)
    if isinstance(row, DiscussionComment):
        return discussions.may_delete(row, sender, role)
    if isinstance(row, Discussion):
        return group_roles.allows(role, "moderate_discussions")
    return group_roles.allows(role, "edit_todos" if isinstance(row, (TodoList, Todo)) else "edit_resources")


def on_announce_create(item):
    """A group's Announce of a Create: of its members-only content, or else of its event or post."""
    inner = item.body.get("object")
    handled = received(item, inner, announced=True) if isinstance(inner, dict) and item.actor.is_group else None
    return handled or announces.on_announce_create(item)


def on_announce_update(item):
    """A group's Announce of an Update, or of a Move (of a resource)."""
    return on_announce_create(item)


def on_announce_delete(item):
    """A group's Announce of a Delete: of its members-only content, or else of its event or post."""
    inner = item.body.get("object")
    if isinstance(inner, dict) and item.actor.is_group:
        group, row = held(get_id(inner.get("object")))
        if row is not None and group.id == item.actor.id:
            return deleted(item.actor, inner)
    return announces.on_announce_delete(item)



def on_create_document(item):
    """Create of a link of a group's resources."""
    return _changed(item)


def on_update_document(item):
    """Update of a link of a group's resources."""
    return _changed(item)


def on_move_document(item):
    """Move of a link of a group's resources."""
    return _changed(item)


def on_create_resourcecollection(item):
    """Create of a folder of a group's resources."""
    return _changed(item)


def on_update_resourcecollection(item):
    """Update of a folder of a group's resources."""
    return _changed(item)


def on_move_resourcecollection(item):
    """Move of a folder of a group's resources."""
    return _changed(item)


def on_create_todolist(item):
    """Create of a group's todo list."""
    return _changed(item)


def on_update_todolist(item):
    """Update of a group's todo list."""
    return _changed(item)


def on_create_todo(item):
    """Create of a task of a group's todo list."""
    return _changed(item)


def on_update_todo(item):
    """Update of a task of a group's todo list."""
    return _changed(item)


def on_delete_message(item):
    """Delete of a discussion's message held here."""
    return _deleted(item)


def on_delete_discussion(item):
    """Delete of a whole discussion held here."""
    return _deleted(item)


def on_delete_resource(item):
    """Delete of a resource (a folder with what it holds) held here."""
    return _deleted(item)


def on_delete_todolist(item):
    """Delete of a todo list and its tasks held here."""
    return _deleted(item)


def on_delete_todo(item):
    """Delete of a task held here."""
    return _deleted(item)


def on_announce_move(item):
    """A group's Announce of the Move of one of its resources."""
    return on_announce_create(item)


# The kinds of a group's content inbound.kind_of finds by id (for a Delete), with their tables.
HELD_GROUP_CONTENT = (("Message", DiscussionComment), ("Discussion", Discussion), ("Resource", Resource),
                      ("TodoList", TodoList), ("Todo", Todo))
# (verb, object kind) -> handler, for inbound.HANDLERS (taking over a few of its pairs, see each handler).
GROUP_CONTENT_HANDLERS = {
    ("Create", "Note"): on_create_note,
    ("Update", "Note"): on_update_note,
    ("Announce", "Create"): on_announce_create,
    ("Announce", "Update"): on_announce_update,
    ("Announce", "Move"): on_announce_move,
    ("Announce", "Delete"): on_announce_delete,
    ("Create", "Document"): on_create_document,
    ("Update", "Document"): on_update_document,
    ("Move", "Document"): on_move_document,
    ("Create", "ResourceCollection"): on_create_resourcecollection,
    ("Update", "ResourceCollection"): on_update_resourcecollection,
    ("Move", "ResourceCollection"): on_move_resourcecollection,
    ("Create", "TodoList"): on_create_todolist,
    ("Update", "TodoList"): on_update_todolist,
    ("Create", "Todo"): on_create_todo,
    ("Update", "Todo"): on_update_todo,
    ("Delete", "Message"): on_delete_message,
    ("Delete", "Discussion"): on_delete_discussion,
    ("Delete", "Resource"): on_delete_resource,
    ("Delete", "TodoList"): on_delete_todolist,
    ("Delete", "Todo"): on_delete_todo,
}
