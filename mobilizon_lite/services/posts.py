"""Group posts: written by the group's moderators, public or for members only, drafts kept for
moderators; who may read which, and their ActivityStreams documents."""
import uuid as uuid_lib

from flask_babel import gettext as _
from peewee import JOIN, fn

from ..activitypub.convert.actor import collection
from ..activitypub.convert.post import post_to_ap
from ..db import database, utcnow
from ..models import Actor, Post
from ..models.groups import PostVisibility
from ..text import markdown_to_html
from ..urls import public_url
from . import group_outbox, group_private_outbox, group_roles, pictures
from .errors import InvalidFields, NotFound
from .event_input import check_title_and_text
from .slugs import create_with_slug

POSTS_PER_PAGE = 20


def clean_post_input(data):
    """The columns of a post from what its form sent; InvalidFields names every field at fault."""
    errors = {}
    title = (data.get("title") or "").strip()
    source = (data.get("body") or "").strip()
    check_title_and_text(title, _("Give the post a title."), source, "body", errors)
    visibility = data.get("visibility") or PostVisibility.PUBLIC
    if visibility not in tuple(PostVisibility):
        errors["visibility"] = _("Choose who can read the post.")
    if errors:
        raise InvalidFields(errors)
    return {"title": title, "body_source": source, "body": markdown_to_html(source),
            "visibility": visibility, "draft": bool(data.get("draft"))}


def may_read(post, role):
    """Whether someone of this role in the post's group (None: no role) may read it: drafts are the
    moderators', members-only posts the members'."""
    if post.draft:
        return group_roles.allows(role, "write_posts")
    if post.visibility != PostVisibility.PUBLIC:
        return group_roles.allows(role, "see_members_only")
    return True


def readable_by(role, drafts=True):
    """The condition on Post matching what may_read allows (drafts=False: published posts only)."""
    condition = ~Post.draft
    if not group_roles.allows(role, "see_members_only"):
        condition &= Post.visibility == PostVisibility.PUBLIC
    elif drafts and group_roles.allows(role, "write_posts"):
        condition = Post.id.is_null(False)
    return condition


def post_by_slug(slug):
    """The post at /p/<slug> with its live local group (and its author), else NotFound: a post of
    another server's group is served by its own server."""
    Group = Actor.alias()
    post = (Post.select(Post, Group).join(Group, on=(Post.group == Group.id))
            .where((Post.slug == slug) & Group.domain.is_null() & Group.deleted_at.is_null() & ~Group.suspended)
            .first())
    if post is None:
        raise NotFound(_("There is no such post."))
    return post


def require_readable(post, role):
    """NotFound (the post's existence stays hidden) unless someone of role may read it."""
    if not may_read(post, role):
        raise NotFound(_("There is no such post."))


def document_for(post, role):
    """The post's Article for someone of role in its group: drafts are never served, members-only
    posts only to members; NotFound otherwise."""
    if post.draft:
        raise NotFound(_("There is no such post."))
    require_readable(post, role)
    return post_document(post)


def posts_of(group, role, page=1, per_page=POSTS_PER_PAGE, drafts=True):
    """One page of the group's posts that role may read, newest first (drafts first of all), one more
    than per_page when another page follows; each with its author."""
    newest = fn.COALESCE(Post.published_at, Post.created_at)
    return list(Post.select(Post, Actor).join(Actor, JOIN.LEFT_OUTER, on=(Post.author == Actor.id))
                .where((Post.group == group) & readable_by(role, drafts))
                .order_by(Post.draft.desc(), newest.desc(), Post.id.desc())
                .limit(per_page + 1).offset((page - 1) * per_page))


def _slugs_in_use(base):
    return {row.slug for row in Post.select(Post.slug).where((Post.slug == base) | Post.slug.startswith(f"{base}-"))}


def create_post(group, author, data, picture=None):
    """Write a post in group as author (a moderator or administrator of it); its slug comes from its title."""
    group_roles.require(group, author, "write_posts")
    values = clean_post_input(data)
    picture_name = pictures.save_picture(picture) if picture else None
    now = utcnow()
    post_uuid = str(uuid_lib.uuid4())

    def create(slug):
        return Post.create(uuid=post_uuid, ap_id=public_url("posts.show", slug=slug), slug=slug, group=group,
                           author=author, picture=picture_name, published_at=None if values["draft"] else now,
                           created_at=now, updated_at=now, **values)

    try:
        with database.atomic():
            post = create_with_slug(values["title"], _slugs_in_use, create)
            group_outbox.federate_post(post, author, was_shared=False)
            group_private_outbox.federate_members_post(post, author, was_members_only=False)
        return post
    except Exception:
        pictures.delete_picture(picture_name)
        raise


def update_post(post, actor, data, picture=None, remove_picture=False):
    """Change a post (the group's moderators); its address stays, so links to it still work. Published
    when it leaves the drafts, unpublished when it goes back."""
    group_roles.require(post.group, actor, "write_posts")
    values = clean_post_input(data)
    old_picture = post.picture
    new_picture = pictures.save_picture(picture) if picture else None
    if new_picture or remove_picture:
        values["picture"] = new_picture
    now = utcnow()
    values["published_at"] = None if values["draft"] else (post.published_at or now)
    try:
        with database.atomic():
            Post.update(updated_at=now, **values).where(Post.id == post.id).execute()
            changed = post_by_slug(post.slug)
            group_outbox.federate_post(changed, actor, group_outbox.is_shared(post))
            group_private_outbox.federate_members_post(changed, actor, group_private_outbox.is_members_only(post))
    except Exception:
        pictures.delete_picture(new_picture)
        raise
    if new_picture or remove_picture:
        pictures.delete_picture(old_picture)
    return changed


def delete_post(post, actor):
    """Delete a post for good (the group's moderators)."""
    group_roles.require(post.group, actor, "write_posts")
    erase(post, actor)


def erase(post, actor):
    """Delete a post, its Delete sent by actor (the checks made: see delete_post)."""
    with database.atomic():
        group_outbox.federate_post(post, actor, group_outbox.is_shared(post), deleted=True)
        group_private_outbox.federate_members_post(post, actor, group_private_outbox.is_members_only(post),
                                                   deleted=True)
        post.delete_instance()
    pictures.delete_picture(post.picture)


def post_document(post):
    """The post as an Article."""
    return post_to_ap(post, post.group, post.author)


def posts_collection(group, role, page=None, per_page=POSTS_PER_PAGE):
    """The group's published posts that role may read as an OrderedCollection (page given: one page of
    it, with the Articles): the public ones for anyone, members-only ones too for members."""
    query = Post.select().where((Post.group == group) & readable_by(role, drafts=False))
    items = []
    if page is not None:
        items = [post_to_ap(post, group, post.author) for post in posts_of(group, role, page, per_page, drafts=False)
                 [:per_page]]
    return collection(public_url("posts.index", username=group.preferred_username), items, query.count(), page,
                      per_page)
