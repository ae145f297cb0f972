"""Content negotiation between HTML pages and ActivityStreams documents on the same URL."""
import functools
import json

from flask import abort, current_app, make_response, request

from .activitypub.vocab import AP_MEDIA_TYPE, AP_MEDIA_TYPES
from .urls import whole_number


def wants_activity_json():
    """True when the client asks for ActivityStreams JSON rather than HTML.

    Parameters such as ld+json's profile are ignored when matching the media type.
    """
    ap_quality = html_quality = 0
    for value, quality in request.accept_mimetypes:
        media_type = value.split(";")[0].strip().lower()
        if media_type in AP_MEDIA_TYPES:
            ap_quality = max(ap_quality, quality)
        elif media_type in ("text/html", "*/*"):
            html_quality = max(html_quality, quality)
    return ap_quality > 0 and ap_quality >= html_quality


def negotiated(view):
    """Mark every answer of view (page, document, redirect) as depending on Accept.

    A shared cache would otherwise hand the JSON to a browser or the page to a server. Error
    pages say so themselves (web.errors), as they negotiate too.
    """
    @functools.wraps(view)
    def answer(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.vary.add("Accept")
        return response

    return answer


def activity_response(document, status=200):
    """An ActivityStreams document as an HTTP response."""
    response = current_app.response_class(json.dumps(document, ensure_ascii=False), status=status,
                                          mimetype=AP_MEDIA_TYPE)
    response.vary.add("Accept")
    return response


def personal_document(document):
    """A document whose content depends on who asks (who signed the request): no cache may hand it
    to someone else."""
    response = activity_response(document)
    response.headers["Cache-Control"] = "no-store"
    return response


def collection_page():
    """The collection page ?page= asks for, None for the collection itself; 400 for anything else."""
    value = request.args.get("page")
    if value is None:
        return None
    number = whole_number(value, digits=6)
    if not number:
        abort(400)
    return number


def signed_parts():
    """(method, target, headers) of the current request as signatures cover them: target is the
    path plus the query only when there is one; header names are lower-cased."""
    target = request.path + (f"?{request.query_string.decode('latin-1')}" if request.query_string else "")
    return request.method, target, {name.lower(): value for name, value in request.headers.items()}
