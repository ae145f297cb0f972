"""Per-request state for pages: who is logged in, which identity they act as, which language."""
import functools
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, redirect, request, session, url_for
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from jinja2 import pass_context
from markupsafe import Markup
from wtforms import SelectChoice

from ..dates import span_when
from ..negotiation import negotiated, personal_document, signed_parts, wants_activity_json
from ..services import accounts, actors, events, group_events, instance_settings, occurrence_changes, remote_groups
from ..services.event_access import organizer_among, require_organizer
from ..services.group_roles import acting_member, require_member_view
from ..services.groups import local_group
from ..services.identities import identities_of
from ..urls import is_local_path, whole_number

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
# "strong" would log people out whenever their IP changes, as phones do all day.
login_manager.session_protection = "basic"

IDENTITY_KEY = "identity_id"


@login_manager.user_loader
def load_account(session_id):
    """The account whose session id (account id + session version) is still current."""
    account_id, _sep, version = session_id.partition(":")
    if whole_number(account_id) is None or whole_number(version) is None:
        return None
    account = accounts.account_by_id(int(account_id))
    if account is None or account.session_version != int(version):
        return None
    return account


def account_identities():
    """The logged-in account's live identities (cached for the request)."""
    if "identities" not in g:
        g.identities = identities_of(current_user) if current_user.is_authenticated else []
    return g.identities


def event_owners():
    """{choice value: (label, identity, group or None)} of where the account may make events: each of its
    identities, and the groups they organise in (the identity acting there): an import's and a calendar
    subscription's choices."""
    identities = account_identities()
    offered = {f"identity-{identity.id}": (f"{identity.display_name} (@{identity.preferred_username})", identity, None)
               for identity in identities}
    for group, identity in group_events.organising_groups(identities):
        offered[f"group-{group.id}"] = (_("The group %(name)s (as @%(username)s)", name=group.display_name,
                                          username=identity.preferred_username), identity, group)
    return offered


def current_identity():
    """The identity the logged-in account acts as now, or None for visitors."""
    identities = account_identities()
    if not identities:
        return None
    chosen = session.get(IDENTITY_KEY)
    for identity in identities:
        if identity.id == chosen:
            return identity
    return identities[0]


def viewer_ids():
    """Ids of the logged-in account's identities (empty for visitors)."""
    return {identity.id for identity in account_identities()}


def identity_choices(form_field, identities=None):
    """Offer the account's identities (or those of them given) in a select, the current one
    first chosen when it is offered, else the first one."""
    offered = account_identities() if identities is None else identities
    form_field.choices = [
        SelectChoice(identity.id, f"{identity.display_name} (@{identity.preferred_username})")
        for identity in offered
    ]
    if form_field.data is None and offered:
        form_field.data = current_identity().id if current_identity() in offered else offered[0].id


def chosen_identity(form_field):
    """The identity a validated select picked (always one of the account's)."""
    return next(i for i in account_identities() if i.id == form_field.data)


def organizer_identity(event):
    """The account's identity that organises event; PermissionDenied for anyone else."""
    identity = organizer_among(event, account_identities())
    if identity is None:
        require_organizer(event, None)
    return identity


def organised_date(uuid, occurrence_id):
    """(event, the account's identity organising it, the stored date of this id not begun yet, that date
    in words) of a date acted on from the event's page: 403, 404 or 400 (begun) otherwise."""
    event = events.visible_event(uuid, viewer_ids())
    organizer = organizer_identity(event)
    row = occurrence_changes.open_date(event, occurrence_id)
    return event, organizer, row, span_when(row.begins_on, row.ends_on, event.zone)


def comment_actor(event, comment):
    """The account's identity that may act on comment: its author, else the commenter on event."""
    author = next((identity for identity in account_identities() if identity.id == comment.actor_id), None)
    return author or commenter_identity(event)


def commenter_identity(event, organizers=None):
    """The identity the account acts as on event's comments: its organiser identity on its own event
    (commenting there as another mask would link the two), else the current one."""
    return organizer_among(event, account_identities(), organizers) or current_identity()


def acting_in(group):
    """(identity, Member) of the account's identity that acts in group (see acting_member): (None, None)
    for visitors and for accounts with no identity in it."""
    return acting_member(group, account_identities(), current_identity())


def group_at(username):
    """The group whose members' pages are at /@<username>: one of ours, or a group of elsewhere known
    here by name@server (what it shared with our identities that are its members)."""
    if remote_groups.is_remote_handle(username):
        return remote_groups.remote_group(username)
    return local_group(username)


def members_only(username):
    """(group, identity acting in it) of the group at username (see group_at) for a member's account;
    404 for everyone else (see require_member_view)."""
    group = group_at(username)
    identity, _member = require_member_view(group, account_identities(), current_identity())
    return group, identity


def group_requester(group):
    """Who asks for group's content as ActivityStreams: the signer of a signed fetch, else the identity
    of the logged-in account acting in group, else None."""
    signer = actors.signed_requester(*signed_parts())
    return signer if signer is not None else acting_in(group)[0]


def event_requester():
    """Who asks for an event's document (or one of its dates'): a server signing the GET for a
    participant, else the logged-in account, else None (anyone: then without what only participants
    may see)."""
    signer = actors.signed_requester(*signed_parts())
    if signer is None and current_user.is_authenticated:
        return current_user._get_current_object()
    return signer


def members_content(document):
    """A view of a group's members' content at an address serving both: ActivityStreams clients get
    document(group, requester, **view_args), holding what that requester may see; browsers get the
    view(group, identity acting in it, **view_args), for members' accounts only (see members_only)."""
    def decorate(view):
        @functools.wraps(view)
        def answer(username, **view_args):
            if wants_activity_json():
                group = local_group(username)
                return personal_document(document(group, group_requester(group), **view_args))
            return view(*members_only(username), **view_args)
        return negotiated(answer)
    return decorate


def act_as(identity):
    """Make identity the one the session acts as."""
    session[IDENTITY_KEY] = identity.id


def redirect_local(target, fallback_endpoint):
    """Redirect to target when it is a path on this site, else to fallback_endpoint."""
    return redirect(target if is_local_path(target) else url_for(fallback_endpoint))


def private_page(view):
    """Mark a view reached by a secret link (reset, confirmation, cancellation): never stored."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.private_page = True
        return view(*args, **kwargs)
    return wrapper


def select_locale():
    """Account setting, then the visitor's choice, then the browser's Accept-Language, then the instance's
    default language."""
    if not has_request_context():
        return None  # admin commands and jobs speak the default language
    languages = current_app.config["LANGUAGES"]
    if not request.cookies:  # no session, nobody logged in: the browser decides
        return request.accept_languages.best_match(languages) or instance_settings.default_language()
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or instance_settings.default_language()


@functools.cache
def _phrases(translations):
    """The templates' gettext, ngettext and pgettext reading translations (one language's catalogue) directly,
    as Jinja's own would: flask_babel's look the language up again through the request for every phrase."""
    @pass_context
    def gettext(context, string, **variables):
        text = translations.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def pgettext(context, message_context, string, **variables):
        # One English word, two French ones: "Report" the button (Signaler) and the heading (Signalement).
        text = translations.upgettext(message_context, string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext}


def init_app(app):
    """Set up Flask-Login and the names every template can use."""
    login_manager.init_app(app)

    @app.after_request
    def keep_private_pages_out_of_caches(response):
        # A page made for a logged-in person (their identities in the header, their events,
        # settings, administration) or opened by a secret link must not be kept by the browser
        # or any cache on the way; public files and feeds say themselves how to be cached.
        # Without a cookie nobody is logged in: servers and calendar apps cost no session lookup.
        if "Cache-Control" not in response.headers and (
                g.get("private_page") or (request.cookies and current_user.is_authenticated)):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def inject_identity():
        return {
            **_phrases(get_translations()),
            "current_identity": current_identity(),
            "account_identities": account_identities(),
            "instance_host": urlsplit(app.config["BASE_URL"]).netloc,
            "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "instance_name": instance_settings.instance_name,
        }
