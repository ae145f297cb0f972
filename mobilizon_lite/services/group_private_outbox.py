"""A group's members-only content on the wire (discussions, members-only posts, resources, todos), as
Mobilizon's groups send it: addressed to the group's members collection only, never to its followers
nor to the Public. In a group of ours, the member who acted sends the Create, Update, Delete or Move
to the members of other servers and the group Announces it, signed with its own key; an identity of
ours acting in a group of elsewhere sends it to that group, which checks and relays it."""
from ..activitypub.audience import members_url
from ..activitypub.convert.activities import announce_to_ap, change_to_ap
from ..activitypub.convert.post import post_to_ap
from ..activitypub.convert.tombstone import tombstone_to_ap
from ..activitypub.publish import new_activity_id, publish
from ..db import utcnow
from ..models.groups import PostVisibility
from .group_outbox import remote_members


def group_handle(group):
    """How a group is named in the addresses of our content in it: its username, with its server's for
    a group of elsewhere (what an identity of ours writes there has its address here)."""
    return group.preferred_username if group.is_local else f"{group.preferred_username}@{group.domain}"


def members_only(group):
    """(to, cc) of members-only content of group."""
    return [members_url(group)], []


def relay(group, change, recipients):
    """The group's Announce of a change to its members-only content, to recipients only."""
    to, cc = members_only(group)
    publish(group, announce_to_ap(new_activity_id(), group, change, to, cc), recipients, listed=False)


def share(group, actor, verb, document, **extra):
    """actor's verb (Create, Update, Delete, Move) of document, members-only content of group: to the
    members of other servers and Announced by a group of ours; to the group itself when it lives
    elsewhere. extra: more fields of the activity (a Move's origin and target)."""
    to, cc = members_only(group)
    change = {**change_to_ap(new_activity_id(), verb, actor, document, to, cc), **extra}
    if not group.is_local:
        publish(actor, change, [group], listed=False)
        return change
    recipients = remote_members(group)
    if recipients:
        # A member of elsewhere sent theirs already: the group's relay alone spreads it.
        if actor.is_local:
            publish(actor, change, recipients, listed=False)
        relay(group, change, recipients)
    return change


def share_deletion(group, actor, ap_id, former_type):
    """actor's Delete of members-only content of group (ap_id, once of former_type)."""
    return share(group, actor, "Delete", tombstone_to_ap(ap_id, former_type, utcnow()))


# Members-only posts ----------------------------------------------------------------------------------

def is_members_only(post):
    """Whether a post is out for the group's members only (published, not public)."""
    return post is not None and not post.draft and post.visibility == PostVisibility.MEMBERS


def federate_members_post(post, actor, was_members_only, deleted=False):
    """Tell the group's members elsewhere about a members-only post actor created, changed or deleted:
    Create when it comes out, Update while it stays, Delete when it goes back to the drafts or is
    deleted. A post made public reaches them with the group's public Create (group_outbox)."""
    shown = not deleted and is_members_only(post)
    if shown:
        share(post.group, actor, "Update" if was_members_only else "Create", post_to_ap(post, post.group, post.author))
    elif was_members_only and (deleted or post.draft):
        share_deletion(post.group, actor, post.ap_id, "Article")
