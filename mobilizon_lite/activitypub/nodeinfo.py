"""Reading another server's NodeInfo: which software it runs, and where its instance actor is (FEP-2677)."""
import re

from . import client
from .parse import ParseError, load_json

SCHEMA_REL = re.compile(r"^https?://nodeinfo\.diaspora\.software/ns/schema/(\d+)\.(\d+)$")
INSTANCE_ACTOR_REL = "https://www.w3.org/ns/activitystreams#Application"
SOFTWARE_NAME = re.compile(r"[a-z0-9._-]{1,64}")
# NodeInfo is small; a server that takes longer than this to tell its name is treated as unknown.
DEADLINE = 10
LIMIT = 64 * 1024


def _json(url, allowed):
    response = client.request("GET", url, headers={"Accept": "application/json"}, allowed=allowed,
                              deadline_seconds=DEADLINE, limit=LIMIT)
    if response.status != 200:
        raise client.RequestError(f"{url} answered {response.status}", response.status)
    try:
        return load_json(response.body)
    except ParseError as error:
        raise client.RequestError(f"{url}: {error}") from None


def _links(base_url, allowed):
    links = _json(f"{base_url}/.well-known/nodeinfo", allowed).get("links")
    return [link for link in links if isinstance(link, dict)] if isinstance(links, list) else []


def instance_actor_url(base_url, allowed=()):
    """The instance actor's URL the server at base_url advertises in its NodeInfo links (FEP-2677, as
    Mobilizon and we do), or None; RequestError when the server cannot be read."""
    href = next((link.get("href") for link in _links(base_url, allowed) if link.get("rel") == INSTANCE_ACTOR_REL), None)
    return href if isinstance(href, str) and href.startswith(("https://", "http://")) else None


def software_name(base_url, allowed=()):
    """The lower-cased software name the server at base_url (scheme://host) gives in its newest
    NodeInfo, or "" when it names none; RequestError when the server cannot be read."""
    versions = []
    for link in _links(base_url, allowed):
        match = SCHEMA_REL.match(str(link.get("rel", "")))
        if match and isinstance(link.get("href"), str):
            versions.append(((int(match[1]), int(match[2])), link["href"]))
    if not versions:
        return ""
    software = _json(max(versions)[1], allowed).get("software")
    name = software.get("name") if isinstance(software, dict) else None
    name = name.strip().lower() if isinstance(name, str) else ""
    return name if SOFTWARE_NAME.fullmatch(name) else ""
