"""An event's comment thread as each viewer sees it: rendered once for everyone, each viewer's buttons
and reply forms written into its holes."""
from flask import get_template_attribute, render_template, url_for

from ..models.limits import COMMENT_MAX
from ..page_cache import TOKEN, Rendered, hole, shared_holed
from ..services import comments

CONTROLS = "events/_comment_controls.html"
NUMBER = "__number__"  # in a viewer's controls rendered once, where each comment's number goes


def _shared_thread(event):
    thread = comments.thread(event)
    shown = [one for comment in thread for one in (comment, *comment.thread_replies)]
    return render_template("events/_thread.html", thread=thread, hole=hole), shown


def thread_html(event, identities, acting, organizers, commenter):
    """The event's comments as this viewer sees them: the thread rendered once for everyone, with the
    viewer's own buttons (see comments.actions_for) and, for a commenter, a reply form on each; their
    forms hold page_cache.TOKEN (the page is kept for its viewer: see web/events.py show)."""
    # Controls written per comment by a template cost more than the rest of the page: each kind is
    # rendered once here and given each comment's number.
    part = shared_holed(lambda: _shared_thread(event))
    allowed = comments.actions_for(part.data, identities, acting, organizers)
    if not allowed and commenter is None:
        return Rendered(part.fill({}))
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
    return Rendered(part.fill(given))


def comment_form_html(event, commenters, commenter):
    """The form for a new comment on event by one of commenters, commenter chosen (holding page_cache.TOKEN)."""
    return get_template_attribute(CONTROLS, "comment_form")(
        url_for("comments.create", uuid=event.uuid), TOKEN, commenters, commenter, COMMENT_MAX)
