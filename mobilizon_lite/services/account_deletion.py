"""Deleting an account, by its owner, staff or the command line: one path with the same rules (groups
handed over first, events handed on or deleted, participations withdrawn, comments blanked, the
address and personal data forgotten, the usernames kept taken)."""
from dataclasses import dataclass, field

from flask_babel import gettext as _

from .. import mail
from ..db import database, utcnow
from ..models import Actor, Comment, Event, FeedToken, Member, OutgoingMail, Participation, PasswordResetToken
from ..models.groups import Role
from ..models.participation import CREATOR, NOT_APPROVED, ORGANIZER_ROLES, PARTICIPANT
from . import events, participant_mail, participation
from .accounts import check_current_password, end_sessions, require_another_admin
from .errors import Invalid
from .event_access import ORGANISING_ROLES, organizer_ids
from .event_federation import federate
from .identities import identities_of, retire_identity

# What a deleted account's address becomes: unique, and no mail can reach it.
DELETED_EMAIL = "deleted-{id}@deleted.invalid"
# An event's fate when its organiser leaves and nobody else organises it.
DELETE = "delete"


@dataclass
class Plan:
    """What deleting an account would do, as its page shows it: the groups to hand over first, the events
    only it organises (each with the groups that could take it), and those another organiser takes."""
    groups_to_hand_over: list = field(default_factory=list)
    alone: list = field(default_factory=list)  # [(event, [group, …])]
    handed_on: list = field(default_factory=list)  # [(event, new organiser)]

    @property
    def blocked(self):
        return bool(self.groups_to_hand_over)


def _ids(identities):
    return [identity.id for identity in identities]


def groups_to_hand_over(identities):
    """The groups where these identities (an account's) are the only administrators."""
    ids = _ids(identities)
    administered = Member.select(Member.group).where(Member.actor.in_(ids) & (Member.role == Role.ADMINISTRATOR))
    others = Member.select(Member.group).where(Member.actor.not_in(ids) & (Member.role == Role.ADMINISTRATOR))
    return list(Actor.select().where(Actor.id.in_(administered) & Actor.id.not_in(others))
                .order_by(Actor.preferred_username))


def _live_local(query, excluded):
    """Live identities of this server among query's actors, but the excluded ids."""
    return (query.where(Actor.domain.is_null() & Actor.account.is_null(False) & Actor.deleted_at.is_null()
                        & Actor.id.not_in(excluded)))


def successor(event, excluded):
    """Another identity of here that organises the event (excluded: the leaving account's identity ids):
    a co-organiser, else a moderator or administrator of its group; None when the leaver was alone."""
    candidates = organizer_ids(event) - set(excluded)
    if not candidates:
        return None
    found = _live_local(Actor.select(), excluded).where(Actor.id.in_(list(candidates)))
    return found.order_by(Actor.id).first()


def group_heir(group, excluded):
    """The identity of here that would organise an event handed to group: its first administrator, else
    moderator, but the leaving account's identities; None if no such member is of this server."""
    query = _live_local(Actor.select().join(Member, on=(Member.actor == Actor.id)), excluded).where(
        (Member.group == group) & Member.role.in_(ORGANISING_ROLES))
    return query.order_by(Member.role == Role.MODERATOR, Member.id).first()


def _receiving_groups(identity, excluded):
    """The groups of here that identity administers and that have another organiser of here."""
    groups = (Actor.select().join(Member, on=(Member.group == Actor.id))
              .where((Member.actor == identity) & (Member.role == Role.ADMINISTRATOR) & Actor.domain.is_null()
                     & Actor.deleted_at.is_null()).order_by(Actor.preferred_username))
    return [group for group in groups if group_heir(group, excluded) is not None]


def plan(account):
    """The Plan of deleting account now."""
    identities = identities_of(account)
    excluded = _ids(identities)
    result = Plan(groups_to_hand_over=groups_to_hand_over(identities))
    for identity in identities:
        for event in Event.select().where(Event.organizer == identity).order_by(Event.begins_on.desc()):
            heir = successor(event, excluded)
            if heir is not None:
                result.handed_on.append((event, heir))
            else:
                result.alone.append((event, _receiving_groups(identity, excluded)))
    return result


def _hand_over(event, heir, group=None):
    """Make heir the event's organiser (and group, when given, the group it belongs to); they take part
    as its creator. Other servers get the Update."""
    Participation.delete().where((Participation.event == event) & (Participation.actor == heir)
                                 & ~Participation.role.in_(ORGANIZER_ROLES)).execute()
    Participation.update(role=CREATOR).where((Participation.event == event) & (Participation.actor == heir)).execute()
    if not Participation.select().where((Participation.event == event) & (Participation.actor == heir)).exists():
        Participation.create(event=event, actor=heir, role=CREATOR)
    changes = {"organizer": heir, "sequence": Event.sequence + 1, "updated_at": utcnow()}
    if group is not None:
        changes["attributed_to"] = group
    Event.update(**changes).where(Event.id == event.id).execute()
    federate(events.events_query().where(Event.id == event.id).get(), "Update", heir)


def _settle_events(found, choices, default, excluded):
    """Hand on or delete the leaving account's events as found (a Plan) and chosen (event id -> DELETE or a
    group id; default for the others); returns the emails to send once it is done."""
    outgoing = []
    for event, heir in found.handed_on:
        _hand_over(event, heir)
    for event, groups in found.alone:
        choice = str(choices.get(event.id) or default)
        if choice == DELETE:
            if (event.ends_on or event.begins_on) > utcnow():
                outgoing += participant_mail.participant_mails(event, event.organizer, "mail/event_cancelled.txt",
                                                     cancel_link=None)
            events.delete_event(event, event.organizer)
            continue
        group = next((group for group in groups if str(group.id) == choice), None)
        if group is None:
            raise Invalid(_("“%(title)s” can go only to a group you administer with another organiser here.",
                            title=event.title))
        _hand_over(event, group_heir(group, excluded), group)
    return outgoing


def _withdraw_participations(identities):
    """Emails telling the organisers of local events that these identities no longer take part (their
    rows go with the identities: the seats free)."""
    outgoing = []
    rows = Participation.select().where(Participation.actor.in_(_ids(identities))
                                        & Participation.role.in_([PARTICIPANT, NOT_APPROVED]))
    for row in rows:
        if not row.event.is_local:
            continue  # the Delete of the identity tells the event's server
        outgoing += participation.organizer_mails(row.event, row.actor, "mail/participation_withdrawn.txt")
    return outgoing


def delete_account(account, choices=None, default=DELETE):
    """Delete account by the rules of this module (choices, default: as for events' fates); refused while
    it is the last administrator of a group or of the instance."""
    identities = identities_of(account)
    excluded = _ids(identities)
    with database.atomic("IMMEDIATE"):
        require_another_admin(account)
        found = plan(account)
        if found.blocked:
            raise Invalid(_("Hand over these groups first: %(groups)s.", groups=", ".join(
                "@" + group.preferred_username for group in found.groups_to_hand_over)))
        outgoing = _settle_events(found, choices or {}, default, excluded)
        outgoing += _withdraw_participations(identities)
        participation.withdraw_everywhere(excluded)
        # Blanked, not removed: a reply keeps its place in the thread, the comment reads "deleted".
        Comment.update(deleted_at=utcnow(), text="", source="").where(
            Comment.actor.in_(excluded) & Comment.deleted_at.is_null()).execute()
        for identity in identities:
            retire_identity(identity)
        Member.delete().where(Member.actor.in_(excluded)).execute()
        FeedToken.delete().where(FeedToken.account == account).execute()
        PasswordResetToken.delete().where(PasswordResetToken.account == account).execute()
        # The queue's rows name the address too (and, unsent, may carry its reset or feed links).
        OutgoingMail.delete().where(OutgoingMail.recipient == account.email).execute()
        end_sessions(account, email=DELETED_EMAIL.format(id=account.id), password_hash="!", locale=None,
                     deleted_at=utcnow())
        # Queued with the deletion, sent once it commits; the account itself is told nothing (one of its
        # identities may organise what another one joined).
        mail.send_batch([item for item in outgoing if item.to != account.email])


def delete_own_account(account, password, choices=None, default=DELETE):
    """Delete one's own account once its password is given again."""
    check_current_password(account, password)
    delete_account(account, choices, default)

