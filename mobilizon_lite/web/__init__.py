"""HTML pages for people, one blueprint per area."""
from . import (
    account,
    admin,
    auth,
    comments,
    context,
    errors,
    events,
    formatting,
    group_digests,
    identities,
    pages,
    participation,
    search,
)


def init_app(app, csrf):
    """Attach log-in handling, error pages and every HTML blueprint to app."""
    context.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    for module in (pages, auth, account, identities, admin, events, participation, comments, search,
                   group_digests):
        app.register_blueprint(module.bp)
    # Visitors post these from pages kept for everyone, which hold no token (see VisitorForm).
    csrf.exempt(pages.set_language)
    csrf.exempt(participation.join_anonymously)
