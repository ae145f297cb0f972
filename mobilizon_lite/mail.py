"""Outgoing email: rendered from templates/mail/ in the recipient's language, sent by SMTP
or, with no SMTP server configured, written as .eml files under instance/mail/."""
import logging
import secrets
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from .db import utcnow

log = logging.getLogger(__name__)


def sender_address():
    """The From address: MAIL_FROM, else noreply@ the instance's host name."""
    config = current_app.config
    if config["MAIL_FROM"]:
        return config["MAIL_FROM"]
    return f"noreply@{urlsplit(config['BASE_URL']).hostname}"


def render_mail(template_name, locale=None, **context):
    """Render a mail template's `subject` and `body` blocks as (subject, body)."""
    template = current_app.jinja_env.get_template(template_name)
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        ctx = template.new_context(dict(context, instance_name=current_app.extensions["instance_name"]()))
        subject = "".join(template.blocks["subject"](ctx)).strip()
        body = "".join(template.blocks["body"](ctx)).strip() + "\n"
    return " ".join(subject.split()), body


def build_message(to, subject, body):
    """An EmailMessage with the headers mail servers expect."""
    message = EmailMessage()
    message["From"] = sender_address()
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=urlsplit(current_app.config["BASE_URL"]).hostname)
    message["Auto-Submitted"] = "auto-generated"
    # 8bit keeps links readable in .eml files; every line stays far below the 998-byte limit.
    message.set_content(body, cte="8bit")
    return message


class Outgoing(NamedTuple):
    """One email to render and send."""

    to: str
    template: str
    locale: str | None
    context: dict


def _open_smtp():
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["SMTP_SSL"] else smtplib.SMTP
    smtp = smtp_class(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"])
    if config["SMTP_STARTTLS"] and not config["SMTP_SSL"]:
        smtp.starttls()
    if config["SMTP_USERNAME"]:
        smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
    return smtp


def _write_eml(message):
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    return path


def send_batch(outgoing):
    """Render and send several emails over one SMTP connection; returns how many went out.

    A failure is logged, never raised: a mail server being down must not break the page.
    """
    messages = []
    for item in outgoing:
        subject, body = render_mail(item.template, item.locale, **item.context)
        messages.append(build_message(item.to, subject, body))
    if not messages:
        return 0
    if not current_app.config["SMTP_HOST"]:
        for message in messages:
            path = _write_eml(message)
            log.info("no SMTP server configured: mail %r to %s written to %s",
                     message["Subject"], message["To"], path)
        return len(messages)
    sent = 0
    try:
        with _open_smtp() as smtp:
            for message in messages:
                smtp.send_message(message)
                sent += 1
                log.info("mail %r sent to %s", message["Subject"], message["To"])
    except (smtplib.SMTPException, OSError):
        log.exception("could not send %d of %d mails", len(messages) - sent, len(messages))
    return sent


def send_mail(to, template_name, locale=None, **context):
    """Render and send one email; returns False (and logs why) when it could not go out."""
    return send_batch([Outgoing(to, template_name, locale, context)]) == 1
