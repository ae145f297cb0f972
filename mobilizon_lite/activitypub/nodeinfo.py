"""Reading another server's NodeInfo: which software it runs (and its version), and where its instance
actor is (FEP-2677)."""
import re
from typing import NamedTuple

from . import client
from .parse import ParseError, load_json

SCHEMA_REL = re.compile(r"^https?://nodeinfo\.diaspora\.software/ns/schema/(\d+)\.(\d+)$")
INSTANCE_ACTOR_REL = "https://www.w3.org/ns/activitystreams#Application"
SOFTWARE_NAME = re.compile(r"[a-z0-9._-]{1,64}")
SOFTWARE_VERSION = re.compile(r"[A-Za-z0-9.+~_-]{1,64}")
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


class Software(NamedTuple):
    """A server's software as its NodeInfo names it: lower-cased name and version, "" when not given."""
    name: str = ""
    version: str = ""


def software(base_url, allowed=()):
    """The Software the server at base_url (scheme://host) gives in its newest NodeInfo (empty when it
    names none); RequestError when the server cannot be read."""
    versions = []
    for link in _links(base_url, allowed):
        match = SCHEMA_REL.match(str(link.get("rel", "")))
        if match and isinstance(link.get("href"), str):
            versions.append(((int(match[1]), int(match[2])), link["href"]))
    if not versions:
        return Software()
    named = _json(max(versions)[1], allowed).get("software")
    named = named if isinstance(named, dict) else {}
    name = named.get("name").strip().lower() if isinstance(named.get("name"), str) else ""
    version = named.get("version").strip() if isinstance(named.get("version"), str) else ""
    return Software(name if SOFTWARE_NAME.fullmatch(name) else "",
                    version if SOFTWARE_VERSION.fullmatch(version) else "")
