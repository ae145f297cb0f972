"""A remote server as the app under test sees it through its test client: remote actors, the activities
they sign and post to the inbox, what the app stored or queued in answer, and a loopback server of
actor documents."""
import json
from http.server import BaseHTTPRequestHandler

from mobilizon_lite.activitypub.signatures import sign_headers
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Activity, Event, InboxItem
from mobilizon_lite.services import inbound

REMOTE = "https://remote.example"
ACTOR = f"{REMOTE}/users/alice"
EVE = "https://elsewhere.example/users/eve"
EVENT_ID = f"{REMOTE}/events/1"


def remote_event(**changes):
    """alice's event document, with changes."""
    document = {"id": EVENT_ID, "type": "Event", "name": "Fête de quartier",
                "content": "<p>Come!<script>x</script></p>",
                "startTime": "2027-06-21T18:00:00+02:00", "endTime": "2027-06-21T23:00:00+02:00",
                "timezone": "Europe/Paris", "to": ["as:Public"], "actor": ACTOR, "attributedTo": ACTOR,
                "location": {"type": "Place", "name": "Square", "address": "12 rue X, Lyon"},
                "ical:status": "CONFIRMED", "tag": [{"type": "Hashtag", "name": "#Fete"}]}
    document.update(changes)
    return document


def send(app, key, verb, obj, number, actor=ACTOR, **extra):
    """POST a signed activity to the shared inbox, as actor."""
    host = actor.split("/")[2]
    body = json.dumps({"id": f"https://{host}/activities/{number}", "type": verb, "actor": actor, "object": obj,
                       **extra}).encode()
    headers = sign_headers("POST", "http://events.test/inbox", f"{actor}#main-key", key, body=body)
    return handled(app, app.test_client().post("/inbox", data=body, headers=headers,
                                               content_type="application/activity+json"))


def handled(app, response):
    """response, once the app's handling job (the function the scheduler runs) took what the POST stored:
    the tests run no scheduler."""
    with app.app_context():
        inbound.handle_received()
    return response


def stored(app):
    """The events the app holds."""
    with app.app_context():
        return list(Event.select())


def follow(number=1, actor=ACTOR, **extra):
    """A Follow of ann by actor (alice unless said)."""
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{REMOTE}/activities/{number}",
            "type": "Follow", "actor": actor, "object": "http://events.test/@ann", **extra}


def post(app, activity=None, body=None, key=None, key_id=f"{ACTOR}#main-key", path="/inbox", now=None,
         content_type="application/activity+json", headers=None, handle=True):
    """POST an activity (or a raw body) to an inbox of the app, signed with key when one is given; then
    run the handling job unless handle is false."""
    body = body if body is not None else json.dumps(activity).encode()
    signed = sign_headers("POST", f"http://events.test{path}", key_id, key, body=body, now=now) if key else {}
    signed.update(headers or {})
    response = app.test_client().post(path, data=body, headers=signed, content_type=content_type)
    return handled(app, response) if handle else response


def due_now(app):
    """Bring every retry of the handling job forward to now, as time passing would."""
    with app.app_context():
        InboxItem.update(next_attempt_at=utcnow()).where(InboxItem.next_attempt_at.is_null(False)).execute()


def items(app):
    """The activities the app's inbox stored."""
    with app.app_context():
        return list(InboxItem.select())


def sent(app, verb):
    """Bodies of the activities of one type this instance queued, oldest first."""
    with app.app_context():
        return [row.body for row in Activity.select().where(Activity.type == verb).order_by(Activity.id)]


class ActorServer(BaseHTTPRequestHandler):
    """Serves documents by path (and redirects: path -> location) on loopback, counting the GETs."""
    documents = {}
    redirects = {}
    hits = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.hits.append((self.path, "Signature" in self.headers))
        if self.path in self.redirects:
            self.send_response(302)
            self.send_header("Location", self.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        document = self.documents.get(self.path)
        body = json.dumps(document).encode() if document else b"{}"
        self.send_response(200 if document else 404)
        self.send_header("Content-Type", "application/activity+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

