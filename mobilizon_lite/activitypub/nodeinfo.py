"""Reading another server's NodeInfo: which software it runs."""
import re

from . import client
from .parse import ParseError, load_json

SCHEMA_REL = re.compile(r"^https?://nodeinfo\.diaspora\.software/ns/schema/(\d+)\.(\d+)$")
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


def software_name(base_url, allowed=()):
    """The lower-cased software name the server at base_url (scheme://host) gives in its newest
    NodeInfo, or "" when it names none; RequestError when the server cannot be read."""
    links = _json(f"{base_url}/.well-known/nodeinfo", allowed).get("links")
    versions = []
    for link in links if isinstance(links, list) else []:
        match = SCHEMA_REL.match(str(link.get("rel", ""))) if isinstance(link, dict) else None
        if match and isinstance(link.get("href"), str):
            versions.append(((int(match[1]), int(match[2])), link["href"]))
    if not versions:
        return ""
    software = _json(max(versions)[1], allowed).get("software")
    name = software.get("name") if isinstance(software, dict) else None
    name = name.strip().lower() if isinstance(name, str) else ""
    return name if SOFTWARE_NAME.fullmatch(name) else ""
