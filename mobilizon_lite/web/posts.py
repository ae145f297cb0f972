"""Group posts: the group's list, a post's page (or its Article), and writing, editing, deleting them."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..negotiation import collection_page, negotiated, personal_document, wants_activity_json
from ..page_cache import shared
from ..services import group_roles, posts
from ..services.groups import local_group
from ..urls import page_number
from .context import acting_in, group_requester
from .forms.base import confirmed_deletion, refusals_on, render_form
from .forms.posts import PostForm
from .once import once

bp = Blueprint("posts", __name__)


def _signed():
    # A signed fetch may come from a member: its answer is nobody else's.
    return "Signature" in request.headers


def _role(group):
    """The role in group of who asks: the signer of a signed fetch (or the account) for ActivityStreams
    clients, the account's identity acting in it for browsers."""
    if wants_activity_json():
        return group_roles.role_of(group, group_requester(group))
    return group_roles.member_role(acting_in(group)[1])


@bp.route("/@<username>/posts")
@negotiated
@shared(unless=_signed)
def index(username):
    group = local_group(username)
    role = _role(group)
    if wants_activity_json():
        return personal_document(posts.posts_collection(group, role, collection_page()))
    page = page_number(request.args.get("page"))
    rows = posts.posts_of(group, role, page)
    return render_template("posts/index.html", group=group, posts=rows[:posts.POSTS_PER_PAGE], page=page,
                           has_next=len(rows) > posts.POSTS_PER_PAGE,
                           may_write=group_roles.allows(role, "write_posts"))


@bp.route("/p/<slug>")
@negotiated
@shared(unless=_signed)
def show(slug):
    post = posts.post_by_slug(slug)
    role = _role(post.group)
    if wants_activity_json():
        return personal_document(posts.document_for(post, role))
    posts.require_readable(post, role)
    return render_template("posts/show.html", post=post, group=post.group,
                           may_write=group_roles.allows(role, "write_posts"))


def _writer(group):
    """The account's identity that writes in group; PermissionDenied unless its role allows it."""
    identity, _member = acting_in(group)
    group_roles.require(group, identity, "write_posts")
    return identity


def _editable(slug):
    """(post, the identity editing it): NotFound for those who may not read it, PermissionDenied for
    readers who may not write."""
    post = posts.post_by_slug(slug)
    posts.require_readable(post, _role(post.group))
    return post, _writer(post.group)


@bp.route("/@<username>/posts/new", methods=["GET", "POST"])
@login_required
@once
def create(username):
    group = local_group(username)
    author = _writer(group)
    form = PostForm()
    if form.validate_on_submit():
        with refusals_on(form):
            post = posts.create_post(group, author, form.post_data(), picture=form.picture.data or None)
            flash(_("The post is saved as a draft.") if post.draft else _("The post is published."), "success")
            return redirect(url_for("posts.show", slug=post.slug))
    return render_form("posts/form.html", form, group=group, post=None)


@bp.route("/p/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    post, editor = _editable(slug)
    form = PostForm(data={"title": post.title, "body": post.body_source, "visibility": post.visibility,
                          "draft": post.draft})
    if form.validate_on_submit():
        with refusals_on(form):
            post = posts.update_post(post, editor, form.post_data(), picture=form.picture.data or None,
                                     remove_picture=form.remove_picture.data)
            flash(_("The post is saved."), "success")
            return redirect(url_for("posts.show", slug=post.slug))
    return render_form("posts/form.html", form, group=post.group, post=post)


@bp.route("/p/<slug>/delete", methods=["GET", "POST"])
@login_required
def delete(slug):
    post, editor = _editable(slug)
    return confirmed_deletion(lambda: posts.delete_post(post, editor),
                              _("The post “%(title)s” is deleted.", title=post.title),
                              url_for("posts.index", username=post.group.preferred_username),
                              title=_("Delete the post"), heading=_("Delete “%(title)s”?", title=post.title),
                              lines=[_("The post disappears for good.")], button=_("Delete the post"),
                              cancel=url_for("posts.show", slug=post.slug))
