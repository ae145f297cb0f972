"""Error pages for people, and the same errors as JSON for programs that ask for JSON."""
import logging
from urllib.parse import urlsplit

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..db import STORAGE_ERRORS, STORAGE_RETRY_AFTER, storage_fault
from ..services.errors import ServiceError
from ..urls import is_local_path

log = logging.getLogger(__name__)

JSON_TYPES = ("application/json", "application/activity+json", "application/ld+json")


def wants_json():
    """True when the client prefers a JSON media type to HTML."""
    best = request.accept_mimetypes.best_match(("text/html",) + JSON_TYPES)
    return best in JSON_TYPES and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def default_message(code):
    """A sentence for people explaining an HTTP status."""
    return {
        400: _("The request could not be understood. Check what you entered and try again."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist, or is not visible to you."),
        405: _("This address does not accept this kind of request."),
        413: _("What you sent is too big."),
        500: _("Something went wrong on our side. The error has been logged; please try again later."),
    }.get(code, _("The request failed."))


def back_link():
    """Where the person came from on this site (for a refused form), else None."""
    try:
        referrer = urlsplit(request.referrer or "")
    except ValueError:
        return None
    if referrer.netloc != request.host or not is_local_path(referrer.path):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def error_response(code, message=None, headers=None):
    """The error answer for the current request, as HTML or JSON (so it varies with Accept)."""
    message = message or default_message(code)
    headers = {"Vary": "Accept", **(headers or {})}
    if wants_json():
        return jsonify(error=message, status=code), code, headers
    try:
        return render_template("errors/error.html", code=code, message=message, back=back_link()), code, headers
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        log.exception("could not render the error page")
        return message, code, {**headers, "Content-Type": "text/plain; charset=utf-8"}


def retry_after(error):
    """The Retry-After header of a TooMany refusal (none for others)."""
    seconds = getattr(error, "retry_after", None)
    return {"Retry-After": str(seconds)} if seconds else {}


def refuse_nul():
    """A 404 for a path holding a NUL before any view looks it up: no page has one, and PostgreSQL's text
    cannot hold it (what forms and queries carry is cleaned where it is read)."""
    if "\x00" in request.path:
        return error_response(404)
    return None


def init_app(app):
    """Register the error handlers on app, and the refusal of paths holding a NUL."""
    app.before_request(refuse_nul)

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return error_response(400, _(
            "This form has expired or did not come from this site. Go back, reload the page and try again."
        ))

    @app.errorhandler(ServiceError)
    def service_error(error):
        return error_response(error.status_code, error.message, headers=retry_after(error))

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code is None or error.code < 400:
            return error
        if error.code == 405 and error.valid_methods:
            return error_response(error.code, headers={"Allow": ", ".join(error.valid_methods)})
        return error_response(error.code)

    def storage_error(error):
        fault = storage_fault(error)
        if fault is None:
            log.error("database error", exc_info=error)
            return error_response(500)
        # A full, read-only or jammed disk: the same request works once it is fixed, without a restart.
        log.error("storage unavailable: %s", fault)
        return error_response(503, _("The site cannot save anything at the moment. Please try again in a few minutes."),
                              headers={"Retry-After": str(STORAGE_RETRY_AFTER)})

    for kind in STORAGE_ERRORS:
        app.register_error_handler(kind, storage_error)

    @app.errorhandler(InternalServerError)
    def internal_error(_error):
        # Flask has already logged the traceback.
        return error_response(500)
