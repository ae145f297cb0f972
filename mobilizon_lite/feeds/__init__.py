"""Calendar (iCalendar) and Atom feeds, answered with ETag/Last-Modified and rebuilt only on change."""
import zlib

from flask import Blueprint, abort, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape

from ..activitypub.audience import speaker
from ..db import utcnow
from ..services import (
    event_access,
    events,
    group_feeds,
    groups,
    instance_settings,
    participant_mail,
    search,
    search_query,
    subscriptions,
)
from ..services.identities import identities_of
from ..urls import public_url
from . import atom
from .account_export import write_export
from .cache import FeedCache

bp = Blueprint("feeds", __name__)

ICS_TYPE = "text/calendar; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def init_app(app):
    """Register the feeds blueprint and give the app its feed cache and the writer of account exports."""
    app.extensions["feed_cache"] = FeedCache()
    # Pages and run.py may not import this package (it sits beside web, above cli's reach): they find
    # the export's writer on the app, as mail finds the instance's name.
    app.extensions["account_export"] = write_export
    app.register_blueprint(bp)


def _viewer_ids():
    """The logged-in account's identities, for a private event downloaded from its page."""
    return {i.id for i in identities_of(current_user)} if current_user.is_authenticated else set()


def _when(event):
    """Start and end in the event's own zone, written the same in every language."""
    zone = event.zone  # UTC when a stored date cannot be written in the event's own zone
    start = event.begins_on.astimezone(zone)
    text = start.strftime("%Y-%m-%d %H:%M")
    if event.ends_on:
        end = event.ends_on.astimezone(zone)
        text += " – " + end.strftime("%H:%M" if end.date() == start.date() else "%Y-%m-%d %H:%M")
    return f"{text} ({zone.key})"


def _public_online(event):
    """Whether a feed anyone may read shows the event's online address."""
    return bool(event_access.online_address_for(event))


def _each(rows):
    """The rows one at a time: a query's thousand events are not all held (and freed) together."""
    return rows.iterator() if hasattr(rows, "iterator") else rows


def _ics(name, rows, online_of=_public_online, pending_of=lambda row: False, dates=None):
    """A builder of the calendar of rows, for the feed cache (dates: {event id: the only dates of that
    series the reader takes part in})."""
    def build(pieces):
        # icalendar is loaded by the first calendar built, not by every process that serves pages.
        from . import ical

        items = ((event, participant_mail.event_link(event), pending_of(event), online_of(event),
                  (dates or {}).get(event.id))
                 for event in _each(rows))
        return ical.calendar(name, items, pieces)

    return build


def _atom(title, author, self_url, page_url, rows, online_of=_public_online, posts=()):
    """A builder of the Atom feed of rows (and a group's posts), for the feed cache."""
    return lambda _pieces: atom.feed(title, author, self_url, page_url, *_entries(rows, online_of, posts))


def _entries(rows, online_of, posts):
    """(updated, entries) of the events in rows and the posts; a group's event names the group."""
    entries = [{
        "id": event.ap_id, "title": event.title, "url": participant_mail.event_link(event),
        "published": event.created_at, "updated": event.updated_at,
        "author": speaker(event).display_name, "author_url": speaker(event).ap_id,
        "html": (f"<p>{escape(_when(event))}"
                 + (f"<br>{escape(event.address_line)}" if event.address_line else "")
                 + (f"<br>{escape(event.online_url)}" if online_of(event) else "")
                 + ("<br><strong>CANCELLED</strong>" if event.is_cancelled else "")
                 + "</p>" + event.description),
        "categories": event.tags,
    } for event in _each(rows)]
    # A post speaks for its group: its feed names the group, never the member who wrote it.
    entries += [{
        "id": post.ap_id, "title": post.title, "url": post.ap_id,
        "published": post.published_at or post.created_at, "updated": post.updated_at,
        "author": post.group.display_name, "author_url": post.group.ap_id, "html": post.body, "categories": [],
    } for post in posts]
    return max((entry["updated"] for entry in entries), default=utcnow()), entries


def _answer(key, tag, build, content_type, filename, private=False, download=False):
    """The feed response: 304 when the client's copy is current, else the (cached) body."""
    cache = current_app.extensions["feed_cache"]
    response = cache.respond(request, key, tag, build, content_type)
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # Private feeds must be revalidated so a revoked token stops working at once.
    response.headers["Cache-Control"] = ("private, no-cache" if private else "public, max-age=300")
    return response


@bp.route("/events/<uuid>/export/ics")
def event_ics(uuid):
    viewer_ids = _viewer_ids()
    event = events.visible_event(uuid, viewer_ids)
    query = subscriptions.feed_events().where(events.Event.id == event.id)
    online = bool(event_access.online_address_for(
        event, current_user._get_current_object() if current_user.is_authenticated else None))
    # A file showing what only participants see must stay out of shared caches.
    private = event.is_private or online and not _public_online(event)
    return _answer(("event", event.id, online), subscriptions.fingerprint(query),
                   _ics(event.title, [event], lambda _event: online), ICS_TYPE, f"{event.uuid}.ics",
                   private=private, download=True)


@bp.route("/@<username>/feed/ics")
def identity_ics(username):
    if groups.is_local_group(username):
        return _group_ics(username)
    identity, query = subscriptions.identity_feed(username)
    name = f"{identity.display_name} (@{identity.preferred_username})"
    return _answer(("identity-ics", identity.id), subscriptions.fingerprint(query),
                   _ics(name, query), ICS_TYPE, f"{identity.preferred_username}.ics")


@bp.route("/@<username>/feed/atom")
def identity_atom(username):
    if groups.is_local_group(username):
        return _group_atom(username)
    identity, query = subscriptions.identity_feed(username)
    name = f"{identity.display_name} (@{identity.preferred_username})"
    build = _atom(name, identity.display_name, public_url("feeds.identity_atom", username=username),
                  public_url("pages.profile", username=username), query)
    return _answer(("identity-atom", identity.id), subscriptions.fingerprint(query), build, ATOM_TYPE,
                   f"{identity.preferred_username}.atom")


def _group_ics(username):
    """A group's calendar: its public events (an unlisted group's too: its feed is reached by link)."""
    group, query = group_feeds.group_feed(username)
    name = f"{group.display_name} (@{group.preferred_username})"
    return _answer(("group-ics", group.id), group_feeds.group_fingerprint(group, query),
                   _ics(name, query), ICS_TYPE, f"{group.preferred_username}.ics")


def _group_atom(username):
    """A group's Atom feed: its public events and its published public posts."""
    group, query = group_feeds.group_feed(username)
    posts = group_feeds.public_posts(group)
    name = f"{group.display_name} (@{group.preferred_username})"
    build = _atom(name, group.display_name, public_url("feeds.identity_atom", username=username),
                  public_url("pages.profile", username=username), query, posts=posts)
    return _answer(("group-atom", group.id), group_feeds.group_fingerprint(group, query, posts), build,
                   ATOM_TYPE, f"{group.preferred_username}.atom")


@bp.route("/feed/instance/ics")
def instance_ics():
    query = subscriptions.instance_feed()
    name = instance_settings.instance_name()
    return _answer(("instance-ics",), _named(subscriptions.fingerprint(query), name), _ics(name, query), ICS_TYPE,
                   "instance.ics")


@bp.route("/feed/instance/atom")
def instance_atom():
    query = subscriptions.instance_feed()
    name = instance_settings.instance_name()
    build = _atom(name, name, public_url("feeds.instance_atom"), public_url("pages.home"), query)
    return _answer(("instance-atom",), _named(subscriptions.fingerprint(query), name), build, ATOM_TYPE,
                   "instance.atom")


def _search_feed():
    """(query, name, its link parameters) of the search a feed link repeats; 400 for a bad one."""
    asked = search_query.read(request.args)
    if asked.errors:
        abort(400, description=" ".join(asked.errors))
    # A feed anyone may read holds public events only, whoever follows its link.
    query = subscriptions.feed_window(search.matching_events(subscriptions.feed_events(), asked, by_time=True),
                                      ordered=True)
    name = _("Search on %(instance)s: %(words)s", instance=instance_settings.instance_name(),
             words=asked.words or "…")
    return query, name, asked.args()


@bp.route("/search/feed/ics")
def search_ics():
    query, name, args = _search_feed()
    return _answer(("search-ics", tuple(sorted(args.items()))), _named(subscriptions.fingerprint(query), name),
                   _ics(name, query), ICS_TYPE, "search.ics")


@bp.route("/search/feed/atom")
def search_atom():
    query, name, args = _search_feed()
    build = _atom(name, instance_settings.instance_name(), public_url("feeds.search_atom", **args),
                  public_url("search.results", **args), query)
    return _answer(("search-atom", tuple(sorted(args.items()))), _named(subscriptions.fingerprint(query), name),
                   build, ATOM_TYPE, "search.atom")


def _named(tag, name):
    """A feed's version tag that also changes when the instance is renamed, its name being in the feed."""
    return f"{tag}.{zlib.crc32(name.encode()):x}"


def _private_feed_name(feed_token):
    """The calendar's name, in the language of the account it belongs to."""
    with force_locale(feed_token.account.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        if feed_token.actor_id:
            return _("Events of @%(username)s on %(instance)s", username=feed_token.actor.preferred_username,
                     instance=instance_settings.instance_name())
        return _("My events on %(instance)s", instance=instance_settings.instance_name())


def _private_online(event):
    """Whether the private feed shows an event's online address: its reader organises or takes part
    (the feed's rows say so), or the event shows it to anyone (a member of its group is told no more)."""
    return bool(event.online_url) and (event.feed_participation.pending == subscriptions.TAKES_PART
                                       or _public_online(event))


def _private_pending(event):
    """Whether the private feed marks the event TENTATIVE: every identity of the feed awaits approval."""
    return event.feed_participation.pending == subscriptions.WAITING


@bp.route("/events/going/<token>/ics")
def private_ics(token):
    feed_token = subscriptions.resolve_token(token)
    query, pending = subscriptions.private_feed(feed_token)
    name = _private_feed_name(feed_token)
    dates = subscriptions.joined_dates(feed_token)
    tag = f"{subscriptions.fingerprint(query, pending)}.{zlib.crc32(repr(sorted(dates.items())).encode()):x}"
    return _answer(("private-ics", feed_token.id), _named(tag, name),
                   _ics(name, query, _private_online, _private_pending, dates),
                   ICS_TYPE, "my-events.ics", private=True)


@bp.route("/events/going/<token>/atom")
def private_atom(token):
    feed_token = subscriptions.resolve_token(token)
    query, pending = subscriptions.private_feed(feed_token)
    name = _private_feed_name(feed_token)
    build = _atom(name, name, public_url("feeds.private_atom", token=token), public_url("events.mine"), query,
                  _private_online)
    return _answer(("private-atom", feed_token.id), _named(subscriptions.fingerprint(query, pending), name), build,
                   ATOM_TYPE, "my-events.atom", private=True)
