"""Removal of anyone's content by moderators, from the "Remove (moderation)" control on its page."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..services import content_moderation
from .forms.base import refusals_on, render_form
from .forms.moderation import ReasonForm
from .staff import staff_blueprint

bp = staff_blueprint("admin_content", __name__, "/admin/content")


def _page(kind, content):
    """The page the content shows on (a comment's event, a message's discussion), or None."""
    if kind == "event":
        return url_for("events.show", uuid=content.uuid)
    if kind == "comment":
        return url_for("events.show", uuid=content.event.uuid)
    if kind == "post":
        return url_for("posts.show", slug=content.slug)
    discussion = content.discussion
    if discussion.group.is_local:
        return url_for("discussions.show", username=discussion.group.preferred_username, slug=discussion.slug)
    return None


@bp.route("/<kind>/<id:content_id>/remove", methods=["GET", "POST"])
def remove(kind, content_id):
    content = content_moderation.find(kind, content_id)
    name = content_moderation.name(kind)
    page = _page(kind, content)
    form = ReasonForm()
    if form.validate_on_submit():
        with refusals_on(form):
            content_moderation.remove(kind, content, current_user, form.reason.data)
            flash(_("The %(kind)s is removed.", kind=name), "success")
            # What still shows a placeholder where the content was; the log for what is gone.
            return redirect(page if kind in ("comment", "message") and page else url_for("admin.log"))
    return render_form("admin/remove_content.html", form, heading=_("Remove this %(kind)s", kind=name),
                       label=content_moderation.label(kind, content), cancel=page or url_for("admin.log"),
                       remote=not content_moderation.is_local(kind, content))
