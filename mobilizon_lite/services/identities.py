"""Identities: the several public faces (actors) of one account."""
import re

from flask_babel import gettext as _
from peewee import IntegrityError

from ..activitypub.convert.activities import delete_actor_to_ap
from ..activitypub.convert.actor import actor_to_ap
from ..activitypub.convert.tombstone import tombstone_document
from ..activitypub.keys import new_key_pair
from ..activitypub.publish import new_activity_id, publish
from ..db import database, utcnow
from ..models import Actor, Comment, Event, Follow, Participation
from ..models.actors import TYPE_PERSON
from ..text import markdown_to_html
from ..urls import public_url
from .actors import owned_by_confirmed
from .errors import Gone, Invalid, NotFound
from .follows import follower_addresses
from .prepared import prepared

USERNAME_RE = re.compile(r"[a-z0-9_]{1,30}")
NAME_MAX = 100
SUMMARY_MAX = 5000
# Names that would be mistaken for the instance itself or its staff.
RESERVED_USERNAMES = frozenset({
    "admin", "administrator", "relay", "instance", "root", "moderator", "support",
    "system", "postmaster", "abuse", "webmaster", "noreply", "no_reply",
})


def validate_username(username):
    """Raise Invalid unless username is allowed and free on this instance."""
    if not USERNAME_RE.fullmatch(username or ""):
        raise Invalid(
            _("Use 1 to 30 lowercase letters, digits or underscores (_)."), "username"
        )
    if username in RESERVED_USERNAMES:
        raise Invalid(_("This username is reserved."), "username")
    # Deleted identities keep their row, so this also refuses names used before.
    if Actor.select().where(
        Actor.domain.is_null() & (Actor.preferred_username == username)
    ).exists():
        raise Invalid(_("This username is already taken."), "username")


def check_profile(name, summary_source):
    """Raise Invalid when a display name or Markdown bio is too long."""
    if len(name) > NAME_MAX:
        raise Invalid(_("The display name is too long (at most %(max)d characters).", max=NAME_MAX), "name")
    if len(summary_source) > SUMMARY_MAX:
        raise Invalid(_("The bio is too long (at most %(max)d characters).", max=SUMMARY_MAX), "summary")


def create_identity(account, username, name="", summary_source="", key_pair=None):
    """Create a local identity for account with its own (or the given) key pair."""
    name, summary_source = name.strip(), summary_source.strip()
    validate_username(username)
    check_profile(name, summary_source)
    # Key generation is slow: callers inside a transaction pass a pair made before it.
    private_pem, public_pem = key_pair or new_key_pair()
    try:
        with database.atomic():
            return Actor.create(
                type=TYPE_PERSON,
                preferred_username=username,
                name=name,
                summary_source=summary_source,
                summary=markdown_to_html(summary_source),
                ap_id=public_url("pages.profile", username=username),
                public_key_pem=public_pem,
                private_key_pem=private_pem,
                account=account,
            )
    except IntegrityError:
        raise Invalid(_("This username is already taken."), "username") from None


def update_identity(identity, name, summary_source, manually_approves_followers=None):
    """Change an identity's display name, Markdown bio and (when given) how it takes followers."""
    name, summary_source = name.strip(), summary_source.strip()
    check_profile(name, summary_source)
    if manually_approves_followers is not None:
        identity.manually_approves_followers = bool(manually_approves_followers)
    identity.name = name
    identity.summary_source = summary_source
    identity.summary = markdown_to_html(summary_source)
    identity.updated_at = utcnow()
    identity.save()
    return identity


@prepared(1)
def _live_identities(account_id):
    return (Actor.select().where((Actor.account == account_id) & Actor.deleted_at.is_null())
            .order_by(Actor.created_at, Actor.id))


def identities_of(account):
    """The account's live identities, oldest first (read on every page a logged-in person opens)."""
    return list(_live_identities.rows(account.id))


def owned_identity(account, username):
    """The account's live identity called username; NotFound for anyone else's."""
    identity = Actor.get_or_none(
        (Actor.account == account)
        & Actor.domain.is_null()
        & (Actor.preferred_username == username)
        & Actor.deleted_at.is_null()
    )
    if identity is None:
        raise NotFound(_("You have no identity called @%(username)s.", username=username))
    return identity


def _local_person(username):
    """The local identity called username, deleted or suspended or not; NotFound when there is none."""
    identity = Actor.get_or_none(
        Actor.domain.is_null()
        & (Actor.preferred_username == username)
        & (Actor.type == TYPE_PERSON)
        & owned_by_confirmed()
    )
    if identity is None:
        raise NotFound(_("There is no one called @%(username)s here.", username=username))
    return identity


def public_identity(username):
    """The live local identity shown at /@username; NotFound, or Gone when it was deleted or suspended."""
    identity = _local_person(username)
    if identity.deleted_at is not None:
        raise Gone(_("@%(username)s was deleted.", username=username))
    if identity.suspended:
        raise Gone(_("@%(username)s is suspended.", username=username))
    return identity


def actor_document(username):
    """(document, HTTP status) of the identity at /@username: its actor, or a Tombstone (410) once deleted
    or suspended (its Delete went out: see announce_deletion)."""
    identity = _local_person(username)
    if identity.deleted_at is not None or identity.suspended:
        return tombstone_document(identity.ap_id, TYPE_PERSON, identity.deleted_at or utcnow()), 410
    return actor_to_ap(identity), 200


def _acquaintances(identity):
    """Everyone elsewhere who knows the identity: its followers, those it follows, and the organisers
    of the events it takes part in or commented on (their servers keep its participations)."""
    followed = Actor.select().join(Follow, on=(Follow.followed == Actor.id)).where(Follow.follower == identity)
    events = (Participation.select(Participation.event).where(Participation.actor == identity)
              | Comment.select(Comment.event).where(Comment.actor == identity))
    organizers = Actor.select().join(Event, on=(Event.organizer == Actor.id)).where(Event.id.in_(events))
    return follower_addresses(identity) + list(followed) + list(organizers)


def delete_identity(account, identity):
    """Delete one of the account's identities, never its last nor one that organises events.

    The username stays taken; the identity's participations and follows go, and its Delete reaches
    every server that knows it. Its address answers 410 from then on.
    """
    with database.atomic("IMMEDIATE"):
        remaining = (
            Actor.select()
            .where(
                (Actor.account == account)
                & Actor.deleted_at.is_null()
                & (Actor.id != identity.id)
            )
            .count()
        )
        if remaining == 0:
            raise Invalid(_("You cannot delete your only identity."))
        if Event.select().where(Event.organizer == identity).exists():
            raise Invalid(_("This identity organises events: delete them, or hand them to a co-organiser, first."))
        retire_identity(identity)


def retire_identity(identity):
    """What deleting an identity does, once allowed: its participations and follows go, its profile is
    emptied, and its Delete reaches every server that knows it (call inside a transaction)."""
    # participation reads identities: imported here, not at the top, to keep the import order one way.
    from .participation import withdraw_everywhere

    announce_deletion(identity)  # before its follows go: they say who knows it
    withdraw_everywhere([identity.id])  # its seats go to those in line
    Follow.delete().where((Follow.follower == identity) | (Follow.followed == identity)).execute()
    Actor.update(deleted_at=utcnow(), name="", summary="", summary_source="").where(Actor.id == identity.id).execute()


def announce_deletion(identity):
    """Send the identity's Delete to every server that knows it (a deletion, or a suspension: Mobilizon
    sends the same for both)."""
    publish(identity, delete_actor_to_ap(new_activity_id(), identity), _acquaintances(identity))
