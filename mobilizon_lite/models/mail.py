"""Outgoing email, stored when it is written and sent by a job: a slow or failing mail server neither
slows a page nor loses a message."""
from peewee import CharField, IntegerField, TextField

from ..db import BaseModel, JSONField, UTCDateTimeField, utcnow

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


class OutgoingMail(BaseModel):
    """One rendered email to one recipient, retried until it is sent or given up."""

    recipient = CharField(max_length=320)
    subject = TextField()
    # Emptied once sent: a sign-up or password link has no business staying in the database.
    body = TextField()
    # Kept from the first try, so that a message sent twice (a lost answer) is recognised as one.
    message_id = CharField(max_length=255)
    # Further headers a caller asks for (List-Unsubscribe, …), {name: value}.
    headers = JSONField(default=dict)
    state = CharField(max_length=16, default=PENDING)
    attempts = IntegerField(default=0)
    # While a run sends it, a little later: another process draining at once leaves it alone.
    next_attempt_at = UTCDateTimeField(default=utcnow)
    last_error = TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)
    sent_at = UTCDateTimeField(null=True)

    class Meta:
        # The drain reads the due pending rows; the admin page the others by state.
        indexes = ((("state", "next_attempt_at"), False),)
