"""The organisers' page writing to an event's participants, and the emailed link that stops such messages."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import login_required

from ..services import event_messages, events, rate_limits
from ..services.errors import TooMany
from .context import organizer_identity, private_page, viewer_ids
from .errors import retry_after
from .forms.base import add_error, refusals_on, render_form
from .forms.events import EventMessageForm

bp = Blueprint("event_messages", __name__)


@bp.route("/events/<uuid>/messages/new", methods=["GET", "POST"])
@login_required
def write(uuid):
    event = events.visible_event(uuid, viewer_ids())
    sender = organizer_identity(event)
    event_messages.check_send(event, sender)
    form = EventMessageForm()
    if form.validate_on_submit():
        try:
            with refusals_on(form):
                rate_limits.check(sender, "messages")
                _message, reached = event_messages.send(event, sender, form.audience.data, form.subject.data,
                                                        form.text.data)
                flash(ngettext("Your message is sent to %(num)d person.", "Your message is sent to %(num)d people.",
                               reached), "success")
                return redirect(url_for("events.show", uuid=event.uuid))
        except TooMany as error:
            add_error(form, error)
            return render_form("events/message.html", form, event=event, sender=sender)[0], 429, retry_after(error)
    return render_form("events/message.html", form, event=event, sender=sender)


@bp.route("/messages/unsubscribe/<token>", methods=["GET", "POST"])
@private_page
def unsubscribe(token):
    participation = event_messages.participation_by_unsubscribe_token(token)
    # Mail scanners open links: it takes the button (POST), which needs no log-in. The page also lists
    # the messages so far, for anonymous participants, whom no event page shows them.
    if request.method == "POST":
        participation = event_messages.unsubscribe(token)
    return render_template("events/unsubscribe.html", event=participation.event, done=participation.messages_off,
                           messages=event_messages.shown_to(participation.event, [participation], False))
