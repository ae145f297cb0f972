"""Suspended servers against real loopback servers: their inbox POSTs are refused before any key is
fetched, and nothing reaches them."""
import json
from http.server import BaseHTTPRequestHandler

import pytest

from mobilizon_lite import create_app
from mobilizon_lite.activitypub import client
from mobilizon_lite.activitypub.delivery import drain
from mobilizon_lite.models import Actor, Delivery, Event, Follow
from mobilizon_lite.services import domain_blocks, events

from ..helpers import loopback_server, make_account, service_fields, wait_until
from .remote import ActorServer, items, post


class Inbox(BaseHTTPRequestHandler):
    """An inbox that keeps (host, activity type) of every POST and answers 202."""
    received = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.server.url, body.get("type")))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def loopback_app(tmp_path, app_config):
    app = create_app(dict(app_config, ALLOWED_PRIVATE_NETWORKS="127.0.0.0/8"), instance_path=str(tmp_path / "i"))
    make_account(app)
    return app


def test_a_suspended_server_is_refused_before_its_key_is_fetched(loopback_app, actor_server, remote_keys):
    (private, public), _other = remote_keys
    actor = f"{actor_server}/users/carol"
    ActorServer.documents["/users/carol"] = {
        "id": actor, "type": "Person", "preferredUsername": "carol", "inbox": f"{actor}/inbox",
        "publicKey": {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": public}}
    activity = {"id": f"{actor_server}/a/1", "type": "Follow", "actor": actor, "object": "http://events.test/@ann"}
    with loopback_app.app_context():
        domain_blocks.block("127.0.0.2", "suspend")
    response = post(loopback_app, activity, key=private, key_id=f"{actor}#main-key")
    assert response.status_code == 403
    assert ActorServer.hits == [] and items(loopback_app) == []
    with loopback_app.app_context():
        # Nor does anything else of this instance fetch from it.
        with pytest.raises(client.RequestError, match="blocked"):
            client.fetch_object(actor, allowed=client.parse_networks("127.0.0.0/8"))
        domain_blocks.unblock("127.0.0.2")
    assert post(loopback_app, activity, key=private, key_id=f"{actor}#main-key").status_code == 202
    assert ActorServer.hits == [("/users/carol", True)]  # the same request, once unblocked, fetches the key


def test_nothing_reaches_a_suspended_server(loopback_app):
    """ann's followers on two loopback servers: once one is suspended, it receives nothing more, neither
    what was waiting nor what is published after (even for a follower elsewhere whose inbox it holds);
    the other receives everything."""
    Inbox.received = []
    with loopback_server(Inbox, "127.0.0.3") as blocked, loopback_server(Inbox, "127.0.0.4") as kept:
        with loopback_app.app_context():
            ann = Actor.get(Actor.preferred_username == "ann")
            # f on each server; g on the kept one, but with its inbox on the blocked one.
            for name, url, inbox in (("f", blocked, blocked), ("f", kept, kept), ("g", kept, blocked)):
                follower = Actor.create(preferred_username=name, domain=url.split("//")[1], ap_id=f"{url}/u/{name}",
                                        inbox=f"{inbox}/u/{name}/inbox")
                Follow.create(follower=follower, followed=ann, ap_id=f"{url}/follows/{name}", accepted=True)
            events.create_event(ann, service_fields(title="Before the block"))
            assert Delivery.select().count() == 3
            _block, removed = domain_blocks.block("127.0.0.3", "suspend")
            assert removed.follows == 1 and removed.deliveries == 2
            event = events.create_event(ann, service_fields(title="After the block"))
            events.update_event(event, ann, service_fields(title="After the block, changed"))
            drain()
        wait_until(lambda: len(Inbox.received) == 3)
    assert {host for host, _type in Inbox.received} == {kept}
    assert [kind for _host, kind in Inbox.received] == ["Create", "Create", "Update"]
    with loopback_app.app_context():
        assert {row.inbox_url.split("/u/")[0] for row in Delivery.select()} == {kept}
        assert Event.select().count() == 2
