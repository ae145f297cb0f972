"""Discovery: WebFinger, host-meta and NodeInfo."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, request

from ..activitypub.nodeinfo import INSTANCE_ACTOR_REL
from ..models import Actor
from ..page_cache import shared
from ..services import instance, instance_settings, instance_stats
from ..services.actors import INSTANCE_USERNAME, instance_actor, live_local
from ..urls import public_url
from ..version import __version__

bp = Blueprint("wellknown", __name__)

JRD = "application/jrd+json"
NODEINFO_SCHEMAS = ("2.0", "2.1")
# NodeInfo allows only ^[a-z0-9-]+$ here: the package's name with its underscore is refused by strict readers.
SOFTWARE_NAME = "mobilizon-lite"


def _host():
    return urlsplit(current_app.config["BASE_URL"]).netloc


def _jrd(document, status=200):
    response = jsonify(document)
    response.status_code = status
    response.mimetype = JRD
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _local_actor(resource):
    """The local actor a WebFinger resource names (acct:name@host or an actor URL), or None."""
    resource = resource.strip()
    if resource.startswith("acct:"):
        name, _at, host = resource[5:].lstrip("@").rpartition("@")
        if host.lower() != _host().lower():
            return None
    elif resource.startswith(("http://", "https://")):
        return Actor.get_or_none(live_local() & (Actor.ap_id == resource))
    else:
        return None
    if name == INSTANCE_USERNAME:
        return instance_actor()
    return Actor.get_or_none(live_local() & (Actor.preferred_username == name))


@bp.route("/.well-known/webfinger")
@shared(by_language=False)
def webfinger():
    resource = request.args.get("resource", "")
    if not resource:
        return _jrd({"error": "resource is required"}, 400)
    actor = _local_actor(resource)
    if actor is None:
        return _jrd({"error": "no such resource here"}, 404)
    links = [{"rel": "self", "type": "application/activity+json", "href": actor.ap_id}]
    if actor.type in ("Person", "Group"):
        links.append({"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": actor.ap_id})
    # Where someone from elsewhere lands to follow an account they found (remote follow).
    links.append({"rel": "http://ostatus.org/schema/1.0/subscribe",
                  "template": public_url("pages.interact") + "?uri={uri}"})
    return _jrd({"subject": f"acct:{actor.preferred_username}@{_host()}", "aliases": [actor.ap_id], "links": links})


@bp.route("/.well-known/host-meta")
def host_meta():
    template = public_url("wellknown.webfinger") + "?resource={uri}"
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
            f'  <Link rel="lrdd" type="application/jrd+json" template="{template}"/>\n'
            '</XRD>\n')
    return current_app.response_class(body, mimetype="application/xrd+xml")


@bp.route("/.well-known/nodeinfo")
@shared(by_language=False)
def nodeinfo_links():
    links = [{"rel": f"http://nodeinfo.diaspora.software/ns/schema/{version}",
              "href": public_url("wellknown.nodeinfo", version=version)} for version in NODEINFO_SCHEMAS]
    # FEP-2677: where to find the instance actor, as Mobilizon advertises its relay.
    links.append({"rel": INSTANCE_ACTOR_REL, "href": instance_actor().ap_id})
    return jsonify({"links": links})


@bp.route("/nodeinfo/<version>")
@shared(by_language=False)
def nodeinfo(version):
    if version not in NODEINFO_SCHEMAS:
        return jsonify(error="unknown NodeInfo version"), 404
    document = {
        "version": version,
        "software": {"name": SOFTWARE_NAME, "version": __version__},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0"]},
        "openRegistrations": instance.registrations_mode() == instance.REGISTRATIONS_OPEN,
        "usage": {"users": {"total": instance_stats.local_users()}, "localPosts": instance_stats.local_events()},
        "metadata": {"nodeName": instance_settings.instance_name(),
                     "nodeDescription": instance_settings.node_description(),
                     "localGroups": instance_stats.local_groups()},
    }
    response = jsonify(document)
    response.mimetype = "application/json"
    response.headers["Content-Type"] = (
        f'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/{version}#"')
    return response
