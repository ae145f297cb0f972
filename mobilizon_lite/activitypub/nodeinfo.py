"""Reading another server's NodeInfo: which software it runs, and its version."""
import re
from typing import NamedTuple

from . import client
from .parse import ParseError, load_json

SCHEMA_REL = re.compile(r"^https?://nodeinfo\.diaspora\.software/ns/schema/(\d+)\.(\d+)$")
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


class Software(NamedTuple):
    """A server's software as its NodeInfo names it: lower-cased name and version, "" when not given."""
    name: str = ""
    version: str = ""


def software(base_url, allowed=()):
    """The Software the server at base_url (scheme://host) gives in its newest NodeInfo (empty when it
    names none); RequestError when the server cannot be read."""
    links = _json(f"{base_url}/.well-known/nodeinfo", allowed).get("links")
    versions = []
    for link in links if isinstance(links, list) else []:
        match = SCHEMA_REL.match(str(link.get("rel", ""))) if isinstance(link, dict) else None
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
