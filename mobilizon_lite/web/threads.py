"""An event's comment thread as each viewer sees it: rendered once for everyone, each viewer's buttons
and reply forms written into its holes."""
import secrets

from flask import get_template_attribute, render_template, url_for
from flask_wtf.csrf import generate_csrf

from ..models.limits import COMMENT_MAX
from ..page_cache import Rendered, hole, shared_holed, viewer_part
from ..services import comments

CONTROLS = "events/_comment_controls.html"
NUMBER = "__number__"  # in a viewer's controls rendered once, where each comment's number goes
# Where the viewer's CSRF token goes in the thread kept for them: unguessable, as no comment may hold it.
TOKEN = secrets.token_hex(16)


def _shared_thread(event):
    thread = comments.thread(event)
    shown = [one for comment in thread for one in (comment, *comment.thread_replies)]
    return render_template("events/_thread.html", thread=thread, hole=hole), shown


def _viewer_thread(event, identities, acting, organizers, commenter):
    # Controls written per comment by a template cost more than the rest of the page: each kind is
    # rendered once here and given each comment's number.
    part = shared_holed(lambda: _shared_thread(event))
    allowed = comments.actions_for(part.data, identities, acting, organizers)
    if not allowed and commenter is None:
        return part.fill({})
    comments_path = url_for("comments.create", uuid=event.uuid)
    actions, given = get_template_attribute(CONTROLS, "actions"), {}
    kinds = {pair: str(actions(f"{comments_path}/{NUMBER}", TOKEN, *pair)) for pair in set(allowed.values())}
    for number, pair in allowed.items():
        given[f"actions-{number}"] = kinds[pair].replace(NUMBER, str(number))
    if commenter is not None:
        reply = str(get_template_attribute(CONTROLS, "reply_form")(
            comments_path, TOKEN, NUMBER, commenter, COMMENT_MAX))
        for comment in part.data:
            if comment.in_reply_to_id is None and comment.deleted_at is None:
                given[f"reply-{comment.id}"] = reply.replace(NUMBER, str(comment.id))
    return part.fill(given)


def thread_html(event, identities, acting, organizers, commenter):
    """The event's comments as this viewer sees them: the thread rendered once for everyone, with the
    viewer's own buttons (see comments.actions_for) and, for a commenter, a reply form on each."""
    if not identities:
        return Rendered(shared_holed(lambda: _shared_thread(event)).fill({}))
    # Kept for the viewer by all that decides their controls (the comments themselves are read in the
    # build): which identities, acting and commenting as whom, which of them organise the event.
    ids = tuple(identity.id for identity in identities)
    viewer = ("thread", ids, acting and acting.id, commenter and commenter.id,
              tuple(sorted(organizers.intersection(ids))))
    kept = viewer_part(viewer, lambda: _viewer_thread(event, identities, acting, organizers, commenter))
    return Rendered(kept.html.replace(TOKEN, generate_csrf()))


def comment_form_html(event, commenters, commenter):
    """The form for a new comment on event by one of commenters, commenter chosen."""
    return get_template_attribute(CONTROLS, "comment_form")(
        url_for("comments.create", uuid=event.uuid), generate_csrf(), commenters, commenter, COMMENT_MAX)
