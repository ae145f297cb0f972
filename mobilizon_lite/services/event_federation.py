"""An event crossing the wire: its document, and who gets its Create, Update or Delete."""
from flask import current_app
from flask_babel import force_locale

from ..activitypub import audience
from ..activitypub.convert.activities import change_to_ap
from ..activitypub.convert.event import event_to_ap
from ..activitypub.convert.tombstone import tombstone_to_ap
from ..activitypub.publish import new_activity_id, publish, withhold
from ..dates import event_when
from ..db import utcnow
from ..models import Actor, Comment, Participation
from ..models.participation import GOING_ROLES, NOT_APPROVED, WAITLISTED
from . import date_federation, follows, group_outbox, group_private_outbox, relays
from .event_access import may_see_online_address, public_links
from .seats import going_count


def remote_participants(event):
    """Identities of other servers that take part in the event, asked to, or wait for a seat."""
    return list(Actor.select().join(Participation, on=(Participation.actor == Actor.id)).where(
        (Participation.event == event) & Participation.role.in_([*GOING_ROLES, NOT_APPROVED, WAITLISTED])
        & Actor.domain.is_null(False)))


def federate(event, verb, actor=None, document=None):
    """Send Create, Update or Delete of an event to its organiser's followers (for a group's event, to
    the group's followers and remote members, sent by actor, the member who acted, and Announced by
    the group) and remote participants (private events: to the participants only). document: what the
    activity carries when it is not the event itself (one of its dates, date_federation)."""
    participants = remote_participants(event)
    if document is None:
        # A Delete carries only a Tombstone: the whole document (a count, a summary) would be wasted.
        document = tombstone_to_ap(event.ap_id, "Event", utcnow()) if verb == "Delete" else event_document(event)
    if event.is_private and event.attributed_to_id is not None:
        # A group's private event is its members': those of other servers get it as members-only content.
        group_private_outbox.share(event.attributed_to, actor or event.organizer, verb, document)
    if event.is_private and not participants:
        return
    group = None if event.is_private or event.attributed_to_id is None else event.attributed_to
    to, cc, listed = audience.of_change(verb, *audience.of_event_change(event, participants))
    # Public events go to the instances following this one as well (each inbox once: see publish).
    instances = relays.audience() if event.is_public else []
    if group is not None:
        group_outbox.publish_change(group, actor or event.organizer, verb, document, to, cc,
                                    participants + group_outbox.audience_of(group) + instances, listed)
        return
    recipients = participants + ([] if event.is_private else follows.follower_addresses(event.organizer)) + instances
    publish(event.organizer, change_to_ap(new_activity_id(), verb, event.organizer, document, to, cc), recipients,
            listed)


def followers_of(event):
    """Who follows what the event speaks for, and so holds a copy of it and hears of its comments: its
    group's audience (its followers and members of other servers), else its organiser's followers."""
    if event.attributed_to_id is not None:
        return group_outbox.audience_of(event.attributed_to)
    return follows.follower_addresses(event.organizer)


def _followers(event):
    """followers_of the event, and the instances following this one, which had it while it was public."""
    return followers_of(event) + relays.audience()


def withdraw(event, actor):
    """An event made private (by actor) is deleted on its followers' servers, except those of its
    participants and of its group's members (they get the Update, and keep it private); a group's
    event is withdrawn as it was published, Announced by the group."""
    # A group's members keep it too: it stays theirs (see federate).
    keeping = remote_participants(event) + (group_outbox.remote_members(event.attributed_to)
                                            if event.attributed_to_id is not None else [])
    _send_withdrawal(event, actor, _followers(event), keeping)
    withhold(comment_ids(event))


def unlist(event, actor):
    """A public event made unlisted (by actor) leaves the listings of the instances following this one:
    they get its Delete, except where a participant or follower keeps it (they get the Update)."""
    instances = relays.audience()
    if instances:
        _send_withdrawal(event, actor, instances, remote_participants(event) + followers_of(event))


def _send_withdrawal(event, actor, audience_rows, keeping):
    """Send the event's Delete (and its changed dates', each an Event of its own) to audience_rows but the
    servers of keeping, as it was published."""
    domains = {row.domain for row in keeping}
    recipients = [row for row in audience_rows if row.domain not in domains]
    to, cc, listed = audience.of_change("Delete", *audience.of_withdrawal(event))
    for ap_id in [event.ap_id, *date_federation.listed_ids(event)]:
        tombstone = tombstone_to_ap(ap_id, "Event", utcnow())
        if event.attributed_to_id is not None:
            group_outbox.publish_change(event.attributed_to, actor, "Delete", tombstone, to, cc, recipients, listed)
        else:
            publish(event.organizer, change_to_ap(new_activity_id(), "Delete", event.organizer, tombstone, to, cc),
                    recipients, listed)


def comment_ids(event):
    """The ids of the event's comments, as they travel."""
    return [ap_id for (ap_id,) in Comment.select(Comment.ap_id).where(Comment.event == event).tuples()]


def event_document(event, requester=None):
    """The event as ActivityStreams, with its live participant count and a one-line summary; the
    online address only when requester (None: whoever receives what is sent) may see it."""
    # In the instance's language, whoever asks: the same document goes to every server.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        when = event_when(event)
    allowed = may_see_online_address(event, requester)
    online_url = event.online_url if allowed else ""
    summary = " - ".join(part for part in (when, event.address_line or online_url) if part)
    links = event.links if allowed else public_links(event)
    changed = date_federation.changed_dates(event) if event.repeats else ()
    return event_to_ap(event, going_count(event), summary, online_url, links, changed)
