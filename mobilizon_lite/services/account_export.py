"""What an account's data export holds: the sections of its JSON document and the events of its
calendar, read a row at a time so that thousands of rows never sit in memory together."""
from ..db import utcnow
from ..models import Actor, Comment, Discussion, DiscussionComment, Event, Member, Participation, Post
from ..models.actors import TYPE_PERSON
from ..models.participation import CREATOR, GOING_ROLES
from ..text import html_to_text
from ..urls import public_url
from .participant_mail import event_link
from .subscriptions import FEED_ROLES, feed_events

FORMAT = "mobilizon_lite account export 1"


def _utc(moment):
    """An ISO 8601 moment with its offset (UTC), or None."""
    return moment.isoformat() if moment else None


def _local(moment, event):
    """An ISO 8601 moment in the event's own time zone, with its offset, or None."""
    return moment.astimezone(event.zone).isoformat() if moment else None


def _picture(name):
    return public_url("events.upload", name=name) if name else None


def identities(account):
    """The account's live identities, oldest first."""
    return list(Actor.select().where((Actor.account == account) & (Actor.type == TYPE_PERSON)
                                     & Actor.deleted_at.is_null()).order_by(Actor.id))


def _account(account):
    return {"email": account.email, "locale": account.locale, "role": account.role,
            "created": _utc(account.created_at), "confirmed": _utc(account.confirmed_at),
            "exported": _utc(utcnow())}


def _identity(identity):
    return {"username": identity.preferred_username, "url": identity.ap_id, "name": identity.name,
            "summary": identity.summary_source or html_to_text(identity.summary),
            "manually_approves_followers": identity.manually_approves_followers,
            "avatar": _picture(identity.avatar),
            "banner": _picture(identity.banner),
            "created": _utc(identity.created_at), "updated": _utc(identity.updated_at)}


def _event(event, usernames):
    group = event.attributed_to if event.attributed_to_id else None
    return {
        "url": event_link(event), "id": event.ap_id, "uuid": event.uuid, "title": event.title,
        "organiser": usernames[event.organizer_id],
        "group": {"url": group.ap_id, "name": group.name or group.preferred_username} if group else None,
        "description": event.description_source or html_to_text(event.description),
        "begins_on": _local(event.begins_on, event), "ends_on": _local(event.ends_on, event),
        "timezone": event.timezone, "status": event.status, "visibility": event.visibility,
        "join_mode": event.join_mode, "capacity": event.capacity, "show_remaining_seats": event.show_remaining_seats,
        "anonymous_participation": event.anonymous_participation,
        "external_participation_url": event.external_participation_url or None,
        "comment_mode": event.comment_mode,
        "address": {"place_name": event.place_name, "street": event.street, "postal_code": event.postal_code,
                    "locality": event.locality, "region": event.region, "country": event.country,
                    "latitude": event.latitude, "longitude": event.longitude},
        "online_url": event.online_url or None, "links": event.links, "tags": event.tags,
        "category": event.category, "language": event.language,
        "picture": _picture(event.picture),
        # A series: its rule, excluded dates and first date (begins_on above is the date it is at).
        "repetition": {"rrule": event.rrule, "exdates": event.exdates,
                       "first_begins_on": _local(event.series_begins_on, event),
                       "first_ends_on": _local(event.series_ends_on, event)} if event.repeats else None,
        "created": _utc(event.created_at), "updated": _utc(event.updated_at),
    }


def _organised(ids):
    return feed_events().where(Event.organizer.in_(ids)).order_by(Event.begins_on, Event.id)


def _participations(ids):
    return (Participation.select(Participation, Event).join(Event)
            .where(Participation.actor.in_(ids) & (Participation.role != CREATOR))
            .order_by(Event.begins_on, Event.id))


def _participation(row, usernames):
    event = row.event
    return {"event": event_link(event), "event_id": event.ap_id, "title": event.title,
            "identity": usernames[row.actor_id], "state": row.role, "message": row.message,
            "begins_on": _local(event.begins_on, event), "ends_on": _local(event.ends_on, event),
            "joined": _utc(row.created_at), "updated": _utc(row.updated_at)}


def _comments(ids):
    return (Comment.select(Comment, Event).join(Event)
            .where(Comment.actor.in_(ids) & Comment.deleted_at.is_null()).order_by(Comment.created_at, Comment.id))


def _comment(comment, usernames):
    return {"id": comment.ap_id, "event": event_link(comment.event), "event_title": comment.event.title,
            "identity": usernames[comment.actor_id], "in_reply_to": comment.in_reply_to_id is not None,
            "text": comment.source or html_to_text(comment.text),
            "created": _utc(comment.created_at), "updated": _utc(comment.updated_at)}


def _discussion_comments(ids):
    return (DiscussionComment.select(DiscussionComment, Discussion, Actor).join(Discussion)
            .join(Actor, on=(Discussion.group == Actor.id))
            .where(DiscussionComment.actor.in_(ids) & DiscussionComment.deleted_at.is_null())
            .order_by(DiscussionComment.created_at, DiscussionComment.id))


def _discussion_comment(comment, usernames):
    discussion = comment.discussion
    return {"id": comment.ap_id, "discussion": discussion.ap_id, "discussion_title": discussion.title,
            "group": discussion.group.ap_id, "identity": usernames[comment.actor_id],
            "text": comment.source or html_to_text(comment.text),
            "created": _utc(comment.created_at), "updated": _utc(comment.updated_at)}


def _memberships(ids):
    return (Member.select(Member, Actor).join(Actor, on=(Member.group == Actor.id))
            .where(Member.actor.in_(ids)).order_by(Member.created_at, Member.id))


def _membership(member, usernames):
    group = member.group
    return {"group": group.ap_id, "group_name": group.display_name, "group_handle": group.handle,
            "identity": usernames[member.actor_id], "role": member.role,
            "member_since": _utc(member.member_since), "created": _utc(member.created_at)}


def _posts(ids):
    return (Post.select(Post, Actor).join(Actor, on=(Post.group == Actor.id))
            .where(Post.author.in_(ids)).order_by(Post.created_at, Post.id))


def _post(post, usernames):
    return {"id": post.ap_id, "group": post.group.ap_id, "group_name": post.group.display_name,
            "identity": usernames[post.author_id], "title": post.title,
            "body": post.body_source or html_to_text(post.body), "visibility": post.visibility,
            "draft": post.draft, "published": _utc(post.published_at),
            "created": _utc(post.created_at), "updated": _utc(post.updated_at)}


def sections(account):
    """The JSON document's sections in order: (name, value) where value is a dict, or an iterator of
    dicts for a list read from the database a row at a time."""
    people = identities(account)
    usernames = {identity.id: identity.preferred_username for identity in people}
    ids = list(usernames)

    def each(query, write):
        return (write(row, usernames) for row in query.iterator())

    return [
        ("format", FORMAT),
        ("account", _account(account)),
        ("identities", iter([_identity(identity) for identity in people])),
        ("events_organised", each(_organised(ids), _event)),
        ("participations", each(_participations(ids), _participation)),
        ("comments", each(_comments(ids), _comment)),
        ("discussion_comments", each(_discussion_comments(ids), _discussion_comment)),
        ("group_memberships", each(_memberships(ids), _membership)),
        ("posts", each(_posts(ids), _post)),
    ]


def calendar_items(account):
    """(event, url, pending, online) of every event the account organises or joins (or waits to join),
    soonest first, as feeds.ical.calendar takes them."""
    ids = [identity.id for identity in identities(account)]
    # The account's strongest relation to each event: organising or going beats waiting.
    joined = Participation.select(Participation.event, Participation.role).where(
        Participation.actor.in_(ids) & Participation.role.in_(FEED_ROLES))
    going = {}
    for event_id, role in joined.tuples():
        going[event_id] = going.get(event_id, False) or role in GOING_ROLES
    query = (feed_events().where(Event.organizer.in_(ids) | Event.id.in_(joined.select(Participation.event)))
             .order_by(Event.begins_on, Event.id))
    for event in query.iterator():
        takes_part = event.organizer_id in ids or going.get(event.id, False)
        online = takes_part or not event.chooses_participants
        yield event, event_link(event), not takes_part, online

