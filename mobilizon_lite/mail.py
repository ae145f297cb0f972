"""Outgoing email: rendered from templates/mail/ in the recipient's language when it is written, and
queued in the writer's transaction for mail_queue to send once it commits."""
from email.utils import make_msgid
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from . import mail_queue
from .db import database
from .models import OutgoingMail

# Rows written per INSERT: far below SQLite's limit on bound values.
INSERT_ROWS = 100


def render_mail(template_name, locale=None, **context):
    """Render a mail template's `subject` and `body` blocks as (subject, body)."""
    template = current_app.jinja_env.get_template(template_name)
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        ctx = template.new_context(dict(context, instance_name=current_app.extensions["instance_name"]()))
        subject = "".join(template.blocks["subject"](ctx)).strip()
        body = "".join(template.blocks["body"](ctx)).strip() + "\n"
    return " ".join(subject.split()), body


class Outgoing(NamedTuple):
    """One email to render and send; headers adds to the usual ones ({"List-Unsubscribe": …})."""

    to: str
    template: str
    locale: str | None
    context: dict
    headers: dict | None = None


def send_batch(outgoing):
    """Render emails now and queue them; returns how many were queued.

    They leave once the current transaction commits (none if it rolls back), from the scheduler's job, or
    right after the commit when no scheduler runs (an admin command); a mail server that fails makes them
    wait and try again, never the page fail.
    """
    host = urlsplit(current_app.config["BASE_URL"]).hostname
    rows = []
    for item in outgoing:
        subject, body = render_mail(item.template, item.locale, **item.context)
        rows.append({"recipient": item.to, "subject": subject, "body": body,
                     "message_id": make_msgid(domain=host), "headers": item.headers or {}})
    if not rows:
        return 0
    with database.atomic():
        for start in range(0, len(rows), INSERT_ROWS):
            OutgoingMail.insert_many(rows[start:start + INSERT_ROWS]).execute()
        database.on_commit(mail_queue.wake)
    return len(rows)


def send_mail(to, template_name, locale=None, **context):
    """Render one email now and queue it, as send_batch does; returns True."""
    return send_batch([Outgoing(to, template_name, locale, context)]) == 1
