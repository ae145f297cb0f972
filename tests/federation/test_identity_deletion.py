"""Deleting an identity: its Delete reaches every server that knows it, and its address answers 410."""
from mobilizon_lite.activitypub.vocab import AS_PUBLIC
from mobilizon_lite.models import Account, Activity, Actor, Event, Follow, Participation
from mobilizon_lite.services import identities, participation

from ..helpers import log_in, submit
from .remote import ACTOR, EVE, EVENT_ID, REMOTE, remote_event, send

AP = {"Accept": "application/activity+json"}
CLUB = "http://events.test/@club"


def test_a_deleted_identity_tells_everyone_who_knows_it_and_answers_410(fed, remote_keys):
    (alice_key, _public), _other = remote_keys
    # alice (remote.example) organises an event; the identity club takes part in it, is followed by
    # mallory (same server, no shared inbox) and follows eve (elsewhere.example).
    send(fed, alice_key, "Create", remote_event(), 1)
    with fed.app_context():
        club = identities.create_identity(Account.get(), "club", "Running club")
        participation.join(Event.get(Event.ap_id == EVENT_ID), club)
        mallory, eve = Actor.get(Actor.preferred_username == "mallory"), Actor.get(Actor.ap_id == EVE)
        Follow.create(follower=mallory, followed=club, ap_id=f"{REMOTE}/follows/1", accepted=True)
        Follow.create(follower=club, followed=eve, ap_id=f"{CLUB}/follows/1", accepted=True)
    client = fed.test_client()
    log_in(client)
    assert client.get("/@club", headers=AP).json["id"] == CLUB
    page = "/identities/club/delete"
    assert submit(client, page, {}, page=page).status_code == 302

    with fed.app_context():
        delete = Activity.get(Activity.type == "Delete")
        assert delete.body["actor"] == delete.body["object"] == CLUB and delete.body["to"] == [AS_PUBLIC]
        assert {row.inbox_url for row in delete.deliveries} == {
            f"{REMOTE}/inbox", f"{REMOTE}/users/mallory/inbox", f"{EVE}/inbox"}
        assert not Follow.select().where((Follow.follower == club) | (Follow.followed == club)).exists()
        assert not Participation.select().where(Participation.actor == club).exists()

    gone = client.get("/@club", headers=AP)
    assert gone.status_code == 410 and gone.mimetype == "application/activity+json"
    assert gone.json["type"] == "Tombstone" and gone.json["id"] == CLUB and gone.json["formerType"] == "Person"
    html = client.get("/@club", headers={"Accept": "text/html"})
    assert html.status_code == 410 and html.mimetype == "text/html" and "@club was deleted" in html.get_data(True)
    for path in ("/@club/outbox", "/@club/followers", "/@club/feed/ics"):
        assert client.get(path, headers=AP).status_code == 410, path
    # An identity that never existed is still simply not found.
    assert client.get("/@nobody", headers=AP).status_code == 404
    assert client.get(f"/@{ACTOR.rsplit('/', 1)[1]}", headers=AP).status_code == 404
