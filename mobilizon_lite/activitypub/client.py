"""The one way this instance talks to other servers: address checks on every hop, size and time
limits, and ActivityStreams documents checked against the URL they came from."""
import ipaddress
import logging
import socket
import time
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urljoin, urlsplit

from ..urls import host_of
from . import blocklist
from .parse import ParseError, load_json
from .vocab import AP_MEDIA_TYPE, AP_MEDIA_TYPES, LD_MEDIA_TYPE

if TYPE_CHECKING:
    # urllib3 (with ssl and http.client) is imported by the first request, not with the app.
    import urllib3

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
DEADLINE = 30
MAX_REDIRECTS = 3
CHUNK = 16 * 1024
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# Global unicast IPv6 lives in 2000::/3; anything else (site-local, documentation 3fff::/20…) is refused.
IPV6_GLOBAL = ipaddress.ip_network("2000::/3")
IPV6_DOCUMENTATION = ipaddress.ip_network("3fff::/20")
IPV4_PROTOCOL_ASSIGNMENTS = ipaddress.ip_network("192.0.0.0/24")


class RequestError(Exception):
    """The request was refused or failed; `status` is the HTTP status when there was one."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class Response(NamedTuple):
    status: int
    headers: "urllib3.HTTPHeaderDict"  # case-insensitive names
    body: bytes
    url: str


class Connections:
    """Keep-alive connections for the requests one thread makes in a row (a delivery worker), closed
    together. One connection per checked address: a request reuses one only to the address its own
    check just passed, so reuse never skips the address check."""

    def __init__(self):
        self._pools = {}

    def pool(self, scheme, address, port, hostname):
        """The open connection pool (of one) to address:port for hostname, made on first use."""
        key = (scheme, address, port, hostname)
        if key not in self._pools:
            self._pools[key] = _new_pool(scheme, address, port, hostname, size=1)
        return self._pools[key]

    def close(self):
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()


def _new_pool(scheme, address, port, hostname, size):
    import urllib3

    if scheme == "https":
        return urllib3.HTTPSConnectionPool(address, port, maxsize=size, retries=False,
                                           server_hostname=hostname, assert_hostname=hostname)
    return urllib3.HTTPConnectionPool(address, port, maxsize=size, retries=False)


def parse_networks(value):
    """CIDR networks from a list or a comma-separated string (the ALLOWED_PRIVATE_NETWORKS setting)."""
    items = value.split(",") if isinstance(value, str) else (value or [])
    return [ipaddress.ip_network(item.strip(), strict=False) for item in items if item and item.strip()]


def _embedded_ipv4(address):
    """The IPv4 address hidden in a mapped, NAT64, 6to4 or Teredo IPv6 address, if any."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if any(address in network for network in NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def is_forbidden(address, allowed=()):
    """True for any address that is not plainly on the public internet, unless allowed lists it.

    ipaddress.is_global alone is not enough: NAT64 and 6to4 forms of 127.0.0.1 count as global.
    """
    address = ipaddress.ip_address(address)
    if any(address.version == network.version and address in network for network in allowed):
        return False
    if address.version == 6:
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_forbidden(inner, allowed)
        if address not in IPV6_GLOBAL or address in IPV6_DOCUMENTATION:
            return True
    elif address in IPV4_PROTOCOL_ASSIGNMENTS:
        return True
    return not address.is_global or address.is_multicast or address.is_reserved


def resolve(host, port, allowed=()):
    """The addresses of host, all of them checked; RequestError when any is forbidden."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RequestError(f"cannot resolve {host}: {error}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    bad = [a for a in addresses if is_forbidden(a, allowed)]
    if not addresses or bad:
        raise RequestError(f"{host} resolves to a forbidden address ({', '.join(bad) or 'none'})")
    return addresses


def _read(response, deadline, limit):
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise RequestError("the whole exchange took longer than allowed")
        # read1 returns what has arrived, so a server dripping bytes cannot outlast the deadline.
        chunk = response.read1(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise RequestError(f"the answer is larger than {limit} bytes")
        chunks.append(chunk)


def check_url(url):
    """(scheme, host, port) of an http(s) URL; RequestError for anything else or anything malformed."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except (ValueError, TypeError, AttributeError):
        raise RequestError(f"malformed address {str(url)[:200]!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RequestError(f"only http and https addresses can be fetched, not {str(url)[:200]!r}")
    return parts, port


def request(method, url, headers=None, body=None, allowed=(), deadline_seconds=DEADLINE, limit=MAX_BODY,
            sign=None, connections=None):
    """Send one request, following at most MAX_REDIRECTS redirects, each one checked again.

    The connection goes to the checked address (pinned), never to a second DNS answer. `sign`,
    when given, is called with (method, url) before each hop and returns headers to add. A POST
    is never sent on to another host (RequestError with the redirect's status), and a signature is
    only ever made for the host the caller named: a GET redirected elsewhere goes on unsigned.
    A connection is kept open in `connections` (Connections) when given, else closed after each hop.
    """
    import urllib3

    deadline = time.monotonic() + deadline_seconds
    first_host = redirect_status = None
    asked = method  # a POST answered 303 goes on as a GET, but stays a POST's answer
    for _hop in range(MAX_REDIRECTS + 1):
        parts, port = check_url(url)
        if blocklist.suspends(parts.hostname):
            raise RequestError(f"{parts.hostname} is blocked by this instance")
        # Hosts as the Host header (and so a signature) names them: "x" and "x:443" are one.
        first_host = first_host or host_of(url)
        if host_of(url) != first_host:
            if asked not in ("GET", "HEAD"):
                raise RequestError(f"a {asked} redirected to another host ({parts.netloc}) is not sent there",
                                   redirect_status)
            sign = None
        address = resolve(parts.hostname, port, allowed)[0]
        remaining = max(deadline - time.monotonic(), 0.1)
        timeout = urllib3.Timeout(connect=min(CONNECT_TIMEOUT, remaining), read=min(READ_TIMEOUT, remaining))
        pool = (connections.pool(parts.scheme, address, port, parts.hostname) if connections is not None
                else _new_pool(parts.scheme, address, port, parts.hostname, size=1))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = {"Host": parts.netloc, "User-Agent": "mobilizon_lite", **(headers or {}),
                **(sign(method, url) if sign else {})}
        data = None
        try:
            response = pool.urlopen(method, target, body=body, headers=sent, redirect=False, timeout=timeout,
                                    preload_content=False, release_conn=False, assert_same_host=False)
            try:
                if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                    redirect_status, url = response.status, urljoin(url, response.headers["Location"])
                    method, body = ("GET", None) if response.status == 303 else (method, body)
                    continue
                data = _read(response, deadline, limit)
            finally:
                # Only a connection whose answer was read to the end can carry the next request; a body
                # left unread (a redirect's, one over the limit) keeps its socket open until closed.
                if data is not None and connections is not None:
                    response.release_conn()
                else:
                    response.close()
        except (urllib3.exceptions.HTTPError, ValueError) as error:
            raise RequestError(f"{parts.netloc}: {error.__class__.__name__}: {error}") from None
        finally:
            if connections is None:
                pool.close()
        # urllib3's mapping, not a dict: header names are case-insensitive (h11 servers send content-type).
        return Response(response.status, response.headers, data, url)
    raise RequestError(f"more than {MAX_REDIRECTS} redirects")


def fetch_object(url, allowed=(), sign=None):
    """GET an ActivityStreams document; it must come back as one and carry the id it was fetched at."""
    return activity_document(request("GET", url, headers={"Accept": f"{AP_MEDIA_TYPE}, {LD_MEDIA_TYPE}"},
                                     allowed=allowed, sign=sign))


def activity_document(response):
    """The ActivityStreams document of a GET's answer: a 200 of an ActivityStreams media type, a JSON
    object carrying the id it was fetched at (after redirects); RequestError else."""
    url = response.url
    if response.status != 200:
        raise RequestError(f"{url} answered {response.status}", response.status)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in AP_MEDIA_TYPES:
        raise RequestError(f"{url} is not an ActivityStreams document ({content_type or 'no type'})")
    try:
        document = load_json(response.body)
    except ParseError as error:
        raise RequestError(f"{url}: {error}") from None
    if document.get("id") != url:
        raise RequestError(f"{url} carries the id {document.get('id')!r}")
    return document
