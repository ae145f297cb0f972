"""The safe HTTP client against a real loopback server: addresses, redirects, sizes, time, ids."""
import json
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import quote, unquote

import pytest

from mobilizon_lite.activitypub.client import (
    Connections,
    RequestError,
    fetch_object,
    is_forbidden,
    parse_networks,
    request,
)

from ..helpers import loopback_server

LOOPBACK = parse_networks("127.0.0.0/8")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body=b"", content_type="application/activity+json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        base = f"http://{self.headers['Host']}"
        if self.path == "/actor":
            self.send(200, json.dumps({"id": base + "/actor", "type": "Person"}).encode())
        elif self.path == "/wrong-id":
            self.send(200, json.dumps({"id": "https://elsewhere.example/actor"}).encode())
        elif self.path == "/html":
            self.send(200, b"<html></html>", "text/html")
        elif self.path == "/big":
            self.send(200, b"{" + b" " * (2 << 20) + b"}")
        elif self.path == "/to-private":
            self.send(302, headers=[("Location", "http://10.0.0.1/actor")])
        elif self.path == "/to-actor":
            self.send(302, headers=[("Location", "/actor")])
        elif self.path.startswith("/loop"):
            self.send(302, headers=[("Location", f"/loop{len(self.path)}")])
        elif self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/activity+json")
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.05)
        elif self.path == "/headers":
            self.send(200, json.dumps(dict(self.headers)).encode(), "application/json")
        elif self.path.startswith("/redirect/"):
            _empty, _redirect, status, target = self.path.split("/", 3)
            self.send(int(status), headers=[("Location", unquote(target))])
        else:
            self.send(404)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.do_GET()


class Recorder(Handler):
    """Another host: keeps every request it gets (method, path, headers)."""
    requests = []

    def do_GET(self):
        self.requests.append((self.command, self.path, dict(self.headers)))
        super().do_GET()


class KeepAlive(Handler):
    """Speaks HTTP/1.1, keeping connections open, and answers /port with the client's port."""
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/port":
            self.send(200, str(self.client_address[1]).encode(), "application/json")
        else:
            super().do_GET()


@pytest.fixture(scope="module")
def keep_alive():
    with loopback_server(KeepAlive) as url:
        yield url


@pytest.fixture(scope="module")
def server():
    with loopback_server(Handler) as url:
        yield url


@pytest.fixture
def other_host():
    """A server on another loopback address, 127.0.0.5, recording what reaches it."""
    Recorder.requests = []
    with loopback_server(Recorder, "127.0.0.5") as url:
        yield url


def redirect(server, status, target):
    return f"{server}/redirect/{status}/{quote(target, safe='')}"


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "192.168.1.1", "172.16.0.1", "169.254.169.254", "0.0.0.0", "100.64.0.1",
    "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::",
    "2001:0:4136:e378:8000:63bf:80ff:fffe", "224.0.0.1",
])
def test_non_global_addresses_are_forbidden(address):
    assert is_forbidden(address)


def test_public_addresses_and_the_allow_list():
    assert not is_forbidden("93.184.216.34") and not is_forbidden("2606:4700:4700::1111")
    assert not is_forbidden("127.0.0.2", LOOPBACK)
    assert is_forbidden("::1", LOOPBACK) and is_forbidden("10.0.0.1", LOOPBACK)


def test_loopback_is_refused_unless_allowed(server):
    with pytest.raises(RequestError, match="forbidden address"):
        fetch_object(server + "/actor")
    assert fetch_object(server + "/actor", allowed=LOOPBACK)["type"] == "Person"


def test_only_http_and_https(server):
    for url in ("ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/", "//127.0.0.1/x"):
        with pytest.raises(RequestError, match="only http and https"):
            request("GET", url, allowed=LOOPBACK)


def test_redirects_are_checked_and_limited(server):
    with pytest.raises(RequestError, match="forbidden address"):
        request("GET", server + "/to-private", allowed=LOOPBACK)
    with pytest.raises(RequestError, match="more than 3 redirects"):
        request("GET", server + "/loop", allowed=LOOPBACK)
    # After a redirect, the id must match the URL finally fetched.
    assert fetch_object(server + "/to-actor", allowed=LOOPBACK)["id"] == server + "/actor"


def test_documents_must_be_activitystreams_with_their_own_id(server):
    with pytest.raises(RequestError, match="not an ActivityStreams document"):
        fetch_object(server + "/html", allowed=LOOPBACK)
    with pytest.raises(RequestError, match="carries the id"):
        fetch_object(server + "/wrong-id", allowed=LOOPBACK)
    with pytest.raises(RequestError, match="answered 404"):
        fetch_object(server + "/missing", allowed=LOOPBACK)


def test_body_size_is_capped(server):
    with pytest.raises(RequestError, match="larger than"):
        request("GET", server + "/big", allowed=LOOPBACK)


def test_a_slow_drip_hits_the_total_deadline(server):
    started = time.monotonic()
    with pytest.raises(RequestError, match="longer than allowed"):
        request("GET", server + "/drip", allowed=LOOPBACK, deadline_seconds=1)
    assert time.monotonic() - started < 3


def test_signing_hook_adds_headers(server):
    response = request("GET", server + "/headers", allowed=LOOPBACK, sign=lambda method, url: {"Signature": "x"})
    sent = json.loads(response.body)
    assert sent["Signature"] == "x" and sent["Host"] == server.split("//")[1]


@pytest.mark.parametrize("address", ["fec0::1", "3fff::1", "192.0.0.8", "4000::1"])
def test_other_non_global_ranges_are_forbidden(address):
    assert is_forbidden(address)


@pytest.mark.parametrize("url", ["https://x:99999/inbox", "https://[bad/x", "http://:80/", "https://x:abc/"])
def test_malformed_urls_are_fetch_errors(url):
    with pytest.raises(RequestError):
        request("GET", url, allowed=LOOPBACK)


def signer(method, url):
    return {"Signature": f"{method} {url}"}


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_post_is_never_sent_on_to_another_host(server, other_host, status):
    with pytest.raises(RequestError, match="another host") as refused:
        request("POST", redirect(server, status, other_host + "/inbox"), body=b"{}", allowed=LOOPBACK, sign=signer)
    assert refused.value.status == status and Recorder.requests == []
    # The same host on another path: followed (303 as a GET), and signed again for the new address.
    response = request("POST", redirect(server, status, "/headers"), body=b"{}", allowed=LOOPBACK, sign=signer)
    assert json.loads(response.body)["Signature"] == f"{'GET' if status == 303 else 'POST'} {server}/headers"


def test_a_signed_get_goes_on_unsigned_to_another_host(server, other_host):
    response = request("GET", redirect(server, 302, other_host + "/headers"), allowed=LOOPBACK, sign=signer)
    assert response.status == 200 and response.url == other_host + "/headers"
    [(method, path, headers)] = Recorder.requests
    assert (method, path) == ("GET", "/headers") and "Signature" not in headers
    assert headers["Host"] == other_host.split("//")[1]


def port(url, **options):
    return int(request("GET", url + "/port", allowed=options.pop("allowed", LOOPBACK), **options).body)


def test_connections_are_kept_alive_only_when_asked(keep_alive):
    with Connections() as connections:
        kept = {port(keep_alive, connections=connections) for _ in range(3)}
        posted = request("POST", keep_alive + "/headers", body=b"{}", allowed=LOOPBACK, connections=connections)
        assert posted.status == 200 and port(keep_alive, connections=connections) in kept
        # An answer not read to its end (over the size limit) closes its connection: the next one is new.
        with pytest.raises(RequestError, match="larger than"):
            request("GET", keep_alive + "/big", allowed=LOOPBACK, connections=connections)
        assert port(keep_alive, connections=connections) not in kept
    assert len(kept) == 1
    assert len({port(keep_alive) for _ in range(3)}) == 3


def test_a_kept_connection_never_skips_the_address_check(keep_alive):
    with Connections() as connections:
        port(keep_alive, connections=connections)
        with pytest.raises(RequestError, match="forbidden address"):
            port(keep_alive, connections=connections, allowed=())


def test_kept_connections_survive_servers_that_close_them(server):
    """An HTTP/1.0 server closes each connection after its answer: the next request opens another."""
    with Connections() as connections:
        statuses = [request("POST", server + "/actor", body=b"{}", allowed=LOOPBACK, connections=connections).status
                    for _ in range(3)]
    assert statuses == [200, 200, 200]
