"""The servers this instance blocks, as the inbox, deliveries, the HTTP client and public listings check
them: read from the database once per change and kept per app."""
import ipaddress
import re
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from peewee import SQL, Value, fn

from ..models import DomainBlock
from ..models.moderation import SILENCE, SUSPEND, blocks_version

CACHE = "mobilizon_lite.domain_blocks"
LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class Blocks(NamedTuple):
    """The blocked domains as of one version of the blocks (see models.moderation.blocks_version)."""
    version: int
    suspended: frozenset
    silenced: frozenset
    media_rejected: frozenset


def normalise(domain):
    """domain as blocks store it: lower case, IDNA, no scheme, port or trailing dot; ValueError when it
    is no domain name or IP address."""
    text = str(domain or "").strip()
    if "://" in text:
        text = urlsplit(text).netloc
    text = text.rsplit("@", 1)[-1]
    if text.startswith("["):
        address = text[1:].split("]", 1)[0]
        try:
            return f"[{ipaddress.IPv6Address(address).compressed}]"
        except ValueError:
            raise ValueError(f"{domain!r} is not a domain name") from None
    text = text.split(":", 1)[0].rstrip(".")
    try:
        text = text.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError(f"{domain!r} is not a domain name") from None
    if len(text) > 253 or not all(LABEL.fullmatch(label) for label in text.split(".")):
        raise ValueError(f"{domain!r} is not a domain name")
    return text


def bare_host(host):
    """A host as host_of gives it (maybe with a port) without its port."""
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.split(":", 1)[0]


def covers(domains, host):
    """True when host (with or without a port) is one of domains or a subdomain of one."""
    if not domains or not host:
        return False
    # As blocks are stored (see normalise): "evil.example." and IDN spellings are the same server.
    host = bare_host(host.lower()).rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    if host in domains:
        return True
    if host.startswith("[") or host.replace(".", "").isdigit():
        return False  # an IP address has no parent domain
    parts = host.split(".")
    return any(".".join(parts[index:]) in domains for index in range(1, len(parts)))


def current():
    """The Blocks of the current app, read again only when the blocks changed."""
    version = blocks_version()
    cached = current_app.extensions.get(CACHE)
    if cached is None or cached.version != version:
        rows = list(DomainBlock.select(DomainBlock.domain, DomainBlock.severity, DomainBlock.reject_media).tuples())
        cached = current_app.extensions[CACHE] = Blocks(
            version, frozenset(domain for domain, severity, _media in rows if severity == SUSPEND),
            frozenset(domain for domain, severity, _media in rows if severity == SILENCE),
            frozenset(domain for domain, _severity, media in rows if media))
    return cached


def suspends(*hosts):
    """True when one of hosts' servers is suspended: nothing is taken from it or sent or fetched there
    (the blocks read once for all). Outside an app there is no database, so nothing is blocked."""
    if not has_app_context():
        return False
    suspended = current().suspended
    return any(covers(suspended, host) for host in hosts)


def silences(host):
    """True when host's server is silenced: its content stays off public listings."""
    return covers(current().silenced, host)


def rejects_media(host):
    """True when pictures of host's server are neither shown nor fetched."""
    return covers(current().media_rejected, host)


def any_silenced():
    """True when some server is silenced: listings add their condition only then."""
    return bool(current().silenced)


def not_silenced(domain_field):
    """The SQL condition: domain_field (an actor's host, maybe with a port; NULL here) is on no silenced
    server, nor a subdomain of one. Read in SQL, so that prepared listings keep one text."""
    block = DomainBlock.alias("silencing")
    matches = ((domain_field == block.domain) | (domain_field ** block.domain.concat(":%"))
               | (domain_field ** Value("%.").concat(block.domain))
               | (domain_field ** Value("%.").concat(block.domain).concat(":%")))
    return ~fn.EXISTS(block.select(SQL("1")).where((block.severity == SILENCE) & matches))
