"""A local group's content on the wire, as Mobilizon's groups send it: the member who acted sends the
Create, Update or Delete, and the group Announces it, signed with its own key, to its followers and
its members on other servers (so a Mastodon user following the group sees it as the group's boost)."""
from ..activitypub import audience
from ..activitypub.convert.activities import announce_to_ap, change_to_ap
from ..activitypub.convert.post import post_to_ap
from ..activitypub.convert.tombstone import tombstone_to_ap
from ..activitypub.publish import new_activity_id, publish
from ..db import utcnow
from ..models import Actor, Member
from ..models.groups import MEMBER_ROLES, PostVisibility
from . import follows


def remote_members(group):
    """The group's members on other servers, as light rows for delivery."""
    return list(Actor.select(Actor.ap_id, Actor.inbox, Actor.shared_inbox, Actor.domain, Actor.deleted_at)
                .join(Member, on=(Member.actor == Actor.id))
                .where((Member.group == group) & Member.role.in_(MEMBER_ROLES) & Actor.domain.is_null(False))
                .namedtuples())


def audience_of(group):
    """Who hears of the group's public content: its accepted followers and its remote members."""
    return follows.follower_addresses(group) + remote_members(group)


def announce(group, change, recipients, listed):
    """The group's Announce of change (a Create, Update or Delete one of its members published): of
    the Event or Article itself, or of the Delete."""
    carried = change if change["type"] == "Delete" else change["object"]
    to, cc = audience.of_announce(group, change.get("to", []), change.get("cc", []))
    publish(group, announce_to_ap(new_activity_id(), group, carried, to, cc), recipients, listed)


def publish_change(group, actor, verb, document, to, cc, recipients, listed=None):
    """actor's Create, Update or Delete of the group's content (document; a Tombstone for a Delete),
    sent to recipients, then Announced by the group to them. A member of elsewhere sent theirs to the
    group already (nor is their key ours): the group's Announce alone spreads it."""
    change = change_to_ap(new_activity_id(), verb, actor, document, to, cc)
    if actor.is_local:
        publish(actor, change, recipients, listed)
    announce(group, change, recipients, listed)


# Posts ---------------------------------------------------------------------------------------------

def is_shared(post):
    """Whether a post is out for everyone: published and public (members-only posts stay home)."""
    return post is not None and not post.draft and post.visibility == PostVisibility.PUBLIC


def federate_post(post, actor, was_shared, deleted=False):
    """Tell the group's audience about a post actor created, changed or deleted (was_shared: whether
    it was out before): Create when it comes out, Update while it stays out, Delete when it leaves
    (back to the drafts, for members only, or deleted)."""
    shared = not deleted and is_shared(post)
    if not shared and not was_shared:
        return
    group = post.group
    recipients = audience_of(group)
    if shared:
        document = post_to_ap(post, group, post.author)
        publish_change(group, actor, "Update" if was_shared else "Create", document, document["to"], document["cc"],
                       recipients)
        return
    if not deleted and not post.draft:
        # Now for members only: their servers keep it (group_private_outbox), only the others forget it.
        kept = {member.domain for member in remote_members(group)}
        recipients = [row for row in recipients if row.domain not in kept]
    to, cc = audience.of_group_deletion(group)
    publish_change(group, actor, "Delete", tombstone_to_ap(post.ap_id, "Article", utcnow()), to, cc, recipients)
