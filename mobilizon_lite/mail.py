"""Outgoing email: rendered from templates/mail/ in the recipient's language, sent by SMTP
or, with no SMTP server configured, written as .eml files under instance/mail/."""
import logging
import secrets
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
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
        ctx = template.new_context(dict(context, instance_name=current_app.config["INSTANCE_NAME"]))
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


def _smtp_send(message):
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["SMTP_SSL"] else smtplib.SMTP
    with smtp_class(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]) as smtp:
        if config["SMTP_STARTTLS"] and not config["SMTP_SSL"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)


def _write_eml(message):
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    return path


def send_mail(to, template_name, locale=None, **context):
    """Render and send one email; returns False (and logs why) when it could not go out."""
    subject, body = render_mail(template_name, locale, **context)
    message = build_message(to, subject, body)
    if not current_app.config["SMTP_HOST"]:
        path = _write_eml(message)
        log.info("no SMTP server configured: mail %r to %s written to %s", subject, to, path)
        return True
    try:
        _smtp_send(message)
    except (smtplib.SMTPException, OSError):
        log.exception("could not send mail %r to %s", subject, to)
        return False
    log.info("mail %r sent to %s", subject, to)
    return True
