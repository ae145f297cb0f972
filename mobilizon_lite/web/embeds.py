"""Pages other websites frame: an association's upcoming events (/embed/events) and one event's card
(/embed/events/<uuid>). Any site may frame them; they are served as to a stranger (no cookie read or set),
make no request to any other server, and style themselves with the one stylesheet written in them."""
import base64
import hashlib
from importlib.resources import files

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from ..page_cache import shared
from ..services import embeds, participant_mail
from ..services.errors import Invalid, ServiceError
from ..urls import public_url
from .errors import default_message
from .share_meta import excerpt, place_text

PREFIX = "/embed"
bp = Blueprint("embeds", __name__, url_prefix=PREFIX)

# The stylesheet, written in each page (one request, not two, for a small frame) and allowed by its hash.
STYLE = Markup(files("mobilizon_lite").joinpath("static/embed.css").read_text(encoding="utf-8"))
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
# Framed anywhere ("frame-ancestors *"); everything else as strict as the other pages, or stricter: no script,
# no form, pictures from this server only, and no style but the one written in the page.
POLICY = (f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; img-src 'self'; script-src 'none'; "
          "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors *")
CACHE_CONTROL = "public, max-age=300"
THEMES = ("auto", "light", "dark")
# The frame's height the snippet proposes: a list of five events, a card with its picture.
LIST_HEIGHT, CARD_HEIGHT = 420, 560


def strangers_only(wsgi_app):
    """wsgi_app, to which requests for the framed pages come without their cookies, and whose answers to them
    set none: whoever is logged in here, the frame is what any visitor sees, and no session is made or
    renewed under another site's page (where browsers treat it as a third party's)."""
    def app(environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(PREFIX + "/"):
            return wsgi_app(environ, start_response)
        environ.pop("HTTP_COOKIE", None)

        def start(status, headers, exc_info=None):
            return start_response(status, [(name, value) for name, value in headers if name.lower() != "set-cookie"],
                                  exc_info)

        return wsgi_app(environ, start)
    return app


@bp.after_request
def frameable(response):
    response.headers["Content-Security-Policy"] = POLICY
    if response.status_code in (200, 304):
        response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    return response


def _theme():
    theme = request.args.get("theme", "") or "auto"
    if theme not in THEMES:
        raise Invalid(_("The theme is auto, light or dark."))
    return theme


def _page(template, **context):
    return render_template(template, style=STYLE, theme=_theme(), **context)


@bp.route("/events")
@shared
def event_list():
    args = request.args
    actor = embeds.owner(args.get("group", "").strip(), args.get("identity", "").strip())
    tags = embeds.read_tags(args.get("tags", ""))
    limit = embeds.read_limit(args.get("limit", "").strip())
    rows = embeds.upcoming(actor, tags, limit)
    page = public_url("pages.profile", username=actor.handle) if actor is not None else public_url("pages.home")
    feed = (public_url("feeds.identity_ics", username=actor.preferred_username)
            if actor is not None and actor.is_local else None)
    return _page("embed/events.html", actor=actor, events=rows, page=page, feed=feed)


@bp.route("/events/<uuid>")
@shared
def event_card(uuid):
    event = embeds.public_event(uuid)
    return _page("embed/event.html", event=event, url=participant_mail.event_link(event), place=place_text(event),
                 summary=excerpt(event.description, 300))


def _error(code, message):
    return render_template("embed/error.html", style=STYLE, theme="auto", code=code, message=message), code


@bp.errorhandler(ServiceError)
def service_error(error):
    return _error(error.status_code, error.message)


@bp.errorhandler(HTTPException)
def http_error(error):
    if error.code is None or error.code < 400:
        return error
    return _error(error.code or 500, default_message(error.code))
