"""The share box's QR codes: an event's or a profile's public address drawn as SVG, on this server."""
import functools
import io

from flask import Blueprint, current_app, request

from ..services import events, groups, identities, participant_mail, remote_groups
from ..urls import public_url

bp = Blueprint("share", __name__)

SVG_TYPE = "image/svg+xml"
# An address never changes its code: a day in any cache, then asked again with its ETag.
CACHE_CONTROL = "public, max-age=86400"
# Codes of the pages people share most, kept drawn.
KEPT_CODES = 256


@functools.lru_cache(maxsize=KEPT_CODES)
def qr_svg(url):
    """The QR code of url as a standalone, scalable SVG document: black on white whatever the page's colours,
    with the quiet zone of four modules readers need."""
    # Loaded by the first code drawn, not by every process that serves pages.
    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=4, dark="#000", light="#fff",
        svgclass=None, lineclass=None)
    return out.getvalue()


def _svg(url):
    response = current_app.response_class(qr_svg(url), mimetype=SVG_TYPE)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.add_etag()
    return response.make_conditional(request)


def profile_page(username):
    """The public address of the page at /@username: a group of ours or of elsewhere, or an identity;
    NotFound (or Gone) as that page would answer."""
    if groups.is_local_group(username):
        groups.local_group(username)
    elif remote_groups.is_remote_handle(username):
        remote_groups.remote_group(username)
    else:
        identities.public_identity(username)
    return public_url("pages.profile", username=username)


@bp.route("/events/<uuid>/qr.svg")
def event_qr(uuid):
    # Asked without the viewer's identities: a private event has no code, as it has no share box.
    return _svg(participant_mail.event_link(events.visible_event(uuid)))


@bp.route("/@<username>/qr.svg")
def profile_qr(username):
    return _svg(profile_page(username))
