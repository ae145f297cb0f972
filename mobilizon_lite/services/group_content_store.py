"""Members-only content of a group written elsewhere, kept here: a remote member's message or resource
in one of our groups, and what a group of elsewhere shares with our identities that are its members
(stored in the tables of our own groups' content, with the remote group as group). Pages show it to
the group's members only, as they show ours. What our identities wrote in a group of elsewhere is
pending until the group passes it on: kept again from the group, it is no longer."""
import logging
import uuid as uuid_lib
from datetime import timedelta

from ..activitypub.convert.discussion import message_from_ap
from ..activitypub.convert.resource import resource_from_ap
from ..activitypub.convert.todo import todo_from_ap, todo_list_from_ap
from ..activitypub.parse import ParseError
from ..activitypub.vocab import get_id
from ..db import database, utcnow
from ..models import Actor, Discussion, DiscussionComment, Resource, Todo, TodoList
from .discussions import slugs_in_use
from .slugs import create_with_slug

log = logging.getLogger(__name__)
PAST_LIMIT = timedelta(days=3650)


def _when(published):
    """A received date, unless it claims to come from the future or from long ago."""
    now = utcnow()
    return published if published is not None and now - PAST_LIMIT <= published <= now else now


def store_message(group, note, author):
    """Store or refresh a discussion's Note of group (a message, or the discussion itself when its id
    is its context): the discussion is opened here with its first message seen. Returns the
    DiscussionComment (None for the discussion's own Note)."""
    context, title, text, published = message_from_ap(note)
    written = _when(published)
    with database.atomic():
        discussion = Discussion.get_or_none(Discussion.ap_id == context)
        if discussion is not None and discussion.group_id != group.id:
            raise ParseError("the discussion is another group's")
        if discussion is None:
            discussion = _open(group, context, title, author, written)
        elif title and title != discussion.title:
            Discussion.update(title=title).where(Discussion.id == discussion.id).execute()
        if note["id"] == context:
            return None
        message = DiscussionComment.get_or_none(DiscussionComment.ap_id == note["id"])
        if message is not None:
            if message.discussion_id != discussion.id or message.actor_id != author.id:
                raise ParseError("the message is someone else's")
            DiscussionComment.update(text=text, updated_at=utcnow(), pending=False).where(
                DiscussionComment.id == message.id).execute()
            return message
        Discussion.update(last_activity_at=utcnow()).where(Discussion.id == discussion.id).execute()
        return DiscussionComment.create(uuid=str(uuid_lib.uuid4()), ap_id=note["id"], discussion=discussion,
                                        actor=author, text=text, source="", created_at=written, updated_at=written)


def _open(group, context, title, creator, when):
    if not title:
        raise ParseError("a new discussion needs a name")
    return create_with_slug(title, slugs_in_use(group), lambda slug: Discussion.create(
        uuid=str(uuid_lib.uuid4()), slug=slug, group=group, creator=creator, title=title, created_at=when,
        last_activity_at=when, ap_id=context), fallback="discussion")


def held(ap_id):
    """(group, row) of the discussion, message, resource, todo list or task held under ap_id, or (None, None)."""
    if not ap_id:
        return None, None
    message = DiscussionComment.get_or_none(DiscussionComment.ap_id == ap_id)
    if message is not None:
        return message.discussion.group, message
    todo = Todo.get_or_none(Todo.ap_id == ap_id)
    if todo is not None:
        return todo.todo_list.group, todo
    for model in (Discussion, Resource, TodoList):
        row = model.get_or_none(model.ap_id == ap_id)
        if row is not None:
            return row.group, row
    return None, None


def forget_held(row):
    """Delete what held_of found: a message stays as a placeholder, as a local deletion leaves it."""
    if isinstance(row, DiscussionComment):
        DiscussionComment.update(deleted_at=utcnow(), text="", source="").where(
            DiscussionComment.id == row.id).execute()
    else:
        row.delete_instance(recursive=True)


def _folder(group, place_id):
    """The folder of group named by place_id; None for its root (the resources collection) or unknown."""
    folder = Resource.get_or_none((Resource.ap_id == place_id) & (Resource.group == group))
    return folder if folder is not None and folder.type == Resource.FOLDER else None


def store_resource(group, document, creator, place_id=None):
    """Store or refresh a Document or ResourceCollection of group, in the folder named by its context
    (or place_id: a Move's target)."""
    values = resource_from_ap(document)
    folder = _folder(group, place_id or get_id(document.get("context")))
    with database.atomic():
        row = Resource.get_or_none(Resource.ap_id == document["id"])
        if row is None:
            return Resource.create(uuid=str(uuid_lib.uuid4()), ap_id=document["id"], group=group, parent=folder,
                                   creator=creator, **values)
        if row.group_id != group.id or row.type != values["type"] or (folder and folder.id == row.id):
            raise ParseError("the resource is another group's, or of another kind")
        Resource.update(parent=folder, updated_at=utcnow(), pending=False, **values).where(
            Resource.id == row.id).execute()
    return Resource.get_by_id(row.id)


def store_todo_list(group, document):
    """Store or refresh a TodoList of group."""
    values = todo_list_from_ap(document)
    row = TodoList.get_or_none(TodoList.ap_id == document["id"])
    if row is None:
        return TodoList.create(uuid=str(uuid_lib.uuid4()), ap_id=document["id"], group=group, **values)
    if row.group_id != group.id:
        raise ParseError("the todo list is another group's")
    TodoList.update(pending=False, **values).where(TodoList.id == row.id).execute()
    return row


def store_todo(group, document, creator):
    """Store or refresh a Todo of one of group's lists held here; its assignee only when known here."""
    list_id, assignee_id, values = todo_from_ap(document)
    todo_list = TodoList.get_or_none((TodoList.ap_id == list_id) & (TodoList.group == group))
    if todo_list is None:
        raise ParseError("the todo's list is not one of the group's")
    assignee = Actor.get_or_none(Actor.ap_id == assignee_id) if assignee_id else None
    values["assigned_to"] = assignee
    row = Todo.get_or_none(Todo.ap_id == document["id"])
    if row is None:
        return Todo.create(uuid=str(uuid_lib.uuid4()), ap_id=document["id"], todo_list=todo_list, creator=creator,
                           **values)
    if row.todo_list_id != todo_list.id:
        raise ParseError("the todo is in another list")
    Todo.update(updated_at=utcnow(), pending=False, **values).where(Todo.id == row.id).execute()
    return row


# What each kind of members-only document is kept by: (group, document, author) -> the row.
STORED = {
    "Note": store_message,
    "Document": store_resource,
    "ResourceCollection": store_resource,
    "TodoList": lambda group, document, _author: store_todo_list(group, document),
    "Todo": store_todo,
}
