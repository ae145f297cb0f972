"""Events of servers that never answer a Join (Gancio has no participation; others refuse it with
404 or 410): the person is told, and sent to the event's own page, instead of waiting forever."""
import json
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest

from mobilizon_lite import create_app
from mobilizon_lite.activitypub.client import RequestError, parse_networks
from mobilizon_lite.activitypub.delivery import drain
from mobilizon_lite.activitypub.nodeinfo import software
from mobilizon_lite.activitypub.publish import purge_published
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Activity, Actor, Delivery, DomainHealth, Participation
from mobilizon_lite.services import remote_events

from ..helpers import log_in, loopback_server, make_account, submit
from .captured import FIXTURES, needs_fixtures


class Server(BaseHTTPRequestHandler):
    """Another server: its NodeInfo names `software` (none when empty); its inbox answers `inbox_status`."""
    software = ""
    inbox_status = 202
    posts = []

    def log_message(self, *args):
        pass

    def answer(self, status, document=None):
        body = json.dumps(document).encode() if document is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        base = f"http://{self.headers['Host']}"
        if self.software == "mobilizon.fr":
            self.mobilizon(base)
        elif not self.software:
            self.answer(404)
        elif self.path == "/.well-known/nodeinfo":
            # Gancio's links, as it serves them.
            self.answer(200, {"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                                         "href": f"{base}/.well-known/nodeinfo/2.0"}]})
        elif self.path == "/.well-known/nodeinfo/2.0":
            self.answer(200, {"version": "2.0", "software": {"name": self.software, "version": "1.19.0"},
                              "protocols": ["activitypub"], "openRegistrations": False,
                              "usage": {"users": {}}, "metadata": {}, "services": {"inbound": [], "outbound": []}})
        else:
            self.answer(404)

    def mobilizon(self, base):
        """Mobilizon's own NodeInfo fixtures, moved to this address (its 2.0 document left out)."""
        links = (FIXTURES / "nodeinfo" / "both_versions.json").read_text().replace("https://mobilizon.fr", base)
        if self.path == "/.well-known/nodeinfo":
            self.answer(200, json.loads(links))
        elif self.path == "/.well-known/nodeinfo/2.1":
            self.answer(200, json.loads((FIXTURES / "nodeinfo" / "data.json").read_text()))
        else:
            self.answer(404)

    def do_POST(self):
        self.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.answer(self.inbox_status)


@pytest.fixture
def server():
    Server.posts = []
    with loopback_server(Server) as url:
        yield url


@pytest.fixture
def fed_app(tmp_path, app_config):
    app = create_app(dict(app_config, ALLOWED_PRIVATE_NETWORKS="127.0.0.0/8"), instance_path=str(tmp_path / "i"))
    make_account(app)
    return app


def gancio_event(app, base):
    """The event of Gancio's fixture, a year ahead, published by an actor of the server at base."""
    document = json.loads((FIXTURES / "gancio-event-activity.json").read_text())["object"]
    document.update(id=f"{base}/federation/m/1", startTime="2027-07-14T17:30:57+02:00",
                    endTime="2027-07-14T18:30:57+02:00", attributedTo=f"{base}/federation/u/gancio")
    with app.app_context():
        organizer = Actor.create(type="Application", preferred_username="gancio", domain=base.split("//")[1],
                                 ap_id=f"{base}/federation/u/gancio", inbox=f"{base}/federation/u/gancio/inbox")
        return remote_events.store(document, organizer)


def join(client, event):
    page = f"/events/{event.uuid}"
    with client.application.app_context():
        identity = Actor.get(Actor.preferred_username == "ann").id
    return submit(client, f"{page}/join", {"identity": identity, "message": ""}, page=page)


def test_no_join_is_sent_to_gancio_and_its_own_page_is_offered(fed_app, server):
    Server.software = "gancio"
    event = gancio_event(fed_app, server)
    client = fed_app.test_client()
    log_in(client)
    page = client.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert f'action="/events/{event.uuid}/join"' in page  # its software is not known yet
    response = join(client, event)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.uuid}")
    with fed_app.app_context():
        assert not Activity.select().where(Activity.type == "Join").exists()
        assert not Participation.select().exists()
        assert DomainHealth.get(DomainHealth.domain == server.split("//")[1]).software == "gancio"
    drain_in(fed_app)
    assert Server.posts == []
    page = client.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert f"{server.split('//')[1]} does not take registrations from other servers." in page
    assert f'href="{server}/federation/m/1"' in page and "Register on the event's own page" in page
    assert f'action="/events/{event.uuid}/join"' not in page


@pytest.mark.parametrize("status", [404, 410])
def test_a_join_refused_by_the_server_is_not_waited_for(fed_app, server, status):
    Server.software, Server.inbox_status = "", status  # no NodeInfo: nothing known beforehand
    event = gancio_event(fed_app, server)
    client = fed_app.test_client()
    log_in(client)
    assert join(client, event).status_code == 302
    page = client.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Your request as @ann awaits the answer of" in page
    drain_in(fed_app)
    assert [post["type"] for post in Server.posts] == ["Join"]
    page = client.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "awaits the answer" not in page and "Your request as @ann will not be answered." in page
    assert "does not take registrations from other servers." in page and f'href="{server}/federation/m/1"' in page
    assert "Withdraw my request" in page
    with fed_app.app_context():  # long after, the purge keeps what says so
        Delivery.update(updated_at=utcnow() - timedelta(days=90)).execute()
        Activity.update(created_at=utcnow() - timedelta(days=90)).execute()
        purge_published()
    assert "will not be answered." in client.get(f"/events/{event.uuid}").get_data(as_text=True)


def drain_in(app):
    with app.app_context():
        drain()


@needs_fixtures
def test_the_newest_nodeinfo_names_the_software(server):
    Server.software = "mobilizon.fr"
    # "Mobilizon", read from 2.1
    assert software(server, parse_networks("127.0.0.0/8")) == ("mobilizon", "5.1.0")
    Server.software = ""
    with pytest.raises(RequestError, match="answered 404"):
        software(server, parse_networks("127.0.0.0/8"))
