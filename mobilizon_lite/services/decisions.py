"""What organisers decide on a participation from the participants page: approve, reject, remove or
promote it (DECISIONS), and which of these each participation is offered (decisions_for)."""
from flask_babel import gettext as _

from ..db import database
from ..models import EventInvitation, Participation
from ..models.participation import MODERATOR, NOT_APPROVED, NOT_CONFIRMED, ORGANIZER_ROLES, PARTICIPANT, REJECTED
from .errors import Invalid, NotFound, PermissionDenied, refusal
from .event_access import require_organizer
from .participation import answer_remote, fill_seats, require_seat, set_role, tell
from .seats import going_count, others_than


def _participation_for(event, participation_id):
    # Anonymous requests whose email is not confirmed are not the organisers' to decide on yet.
    participation = Participation.get_or_none(
        (Participation.id == participation_id) & (Participation.event == event)
        & (Participation.role != NOT_CONFIRMED)
    )
    if participation is None:
        raise NotFound(_("This participation does not exist."))
    return participation


def check_decision(event, participation, decision, going=None):
    """Refuse an organiser's decision (one of DECISIONS) that does not fit this participation; going
    as for require_seat."""
    role = participation.role
    if role == NOT_CONFIRMED:
        raise NotFound(_("This participation does not exist."))
    if decision == "approve":
        if role not in (NOT_APPROVED, REJECTED):
            raise Invalid(_("This person does not wait for approval."))
        besides = others_than(participation) if participation.recurrence_id is None else None
        require_seat(event, going, participation.recurrence_id, besides)
    elif decision in ("reject", "remove") and role in ORGANIZER_ROLES:
        raise PermissionDenied(_("Organisers cannot be rejected.") if decision == "reject"
                               else _("Organisers cannot be removed."))
    elif decision == "reject" and role == REJECTED:
        raise Invalid(_("This participation is already declined."))
    elif decision == "promote" and (role != PARTICIPANT or participation.actor_id is None
                                    or not participation.actor.is_local):
        raise Invalid(_("Only participants with an identity on this server can become co-organisers."))


def decisions_for(event, participations):
    """The decisions the participants page offers on each participation, by id (seats counted once a
    date)."""
    going = {}
    # check_decision reads a participation's role and date and whether it is anonymous, local or remote,
    # and nothing else of it: rows alike in those share one answer (a refusal costs its translated message).
    answers = {}
    offered = {}
    for row in participations:
        key = (row.role, row.actor_id is None or row.actor.is_local, row.actor_id is None, row.recurrence_id)
        if key not in answers:
            if event.capacity is not None and row.recurrence_id not in going:
                going[row.recurrence_id] = going_count(event, row.recurrence_id)
            answers[key] = {decision for decision in DECISIONS
                            if refusal(check_decision, event, row, decision, going.get(row.recurrence_id)) is None}
        offered[row.id] = answers[key]
    return offered


def _deciding(event, participation_id, decision):
    """The participation a decision is about, found and checked; call under the write lock (IMMEDIATE), so
    two organisers deciding at once each see the other's decision."""
    participation = _participation_for(event, participation_id)
    check_decision(event, participation, decision)
    return participation


def approve(event, organizer, participation_id):
    """Accept a waiting (or rejected) participant, if a seat is left; they are emailed."""
    require_organizer(event, organizer)
    with database.atomic("IMMEDIATE"):
        participation = _deciding(event, participation_id, "approve")
        set_role(participation, PARTICIPANT)
        answer_remote(event, participation, "Accept", organizer)
    tell(participation, "mail/participation_approved.txt")
    return participation


def reject(event, organizer, participation_id):
    """Decline a participant (organisers cannot be rejected); they are emailed."""
    require_organizer(event, organizer)
    with database.atomic("IMMEDIATE"):
        participation = _deciding(event, participation_id, "reject")
        set_role(participation, REJECTED)
        answer_remote(event, participation, "Reject", organizer)
        fill_seats(event)
    tell(participation, "mail/participation_rejected.txt")
    return participation


def remove(event, organizer, participation_id):
    """Take someone off the list entirely, invitation included (never an organiser)."""
    require_organizer(event, organizer)
    with database.atomic("IMMEDIATE"):
        participation = _deciding(event, participation_id, "remove")
        if participation.actor_id is not None:
            EventInvitation.delete().where((EventInvitation.event == event)
                                           & (EventInvitation.actor == participation.actor_id)).execute()
        participation.delete_instance()
        # Their server would otherwise go on showing them as taking part.
        answer_remote(event, participation, "Reject", organizer)
        fill_seats(event)


def promote(event, organizer, participation_id):
    """Make a participant a co-organiser (moderator): they can edit and manage the event."""
    require_organizer(event, organizer)
    with database.atomic("IMMEDIATE"):
        participation = _deciding(event, participation_id, "promote")
        set_role(participation, MODERATOR)
        fill_seats(event)  # organisers take no seat
    return participation


# What organisers decide on a participation, on the participants page, and what carries it out.
DECISIONS = {"approve": approve, "reject": reject, "promote": promote, "remove": remove}
