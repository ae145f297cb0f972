"""Who an activity is for: its addressing (to, cc), and the distinct inboxes that receive it, each
server's shared inbox preferred. What travels is checked against Mobilizon's rules here."""
from ..urls import actor_urls
from .vocab import AS_PUBLIC, PUBLIC_ALIASES


def followers_url(actor):
    """The followers collection of a local actor, as it appears in to/cc."""
    return actor_urls(actor)["followers"]


def members_url(group):
    """The members collection of a local group, as Mobilizon addresses members-only content."""
    return f"{group.ap_id}/members"


def speaker(event):
    """Who an event speaks for: its group (whose followers hear of it), else its organiser."""
    return event.attributed_to if event.attributed_to_id else event.organizer


def of_event(event):
    """(to, cc) of an event: public ones address the Public; unlisted ones cc it; private ones never."""
    followers = followers_url(speaker(event))
    if event.is_public:
        return [AS_PUBLIC], [followers]
    if event.is_unlisted:
        return [followers], [AS_PUBLIC]
    return [followers], []


def of_event_change(event, participants):
    """(to, cc) of a Create, Update or Delete of an event: the participants of other servers are named
    in cc, as Mobilizon does, so their servers see they are addressed."""
    to, cc = of_event(event)
    return to, cc + [actor.ap_id for actor in participants]


def of_withdrawal(event):
    """(to, cc) of the Delete that takes an event made private off its followers' servers (or made
    unlisted, off the listings of the instances following this one)."""
    return [followers_url(speaker(event))], []


def of_announce(group, to, cc):
    """(to, cc) of a group's Announce of a change addressed (to, cc): as listed as the change, and
    addressed to the group's followers and members too, as Mobilizon's groups relay."""
    ours = [followers_url(group), members_url(group)]
    if any(item in PUBLIC_ALIASES for item in to):
        return [AS_PUBLIC], ours
    if any(item in PUBLIC_ALIASES for item in cc):
        return ours, [AS_PUBLIC]
    return ours, []


def of_group_deletion(group):
    """(to, cc) of the Delete of a group's public post: everyone it reached."""
    return [AS_PUBLIC, followers_url(group)], []


def of_comment(event):
    """(to, cc) of comments on an event: public like it, or unlisted like it; never for private events."""
    if event.is_public:
        return [AS_PUBLIC], [event.organizer.ap_id]
    return [event.organizer.ap_id], [AS_PUBLIC]


def of_comment_relay(event, holders, author):
    """(to, cc, recipients) of the Announce by which an event's server relays a comment from another
    server: addressed as the event, to those of holders (remote actors whose servers hold a copy of
    the event) on another server than the author's, which has the comment already."""
    to, cc = of_event(event)
    return to, cc, [actor for actor in holders if actor.domain != author.domain]


def of_change(verb, to, cc):
    """(to, cc, listed) of a Create, Update or Delete of an object addressed (to, cc). A Delete goes to
    everyone in `to`, as Mobilizon addresses it, yet the deletion of an unlisted object stays
    unlisted; `listed` tells whether the activity shows in the actor's outbox."""
    listed = any(item in PUBLIC_ALIASES for item in to)
    if verb == "Delete":
        return to + cc, [], listed
    return to, cc, listed


def of_identity_deletion(actor):
    """(to, cc) of a local identity's Delete of itself, as Mastodon and Mobilizon address theirs."""
    return [AS_PUBLIC], [followers_url(actor)]


def to_organizer(event):
    """`to` of a Join or Leave: the event's organiser."""
    return [event.organizer.ap_id]


def of_event_message(recipients):
    """(to, cc) of an organisers' message to an event's participants of other servers: those only."""
    return [actor.ap_id for actor in recipients], []


def of_answer(request):
    """`to` of an Accept or Reject: whoever asked to join; the answer to a Follow names nobody, as
    Mastodon's does (the follower's server reads it from the Follow)."""
    return [request["actor"]] if request["type"] == "Join" else []


def inboxes(actors):
    """Distinct inboxes of remote actors (shared inbox preferred); local and unreachable ones skipped."""
    seen = {}
    for actor in actors:
        if actor.domain is None or actor.deleted_at is not None:
            continue
        inbox = actor.shared_inbox or actor.inbox
        if inbox:
            seen.setdefault(inbox, actor.domain)
    return seen
