"""A loopback account speaking Mastodon's dialect, built from the captured Mastodon payloads: it serves its
actor document, sends signed Follows and Undos shaped as Mastodon's, and records what it is delivered, with
whether the signature verified against the sender's published key. `renders` holds a received Announce to
Mastodon's rules for showing a boost."""
import json
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import requests

from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.activitypub.signatures import SignatureError, sign_headers, verify_request
from mobilizon_lite.activitypub.vocab import PUBLIC_ALIASES, as_list, get_id

from ..helpers import loopback_server, wait_until
from .captured import FIXTURES

AP = "application/activity+json"
CAPTURED_HOST = "https://framapiaf.org"
# The object types Mastodon shows (app/lib/activitypub/activity.rb: SUPPORTED_TYPES + CONVERTED_TYPES).
SHOWN_TYPES = {"Note", "Question", "Image", "Audio", "Video", "Article", "Page", "Event"}


def _key_of(key_id):
    """(public PEM, owner) of a key, from the document its id names, as Mastodon fetches it."""
    document = requests.get(key_id.split("#")[0], headers={"Accept": AP}, timeout=10).json()
    key = document.get("publicKey") or {}
    return key.get("publicKeyPem"), key.get("owner")


class Handler(BaseHTTPRequestHandler):
    """Serves the account's actor document; records what is delivered, with the signer it verified."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        account = self.server.account
        found = self.server.url + self.path == account.actor_id
        self._answer(200 if found else 404, account.document if found else {})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            signer = verify_request("POST", self.path, headers, body, lambda key_id, _refresh: _key_of(key_id)).owner
        except SignatureError:
            signer = None
        self.server.account.inbox.append((json.loads(body), signer))
        self._answer(202 if signer else 401, {})

    def _answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", AP)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class MastodonAccount:
    """framapiaf.org's @peertube, moved to a loopback server; `inbox` holds (activity, verified signer)."""

    def __init__(self, host):
        self.inbox, self._serving, self._sent = [], ExitStack(), 0
        self.base = self._serving.enter_context(loopback_server(Handler, host, account=self))
        text = (FIXTURES / "mastodon-actor.json").read_text().replace(CAPTURED_HOST, self.base)
        self.document = json.loads(text)
        self.actor_id = self.document["id"]
        self.private_pem, self.document["publicKey"]["publicKeyPem"] = generate_key_pair()

    def close(self):
        self._serving.close()

    def send(self, inbox, activity):
        """POST an activity signed as Mastodon signs it; the HTTP status."""
        body = json.dumps(activity).encode()
        headers = sign_headers("POST", inbox, self.document["publicKey"]["id"], self.private_pem, body=body)
        return requests.post(inbox, data=body, headers={**headers, "Content-Type": AP}, timeout=10).status_code

    def follow(self, inbox, target):
        """A Follow of target as Mastodon sends one (captured shape: `#follows/<n>` id, no addressing)."""
        self._sent += 1
        captured = json.loads((FIXTURES / "mastodon-follow-activity.json").read_text())
        captured.pop("signature")  # a Linked Data signature over another actor's payload: HTTP signatures count
        follow = {**captured, "id": f"{self.actor_id}#follows/{self._sent}", "actor": self.actor_id, "object": target,
                  "nickname": self.document["preferredUsername"]}
        assert self.send(inbox, follow) == 202
        return follow

    def undo(self, inbox, follow):
        """Mastodon's Undo of one of its Follows."""
        undo = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{follow['id']}/undo", "type": "Undo",
                "actor": self.actor_id, "object": {key: value for key, value in follow.items() if key != "@context"}}
        assert self.send(inbox, undo) == 202

    def received(self, predicate, timeout=30):
        """The first (activity, signer) delivered that predicate accepts, once it arrives."""
        return wait_until(lambda: next((entry for entry in self.inbox if predicate(entry[0])), None), timeout=timeout)


def renders(announce):
    """Whether Mastodon shows an Announce as a boost without asking anyone else: the object embedded, of a type
    it shows, attributed to the account that boosts it (Mastodon then takes it as that account's own post),
    from that account's server, with the name, content and link its status is made of, and public."""
    shown = announce.get("object")
    return (isinstance(shown, dict) and shown.get("type") in SHOWN_TYPES
            and get_id(shown.get("attributedTo")) == announce["actor"]
            and urlsplit(shown.get("id", "")).netloc == urlsplit(announce["actor"]).netloc
            and all(shown.get(name) for name in ("name", "content", "url"))
            and any(get_id(item) in PUBLIC_ALIASES
                    for item in as_list(announce.get("to")) + as_list(announce.get("cc"))))
