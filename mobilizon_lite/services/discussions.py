"""Group discussions: members-only threads of messages; members write and edit their own messages,
moderators delete any and rename or delete a discussion. Outside the group nothing of them shows."""
import uuid as uuid_lib

from flask_babel import gettext as _
from peewee import JOIN, fn

from ..activitypub.convert.actor import collection
from ..activitypub.convert.discussion import discussion_to_ap, message_to_ap
from ..db import database, utcnow
from ..models import Actor, Discussion, DiscussionComment
from ..models.limits import TITLE_MAX
from ..urls import public_url
from . import group_private_outbox, group_roles
from .comments import clean_message, rewrite
from .errors import Invalid, NotFound, PermissionDenied
from .group_private_outbox import group_handle
from .slugs import create_with_slug

DISCUSSIONS_PER_PAGE = 20


def require_member(group, actor):
    """NotFound unless actor is a member of group: to anyone else, discussions do not exist."""
    if not group_roles.may(group, actor, "discuss"):
        raise NotFound(_("There is no such discussion."))


def clean_title(title):
    """A discussion's title as typed, checked."""
    title = (title or "").strip()
    if not title:
        raise Invalid(_("Give the discussion a title."), "title")
    if len(title) > TITLE_MAX:
        raise Invalid(_("At most %(max)d characters.", max=TITLE_MAX), "title")
    return title


def discussions_of(group, actor, page=1, per_page=DISCUSSIONS_PER_PAGE):
    """One page of the group's discussions, liveliest first, each with `.message_count` and its creator;
    one more than per_page when another page follows. Members only."""
    require_member(group, actor)
    live = fn.COUNT(DiscussionComment.id).filter(DiscussionComment.deleted_at.is_null())
    return list(Discussion.select(Discussion, Actor, live.alias("message_count"))
                .join(Actor, JOIN.LEFT_OUTER, on=(Discussion.creator == Actor.id)).switch(Discussion)
                .join(DiscussionComment, JOIN.LEFT_OUTER).where(Discussion.group == group)
                .group_by(Discussion.id, Actor.id)
                .order_by(Discussion.last_activity_at.desc(), Discussion.id.desc())
                .limit(per_page + 1).offset((page - 1) * per_page))


def discussion_for(group, slug, actor):
    """The discussion at /@<group>/c/<slug>, for a member of group; NotFound for anyone else."""
    require_member(group, actor)
    discussion = Discussion.get_or_none((Discussion.group == group) & (Discussion.slug == slug))
    if discussion is None:
        raise NotFound(_("There is no such discussion."))
    return discussion


def messages_of(discussion):
    """The discussion's messages with their authors, oldest first (deleted ones as placeholders)."""
    return list(DiscussionComment.select(DiscussionComment, Actor)
                .join(Actor, JOIN.LEFT_OUTER, on=(DiscussionComment.actor == Actor.id))
                .where(DiscussionComment.discussion == discussion)
                .order_by(DiscussionComment.created_at, DiscussionComment.id))


def message_for(discussion, message_uuid):
    """A live message of the discussion, else NotFound."""
    message = DiscussionComment.get_or_none((DiscussionComment.discussion == discussion)
                                            & (DiscussionComment.uuid == message_uuid)
                                            & DiscussionComment.deleted_at.is_null())
    if message is None:
        raise NotFound(_("This message does not exist."))
    return message


def _add_message(discussion, actor, source, html, now):
    message_uuid = str(uuid_lib.uuid4())
    return DiscussionComment.create(
        uuid=message_uuid, discussion=discussion, actor=actor, source=source, text=html, created_at=now,
        updated_at=now, pending=not discussion.group.is_local,
        ap_id=public_url("discussions.message", username=group_handle(discussion.group), slug=discussion.slug,
                         message_uuid=message_uuid))


def _share(message, verb):
    """The Create or Update of a message, to the group's members of other servers (or to the group)."""
    group_private_outbox.share(message.discussion.group, message.actor, verb, message_document(message))


def slugs_in_use(group):
    def in_use(base):
        return {row.slug for row in Discussion.select(Discussion.slug).where(
            (Discussion.group == group) & ((Discussion.slug == base) | Discussion.slug.startswith(f"{base}-")))}
    return in_use


def start_discussion(group, actor, title, source):
    """Open a discussion in group with its first message, as one of its members."""
    require_member(group, actor)
    title = clean_title(title)
    source, html = clean_message(source)
    now = utcnow()
    discussion_uuid = str(uuid_lib.uuid4())

    def create(slug):
        discussion = Discussion.create(
            uuid=discussion_uuid, slug=slug, group=group, creator=actor, title=title, created_at=now,
            last_activity_at=now, ap_id=public_url("discussions.show", username=group_handle(group), slug=slug))
        _share(_add_message(discussion, actor, source, html, now), "Create")
        return discussion

    return create_with_slug(title, slugs_in_use(group), create, fallback="discussion")


def reply(discussion, actor, source):
    """Add a message to a discussion, as one of the group's members; the discussion moves up the list."""
    require_member(discussion.group, actor)
    source, html = clean_message(source)
    now = utcnow()
    with database.atomic():
        message = _add_message(discussion, actor, source, html, now)
        Discussion.update(last_activity_at=now).where(Discussion.id == discussion.id).execute()
        _share(message, "Create")
    return message


def is_author(message, actor):
    """Whether actor (an identity or None) wrote the message."""
    return actor is not None and message.actor_id == actor.id


def may_edit(message, actor, role):
    """Whether actor, of role in the group, may edit the message: their own, while a member."""
    return message.deleted_at is None and is_author(message, actor) and group_roles.allows(role, "discuss")


def may_delete(message, actor, role):
    """Whether actor, of role in the group, may delete the message: their own, or any for moderators."""
    return message.deleted_at is None and (
        group_roles.allows(role, "moderate_discussions")
        or (is_author(message, actor) and group_roles.allows(role, "discuss")))


def require_author(message, actor):
    """NotFound outside the group, PermissionDenied unless actor wrote the message."""
    require_member(message.discussion.group, actor)
    if not is_author(message, actor):
        raise PermissionDenied(_("You can only edit your own messages."))


def edit_message(message, actor, source):
    """Change one's own message."""
    require_author(message, actor)
    return rewrite(message, source, _share)


def delete_message(message, actor):
    """Delete one's own message, or any as a moderator: it stays as a placeholder so the thread still reads."""
    group = message.discussion.group
    require_member(group, actor)
    if not may_delete(message, actor, group_roles.role_of(group, actor)):
        raise PermissionDenied(_("You can only delete your own messages."))
    erase_message(message, actor)


def erase_message(message, actor):
    """Leave a placeholder of a message, its Delete sent by actor (the checks made: see delete_message)."""
    with database.atomic():
        DiscussionComment.update(deleted_at=utcnow(), text="", source="").where(
            DiscussionComment.id == message.id).execute()
        group_private_outbox.share_deletion(message.discussion.group, actor, message.ap_id, "Note")


def rename_discussion(discussion, actor, title):
    """Give a discussion another title (moderators); its address stays."""
    require_member(discussion.group, actor)
    group_roles.require(discussion.group, actor, "moderate_discussions")
    discussion.title = clean_title(title)
    with database.atomic():
        discussion.save()
        group_private_outbox.share(discussion.group, actor, "Update", discussion_document(discussion))
    return discussion


def delete_discussion(discussion, actor):
    """Delete a discussion and all its messages (moderators)."""
    require_member(discussion.group, actor)
    group_roles.require(discussion.group, actor, "moderate_discussions")
    with database.atomic():
        group_private_outbox.share_deletion(discussion.group, actor, discussion.ap_id, "Note")
        discussion.delete_instance(recursive=True)


def discussion_document(discussion):
    """The discussion as a Note (name: its title, context: its address), for its members' eyes."""
    first = (DiscussionComment.select().where((DiscussionComment.discussion == discussion)
                                              & DiscussionComment.deleted_at.is_null())
             .order_by(DiscussionComment.created_at, DiscussionComment.id).first())
    return discussion_to_ap(discussion, discussion.group, discussion.creator, first)


def message_document(message):
    """A message as a Note carrying its discussion's title and address."""
    discussion = message.discussion
    return message_to_ap(message, discussion, discussion.group, message.actor)


def discussions_collection(group, actor, page=None, per_page=DISCUSSIONS_PER_PAGE):
    """The group's discussions as an OrderedCollection for a member (signed fetch), empty for anyone else."""
    collection_id = public_url("discussions.index", username=group.preferred_username)
    if not group_roles.may(group, actor, "discuss"):
        return collection(collection_id, [], 0, page, per_page)
    items = []
    if page is not None:
        items = [discussion_document(discussion) for discussion in discussions_of(group, actor, page, per_page)[
            :per_page]]
    total = Discussion.select().where(Discussion.group == group).count()
    return collection(collection_id, items, total, page, per_page)
