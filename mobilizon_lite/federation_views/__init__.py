"""JSON endpoints for other servers: discovery, actor documents and collections, inboxes."""
from . import actors, inbox, wellknown


def init_app(app, csrf):
    """Register the federation blueprints; inboxes are signed by servers, not CSRF-protected forms."""
    for module in (wellknown, actors, inbox):
        app.register_blueprint(module.bp)
    csrf.exempt(inbox.bp)
