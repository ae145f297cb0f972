"""An event's comment thread as each viewer sees it: rendered once for everyone, each viewer's buttons
and reply forms written into its holes."""
from flask import get_template_attribute, render_template, url_for
from flask_login import current_user

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
    allowed = {number: (*pair, False) for number, pair in
               comments.actions_for(part.data, identities, acting, organizers).items()}
    if current_user.is_authenticated and current_user.is_moderator:
        # Staff may remove any comment (web/admin_content.py), whatever else they may do with it.
        allowed.update({comment.id: (*allowed.get(comment.id, (False, False))[:2], True)
                        for comment in part.data if comment.deleted_at is None})
    if not allowed and commenter is None:
        return Rendered(part.fill({}))
    comments_path = url_for("comments.create", uuid=event.uuid)
    removal_path = url_for("admin_content.remove", kind="comment", content_id=0).replace("/0/", f"/{NUMBER}/")
    actions, given = get_template_attribute(CONTROLS, "actions"), {}
    kinds = {flags: str(actions(f"{comments_path}/{NUMBER}", TOKEN, *flags[:2], removal_path if flags[2] else ""))
             for flags in set(allowed.values())}
    for number, flags in allowed.items():
        given[f"actions-{number}"] = kinds[flags].replace(NUMBER, str(number))
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
