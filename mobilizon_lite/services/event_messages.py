"""Organisers' messages to an event's participants: written here (emailed to local and confirmed
anonymous participants, a direct Note to those of other servers), received from an event's server,
listed on the event page for its participants, and the emailed link that stops them."""
from flask_babel import gettext as _
from peewee import JOIN

from .. import mail
from ..activitypub.convert.activities import change_to_ap
from ..activitypub.convert.event_message import event_message_from_ap, event_message_to_ap
from ..activitypub.publish import new_activity_id, publish
from ..db import database
from ..models import Account, Actor, Event, EventMessage, Participation
from ..models.event_messages import ACCEPTED, ALL, AUDIENCES, WAITING
from ..models.federation import DONE, IGNORED
from ..models.limits import EVENT_MESSAGE_MAX, EVENT_MESSAGE_SUBJECT_MAX
from ..models.participation import GOING_ROLES, NOT_APPROVED, ORGANIZER_ROLES, WAITLISTED
from ..text import clean_text
from ..urls import public_url
from .errors import Invalid, PermissionDenied
from .event_access import require_organizer
from .instance_settings import default_language
from .participant_mail import event_link, participation_by_token, participation_token, recipient

UNSUBSCRIBE_PURPOSE = "event-messages-off"
ONE_CLICK = "List-Unsubscribe=One-Click"
# The participations each audience reaches; those waiting wait for the organisers' approval or for a seat.
WAITING_ROLES = (NOT_APPROVED, WAITLISTED)
AUDIENCE_ROLES = {ALL: (*GOING_ROLES, *WAITING_ROLES), ACCEPTED: GOING_ROLES, WAITING: WAITING_ROLES}
# What the event page lists at most.
SHOWN = 20


def check_send(event, sender, organizers=None):
    """Refuse messages but from whoever may edit the event (organizers: its organizer_ids, if known),
    on an event of this server."""
    require_organizer(event, sender, organizers)
    if not event.is_local:
        raise PermissionDenied(_("Only the organisers of this event can do this."))


def _clean(audience, subject, text):
    if audience not in AUDIENCES:
        raise Invalid(_("Choose whom the message is for."), "audience")
    subject = " ".join(clean_text(subject or "").split())
    text = clean_text(text or "", multiline=True).strip()
    if not subject or len(subject) > EVENT_MESSAGE_SUBJECT_MAX:
        raise Invalid(_("A subject of 1 to %(max)d characters.", max=EVENT_MESSAGE_SUBJECT_MAX), "subject")
    if not text or len(text) > EVENT_MESSAGE_MAX:
        raise Invalid(_("A message of 1 to %(max)d characters.", max=EVENT_MESSAGE_MAX), "text")
    return subject, text


def _recipients(event, sender, audience):
    """The participations the message reaches: of the audience's roles, not unsubscribed, not the
    sender's own account's, anonymous ones once confirmed (their role says so)."""
    return list(
        Participation.select(Participation, Actor, Account)
        .join(Actor, JOIN.LEFT_OUTER, on=(Participation.actor == Actor.id))
        .join(Account, JOIN.LEFT_OUTER, on=(Actor.account == Account.id))
        .where((Participation.event == event) & Participation.role.in_(AUDIENCE_ROLES[audience])
               & ~Participation.messages_off
               & (Actor.account.is_null() | (Actor.account != sender.account_id)))
    )


def send(event, sender, audience, subject, text):
    """Write to the event's participants (audience: one of AUDIENCES) as sender, an organiser: each
    local or anonymous one is emailed in their language, those of other servers get one direct Note.
    Returns (the stored message, how many people it reaches)."""
    check_send(event, sender)
    subject, text = _clean(audience, subject, text)
    rows = _recipients(event, sender, audience)
    remote = [row.actor for row in rows if row.actor_id is not None and not row.actor.is_local]
    link = event_link(event)
    emails = {}
    for row in rows:
        found = recipient(row, row.actor.account if row.actor_id and row.actor.account_id else None)
        if found:
            # Anonymous participants who joined in no language we speak read the instance's.
            emails.setdefault(found[0], (found[1] or default_language(), found[2], unsubscribe_link(row)))
    # The message, its Note and its emails are kept together or not at all.
    with database.atomic():
        message = EventMessage.create(event=event, sender=sender, audience=audience, subject=subject, text=text,
                                      ap_id=new_activity_id())
        if remote:
            note = event_message_to_ap(message, remote)
            publish(sender, change_to_ap(new_activity_id(), "Create", sender, note, note["to"], note["cc"]),
                    remote, listed=False)
        mail.send_batch(
            mail.Outgoing(email, "mail/event_message.txt", locale,
                          {"event": event, "link": link, "sender": sender, "subject": subject, "text": text,
                           "cancel_link": cancel, "unsubscribe_link": unsubscribe},
                          # Mail programs show an unsubscribe button that POSTs to it (RFC 8058).
                          {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": ONE_CLICK})
            for email, (locale, cancel, unsubscribe) in emails.items()
        )
    return message, len(emails) + len(remote)


def unsubscribe_link(participation):
    """The link that stops the organisers' messages to this participation, working without logging in."""
    return public_url("event_messages.unsubscribe", token=participation_token(participation, UNSUBSCRIBE_PURPOSE))


def participation_by_unsubscribe_token(token):
    """The participation an unsubscribe link belongs to, or NotFound."""
    return participation_by_token(token, UNSUBSCRIBE_PURPOSE)


def unsubscribe(token):
    """Stop the organisers' messages to the participation of an unsubscribe link; returns it."""
    participation = participation_by_unsubscribe_token(token)
    participation.messages_off = True
    Participation.update(messages_off=True).where(Participation.id == participation.id).execute()
    return participation


def audiences_of(roles):
    """The audiences whose messages participations of these roles received."""
    roles = set(roles)
    return {audience for audience, reached in AUDIENCE_ROLES.items() if roles & set(reached)}


def shown_to(event, participations, organizes):
    """The messages the event page lists for a viewer with these participations (an account's), all
    of them when it organises the event (organizes), newest first; none for anyone else."""
    audiences = set(AUDIENCES) if organizes else audiences_of(row.role for row in participations)
    if not audiences:
        return []
    return list(EventMessage.select(EventMessage, Actor).join(Actor, on=(EventMessage.sender == Actor.id))
                .where((EventMessage.event == event) & EventMessage.audience.in_(list(audiences)))
                .order_by(EventMessage.created_at.desc(), EventMessage.id.desc()).limit(SHOWN))


def receive(note, activity, author):
    """A direct Note from the server of an event we show, to identities of ours that take part in
    it: kept as a message of its organisers; the handling's state."""
    try:
        event_id, subject, text, addressees = event_message_from_ap(note, activity)
    except ValueError:
        return IGNORED
    event = Event.get_or_none(Event.ap_id == event_id)
    # Only the event's organisers (its organiser, its group, a co-organiser we know of) write as such.
    if event is None or event.is_local or author.is_local or not _organizes(event, author):
        return IGNORED
    addressed = {row.role for row in Participation.select(Participation.role)
                 .join(Actor, on=(Participation.actor == Actor.id))
                 .where((Participation.event == event) & Actor.domain.is_null()
                        & Actor.ap_id.in_(list(addressees)) & Participation.role.in_(AUDIENCE_ROLES[ALL]))}
    if not addressed:
        return IGNORED
    # Shown to those it was written for: the narrowest audience holding every addressee's role.
    audience = min((audience for audience, roles in AUDIENCE_ROLES.items() if addressed <= set(roles)),
                   key=lambda audience: len(AUDIENCE_ROLES[audience]))
    with database.atomic():
        if not EventMessage.select().where(EventMessage.ap_id == note["id"]).exists():
            EventMessage.create(event=event, sender=author, audience=audience, subject=subject, text=text,
                                ap_id=note["id"])
    return DONE


def _organizes(event, author):
    if author.id in (event.organizer_id, event.attributed_to_id):
        return True
    return Participation.select().where((Participation.event == event) & (Participation.actor == author)
                                        & Participation.role.in_(ORGANIZER_ROLES)).exists()
