"""HTML pages for people, one blueprint per area."""
from werkzeug.routing import IntegerConverter

from . import (
    about,
    account,
    admin,
    admin_content,
    admin_mail,
    admin_reports,
    admin_users,
    auth,
    browse,
    calendar,
    calendar_import,
    calendar_subscriptions,
    comments,
    context,
    discussions,
    embeds,
    errors,
    event_dates,
    event_messages,
    events,
    formatting,
    group_digests,
    group_events,
    groups,
    groups_elsewhere,
    identities,
    instances,
    members,
    pages,
    participation,
    posts,
    relays,
    reports,
    resources,
    search,
    share,
    share_meta,
    todos,
)


class RowId(IntegerConverter):
    """A row id in a URL (<id:name>): larger than PostgreSQL's integer columns is no row, a 404 rather than a
    500 (no SQLite instance counts two billion rows either)."""

    def __init__(self, url_map):
        super().__init__(url_map, max=2**31 - 1)


# Groups and what their members share come after the pages they build on.
GROUP_BLUEPRINTS = (groups, members, group_events, posts, discussions, resources, todos, group_digests,
                    groups_elsewhere)


def init_app(app, csrf):
    """Attach log-in handling, error pages and every HTML blueprint to app."""
    context.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    share_meta.init_app(app)
    app.url_map.converters["id"] = RowId
    for module in (pages, about, auth, account, identities, admin, admin_reports, instances, relays, admin_users,
                   admin_content, admin_mail, events, event_dates, participation, event_messages, comments, search,
                   calendar, calendar_import, calendar_subscriptions, browse, reports, share, embeds,
                   *GROUP_BLUEPRINTS):
        app.register_blueprint(module.bp)
    # Visitors post these from pages kept for everyone, which hold no token (see VisitorForm).
    csrf.exempt(pages.set_language)
    csrf.exempt(pages.choose_town)
    csrf.exempt(participation.join_anonymously)
    csrf.exempt(participation.join_date)
    # Mail programs post the unsubscribe link of a message's List-Unsubscribe header with no token: the
    # signed link is the proof (RFC 8058).
    csrf.exempt(event_messages.unsubscribe)
