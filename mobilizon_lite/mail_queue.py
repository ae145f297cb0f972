"""The outgoing mail queue: a job sends the stored emails over one SMTP connection per run (or, with no
SMTP server configured, writes them as .eml files under instance/mail/), retries them with a growing
wait, gives up after a bound, and keeps what failed for the administrators to retry or discard."""
import logging
import secrets
import smtplib
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from .claims import claim
from .db import database, delete_in_batches, utcnow
from .job_runs import KickedJob, backoff
from .models import OutgoingMail
from .models.mail import FAILED, PENDING, SENT

log = logging.getLogger(__name__)

SEND_JOB = "send_mail_queue"
SENDING = KickedJob(SEND_JOB)
BATCH = 50
# How long a run holds the rows it took (see claims.py): far longer than a batch takes even with a slow
# server, so that another process draining at the same moment leaves them alone; should the run die with
# the process, they are due again after it.
CLAIM = timedelta(minutes=15)
# Rows the administration page lists at most (the counts above it say how many there are).
LISTED = 100


def sender_address():
    """The From address: MAIL_FROM, else noreply@ the instance's host name."""
    config = current_app.config
    if config["MAIL_FROM"]:
        return config["MAIL_FROM"]
    return f"noreply@{urlsplit(config['BASE_URL']).hostname}"


def build_message(row):
    """The EmailMessage of a queued row, with the headers mail servers expect."""
    message = EmailMessage()
    message["From"] = sender_address()
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (row.headers or {}).items():
        message[name] = value
    # 8bit keeps links readable in .eml files; every line stays far below the 998-byte limit.
    message.set_content(row.body, cte="8bit")
    return message


def wake():
    """Have the queue sent: by the running scheduler's job within a second, else (an admin command, a
    test) here and now. Registered with on_commit by whatever queues or releases mail."""
    if not SENDING.kick():
        send_queued()


def send_queued(seconds=60):
    """The scheduler job: send batch after batch while mail is due, for at most `seconds`; returns how
    many were tried."""
    def step(deadline):
        tried = _send_due(deadline)
        return tried, tried == BATCH

    return SENDING.run(step, seconds)


def _take_due():
    """The due rows, claimed for this run."""
    now = utcnow()
    due = (OutgoingMail.state == PENDING) & (OutgoingMail.next_attempt_at <= now)
    return claim(OutgoingMail.select().where(due).order_by(OutgoingMail.next_attempt_at, OutgoingMail.id).limit(BATCH),
                 OutgoingMail.next_attempt_at, now + CLAIM)


def _send_due(deadline):
    """Send one batch of due rows and record each outcome; returns how many were tried.

    No transaction is held while the mail server is talked to: SQLite's single writer never waits on it.
    """
    rows = _take_due()
    if not rows:
        return 0
    if not current_app.config["SMTP_HOST"]:
        for row in rows:
            _write_eml(row)
        return len(rows)
    try:
        smtp = _open_smtp()
    except (smtplib.SMTPException, OSError) as error:
        for row in rows:
            _failed(row, _describe(error))
        return len(rows)
    tried = 0
    try:
        for row in rows:
            if time.monotonic() > deadline:
                _release(rows[tried:])
                break
            tried += 1
            if not _send_one(smtp, row):
                # The connection is gone: the rest of the batch waits as this row does.
                for later in rows[tried:]:
                    _failed(later, "the mail server closed the connection")
                tried = len(rows)
                break
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return tried


def _send_one(smtp, row):
    """Send one row over smtp and record the outcome; returns False when the connection is lost."""
    try:
        smtp.send_message(build_message(row))
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        _failed(row, "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in error.recipients.values()),
                final=all(code >= 500 for code in codes))
    except smtplib.SMTPNotSupportedError as error:  # an address this server cannot take (SMTPUTF8)
        _failed(row, _describe(error), final=True)
    except smtplib.SMTPServerDisconnected as error:
        _failed(row, _describe(error))
        return False
    except smtplib.SMTPResponseException as error:
        # A message refused for good (5xx on its data) is final; a refused sender is the setup's fault
        # and, like a temporary 4xx, is worth another try once it is fixed.
        _failed(row, _describe(error), final=isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500)
    except (smtplib.SMTPException, OSError) as error:
        _failed(row, _describe(error))
        return False
    except Exception as error:  # noqa: BLE001 - one unsendable row (a header it cannot carry) must not stop the queue
        log.exception("mail %s cannot be sent", row.id)
        _failed(row, _describe(error), final=True)
    else:
        _sent(row)
        log.info("mail %r sent to %s", row.subject, row.recipient)
    return True


def _describe(error):
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{error.smtp_code} {text}"
    return f"{error.__class__.__name__}: {error}"


def _open_smtp():
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["SMTP_SSL"] else smtplib.SMTP
    smtp = smtp_class(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"])
    try:
        if config["SMTP_STARTTLS"] and not config["SMTP_SSL"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _write_eml(row):
    folder = Path(current_app.instance_path) / "mail"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{utcnow():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml"
        path.write_bytes(bytes(build_message(row)))
    except OSError as error:
        _failed(row, _describe(error))
        return
    _sent(row)
    log.info("no SMTP server configured: mail %r to %s written to %s", row.subject, row.recipient, path)


def _sent(row):
    OutgoingMail.update(state=SENT, sent_at=utcnow(), attempts=row.attempts + 1, body="", last_error="").where(
        OutgoingMail.id == row.id).execute()


def _failed(row, error, final=False):
    """Record a failed try: the row waits longer after each, and is given up when final, after
    MAIL_MAX_ATTEMPTS tries or once MAIL_GIVE_UP_HOURS old."""
    config, now = current_app.config, utcnow()
    attempts = row.attempts + 1
    give_up = (final or attempts >= config["MAIL_MAX_ATTEMPTS"]
               or now - row.created_at > timedelta(hours=config["MAIL_GIVE_UP_HOURS"]))
    OutgoingMail.update(
        state=FAILED if give_up else PENDING, attempts=attempts, last_error=error[:1000],
        next_attempt_at=now + timedelta(seconds=backoff(attempts, config["MAIL_BACKOFF_SCALE"])),
    ).where(OutgoingMail.id == row.id).execute()
    log.warning("mail %s to %s %s: %s", row.id, row.recipient, "given up" if give_up else "not sent yet", error)


def _release(rows):
    OutgoingMail.update(next_attempt_at=utcnow()).where(OutgoingMail.id.in_([row.id for row in rows])).execute()


def given_up():
    """How many mails were given up (and neither retried nor discarded since)."""
    return OutgoingMail.select().where(OutgoingMail.state == FAILED).count()


def troubles():
    """For the administrators: {"failed": n, "waiting": n} counts of mail given up and of mail waiting after
    a failed try, and `rows`, the newest of them (without their bodies)."""
    failed = OutgoingMail.state == FAILED
    waiting = (OutgoingMail.state == PENDING) & (OutgoingMail.attempts > 0)
    fields = [OutgoingMail.id, OutgoingMail.recipient, OutgoingMail.subject, OutgoingMail.state,
              OutgoingMail.attempts, OutgoingMail.next_attempt_at, OutgoingMail.last_error, OutgoingMail.created_at]
    return {
        "failed": given_up(),
        "waiting": OutgoingMail.select().where(waiting).count(),
        "rows": list(OutgoingMail.select(*fields).where(failed | waiting)
                     .order_by(OutgoingMail.created_at.desc(), OutgoingMail.id.desc()).limit(LISTED)),
    }


def retry(mail_id):
    """Try a mail not yet sent again now (one more try for a mail given up); returns whether there was one."""
    with database.atomic():
        found = OutgoingMail.update(state=PENDING, next_attempt_at=utcnow()).where(
            (OutgoingMail.id == mail_id) & (OutgoingMail.state != SENT)).execute()
        if found:
            database.on_commit(wake)
    return bool(found)


def discard(mail_id):
    """Forget a mail not yet sent; returns whether there was one."""
    return bool(OutgoingMail.delete().where((OutgoingMail.id == mail_id) & (OutgoingMail.state != SENT)).execute())


def purge_mail():
    """Forget sent mail after KEEP_SENT_DAYS and mail given up after KEEP_FAILED_DAYS; returns how many."""
    config, now = current_app.config, utcnow()
    return delete_in_batches(OutgoingMail, (
        ((OutgoingMail.state == SENT) & (OutgoingMail.sent_at < now - timedelta(days=config["KEEP_SENT_DAYS"])))
        | ((OutgoingMail.state == FAILED)
           & (OutgoingMail.created_at < now - timedelta(days=config["KEEP_FAILED_DAYS"])))))
