"""What the instance tells about itself in public (/about, NodeInfo): its counts and its administrators."""
from peewee import fn

from ..models import Account, Actor, Event
from ..models.accounts import ROLE_ADMIN
from ..models.events import Visibility
from .actors import live_local


def local_users():
    """Accounts whose owner confirmed their address."""
    return Account.select().where(Account.confirmed_at.is_null(False)).count()


def local_events():
    """Public events organised here: counting unlisted and private ones would reveal that they exist."""
    return (Event.select().join(Actor, on=(Event.organizer == Actor.id))
            .where(Actor.domain.is_null() & (Event.visibility == Visibility.PUBLIC)).count())


def local_groups():
    """Public groups here, as events above: an unlisted group is reached by its link alone."""
    return Actor.select().where(live_local() & (Actor.type == "Group") & (Actor.visibility == "public")).count()


def known_instances():
    """Other servers this one knows actors of."""
    return Actor.select(fn.COUNT(fn.DISTINCT(Actor.domain))).where(Actor.domain.is_null(False)).scalar() or 0


def statistics():
    """Every count /about shows, by name."""
    return {"users": local_users(), "events": local_events(), "groups": local_groups(),
            "instances": known_instances()}


def administrators():
    """One public identity (the first made) of each administrator's account that may be seen."""
    identities = (Actor.select().join(Account, on=(Actor.account == Account.id))
                  .where(live_local() & (Actor.type == "Person") & (Account.role == ROLE_ADMIN)
                         & Account.suspended_at.is_null())
                  .order_by(Actor.id))
    first = {}
    for identity in identities:
        first.setdefault(identity.account_id, identity)
    return list(first.values())
