"""Groups of this instance: made by an identity, found by their username."""
import uuid

from flask_babel import gettext as _
from peewee import IntegrityError

from ..activitypub.keys import new_key_pair
from ..db import database, utcnow
from ..models import Actor, Member
from ..models.actors import TYPE_GROUP
from ..models.groups import GroupVisibility, Openness, Role
from ..text import markdown_to_html
from ..urls import public_url
from .errors import Gone, Invalid, NotFound
from .identities import check_profile, validate_username

ADDRESS_FIELDS = ("place_name", "street", "postal_code", "locality", "region", "country")


def _check_settings(visibility, openness, address):
    if visibility not in tuple(GroupVisibility):
        raise Invalid(_("Choose who can find the group."), "visibility")
    if openness not in tuple(Openness):
        raise Invalid(_("Choose how people join the group."), "openness")
    unknown = set(address) - set(ADDRESS_FIELDS)
    if unknown:
        raise Invalid(_("Unknown address field."), "address")


def new_member_row(group, actor, role, **fields):
    """A Member row with its own id and address (/member/<uuid>), saved."""
    member_uuid = str(uuid.uuid4())
    now = utcnow()
    return Member.create(uuid=member_uuid, ap_id=public_url("actors.member", uuid=member_uuid), group=group,
                         actor=actor, role=role, member_since=now if role in (Role.MEMBER, Role.MODERATOR,
                                                                               Role.ADMINISTRATOR) else None,
                         **fields)


def create_group(creator, username, name="", summary_source="", visibility=GroupVisibility.PUBLIC,
                 openness=Openness.MODERATED, manually_approves_followers=False, address=None, key_pair=None):
    """Create a local group, its keys, and creator (a local identity) as its first administrator."""
    name, summary_source, address = name.strip(), summary_source.strip(), dict(address or {})
    validate_username(username)
    check_profile(name, summary_source)
    _check_settings(visibility, openness, address)
    private_pem, public_pem = key_pair or new_key_pair()
    try:
        with database.atomic():
            group = Actor.create(
                type=TYPE_GROUP, preferred_username=username, name=name, summary_source=summary_source,
                summary=markdown_to_html(summary_source), ap_id=public_url("pages.profile", username=username),
                public_key_pem=public_pem, private_key_pem=private_pem, visibility=visibility,
                openness=openness, manually_approves_followers=bool(manually_approves_followers),
                address={key: value.strip() for key, value in address.items() if value and value.strip()},
            )
            new_member_row(group, creator, Role.ADMINISTRATOR)
            return group
    except IntegrityError:
        raise Invalid(_("This username is already taken."), "username") from None


def local_group(username):
    """The group called username on this instance (public or unlisted: both are reached by their
    link); NotFound when there is none or it is suspended, Gone once deleted."""
    group = Actor.get_or_none(Actor.domain.is_null() & (Actor.preferred_username == username)
                              & (Actor.type == TYPE_GROUP) & ~Actor.suspended)
    if group is None:
        raise NotFound(_("There is no group called @%(username)s here.", username=username))
    if group.deleted_at is not None:
        raise Gone(_("@%(username)s was deleted.", username=username))
    return group


def is_local_group(username):
    """True when username names a group of this instance, live or deleted (its address answers as a group)."""
    return Actor.select().where(Actor.domain.is_null() & (Actor.preferred_username == username)
                                & (Actor.type == TYPE_GROUP)).exists()
