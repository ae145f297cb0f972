"""A loopback server shaped as a Mobilizon instance, built from the captured Mobilizon payloads: its relay
(an `Application` at /relay, with its inbox at /inbox, advertised in its NodeInfo as FEP-2677 says) and
@tcit, the person who organises its event. It sends what Mobilizon's relay sends (Follow, Accept, Undo,
Announce of an Event), signed with the relay's key, and records what it is delivered, with whether the
signature verified against the sender's published key."""
import json
import uuid
from contextlib import ExitStack

import requests

from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.activitypub.signatures import sign_headers
from mobilizon_lite.activitypub.vocab import AS_PUBLIC

from ..helpers import loopback_server, wait_until
from .captured import FIXTURES
from .mastodon_follower import AP, Handler

CAPTURED_HOSTS = ("https://mobilizon.local", "https://mobilizon.org")
CONTEXT = "https://www.w3.org/ns/activitystreams"


class _Handler(Handler):
    """Mastodon's stand-in, serving every document of the site (its NodeInfo, its relay, its person, its events)."""

    def do_GET(self):
        document = self.server.account.documents.get(self.server.url + self.path)
        self._answer(200 if document else 404, document or {})


def _captured(name, base):
    text = (FIXTURES / "external" / name).read_text()
    for host in CAPTURED_HOSTS:
        text = text.replace(host, base)
    return json.loads(text)


class MobilizonInstance:
    """The relay at `relay_id` and @tcit at `person_id`; `inbox` holds (activity, verified signer)."""

    def __init__(self, host):
        self.inbox, self._serving = [], ExitStack()
        self.base = self._serving.enter_context(loopback_server(_Handler, host, account=self))
        self.private_pem, public_pem = generate_key_pair()
        self.relay_id, self.person_id = f"{self.base}/relay", f"{self.base}/@tcit"
        # Mobilizon's relay actor (lib/federation/activity_pub/relay.ex): an Application named relay.
        relay = {"@context": CONTEXT, "id": self.relay_id, "type": "Application", "preferredUsername": "relay",
                 "name": "Mobilizon", "summary": "", "url": self.relay_id, "inbox": f"{self.base}/inbox",
                 "outbox": f"{self.relay_id}/outbox", "followers": f"{self.relay_id}/followers",
                 "following": f"{self.relay_id}/following", "endpoints": {"sharedInbox": f"{self.base}/inbox"},
                 "manuallyApprovesFollowers": True,
                 "publicKey": {"id": f"{self.relay_id}#main-key", "owner": self.relay_id, "publicKeyPem": public_pem}}
        person = _captured("mobilizon.org-user.json", self.base)
        person["publicKey"]["publicKeyPem"] = public_pem
        nodeinfo = {"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                               "href": f"{self.base}/.well-known/nodeinfo/2.1"},
                              {"rel": "https://www.w3.org/ns/activitystreams#Application", "href": self.relay_id}]}
        self.documents = {self.relay_id: relay, self.person_id: person,
                          f"{self.base}/.well-known/nodeinfo": nodeinfo}

    def close(self):
        self._serving.close()

    def event(self, name, year):
        """The captured Mobilizon event, renamed, moved to year and to a fresh id; served from now on."""
        event = _captured("mobilizon.org-event.json", self.base)
        event_id = f"{self.base}/events/{uuid.uuid4()}"
        event.update(id=event_id, url=event_id, name=name, startTime=event["startTime"].replace("2019", str(year)),
                     endTime=event["endTime"].replace("2019", str(year)))
        self.documents[event_id] = event
        return event

    def send(self, inbox, activity):
        """POST an activity of the relay, signed with its key; the HTTP status."""
        body = json.dumps({"@context": CONTEXT, **activity}).encode()
        headers = sign_headers("POST", inbox, f"{self.relay_id}#main-key", self.private_pem, body=body)
        return requests.post(inbox, data=body, headers={**headers, "Content-Type": AP}, timeout=10).status_code

    def follow(self, inbox, target):
        """The relay's Follow of another instance's actor, as Mobilizon writes it."""
        follow = {"id": f"{self.base}/follow/{uuid.uuid4()}", "type": "Follow", "actor": self.relay_id,
                  "object": target, "to": [target], "cc": [AS_PUBLIC]}
        assert self.send(inbox, follow) == 202
        return follow

    def undo(self, inbox, follow):
        """Unfollow: Undo of the Follow."""
        assert self.send(inbox, {"id": f"{follow['id']}/undo", "type": "Undo", "actor": self.relay_id,
                                 "object": follow}) == 202

    def answer(self, inbox, verb, follow):
        """The relay accepts (verb Accept) or refuses (Reject) a Follow it received."""
        assert self.send(inbox, {"id": f"{self.base}/{verb.lower()}/follow/{uuid.uuid4()}", "type": verb,
                                 "actor": self.relay_id, "object": follow}) == 202

    def announce(self, inbox, event, number=1):
        """The relay's Announce of a public event, as Mobilizon's relay sends it to its followers."""
        assert self.send(inbox, {"id": f"{event['id']}/announces/{number}", "type": "Announce", "actor": self.relay_id,
                                 "object": event, "to": [f"{self.relay_id}/followers"], "cc": [AS_PUBLIC]}) == 202

    def received(self, predicate, timeout=30):
        """The first (activity, signer) delivered that predicate accepts, once it arrives."""
        return wait_until(lambda: next((entry for entry in self.inbox if predicate(entry[0])), None), timeout=timeout)
