"""The search box: words find events here; a link to an event elsewhere fetches it and opens it here."""
from mobilizon_lite import create_app
from mobilizon_lite.models import Event

from ..helpers import log_in, make_account, make_event
from .remote import ActorServer


def test_words_find_visible_upcoming_events(app):
    make_account(app)
    make_event(app, title="Repair café", tags="bikes")
    make_event(app, title="Choir rehearsal", locality="Lyon")
    make_event(app, title="Secret repair meeting", visibility="private")
    client = app.test_client()
    assert "Repair café" in client.get("/search?q=repair").get_data(as_text=True)
    page = client.get("/search?q=repair").get_data(as_text=True)
    assert "Secret repair meeting" not in page and "1 upcoming event" in page
    assert "Choir rehearsal" in client.get("/search?q=lyon").get_data(as_text=True)
    assert "Repair café" in client.get("/search?q=%23bikes").get_data(as_text=True)
    # Tags on event pages lead to their tag page.
    with app.app_context():
        uuid = Event.get(Event.title == "Repair café").uuid
    assert 'href="/tags/bikes"' in client.get(f"/events/{uuid}").get_data(as_text=True)
    assert "No upcoming event matches" in client.get("/search?q=repair+lyon").get_data(as_text=True)
    # The box is on every page.
    assert 'action="/search"' in client.get("/").get_data(as_text=True)


def test_a_link_to_an_event_elsewhere_is_fetched_and_shown(tmp_path, app_config, actor_server,
                                                            remote_keys):
    (_private, public), _other = remote_keys
    app = create_app(dict(app_config, ALLOWED_PRIVATE_NETWORKS="127.0.0.2/32"), instance_path=str(tmp_path / "i"))
    make_account(app)
    organizer, event_id = f"{actor_server}/users/olga", f"{actor_server}/events/42"
    ActorServer.documents["/users/olga"] = {
        "id": organizer, "type": "Person", "preferredUsername": "olga", "inbox": f"{organizer}/inbox",
        "publicKey": {"id": f"{organizer}#main-key", "owner": organizer, "publicKeyPem": public}}
    ActorServer.documents["/events/42"] = {
        "id": event_id, "type": "Event", "name": "Picnic by the river", "startTime": "2027-05-01T12:00:00+02:00",
        "timezone": "Europe/Paris", "actor": organizer, "attributedTo": organizer,
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "joinMode": "free"}
    client = app.test_client()
    # Visitors are asked to log in first: fetching is for people with an account.
    assert "/login" in client.get(f"/search?q={event_id}").headers["Location"]
    log_in(client)
    response = client.get(f"/search?q={event_id}")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Picnic by the river" in page and "Join" in page
    # Known now: a second look-up fetches nothing.
    hits = len(ActorServer.hits)
    assert client.get(f"/search?q={event_id}").status_code == 302 and len(ActorServer.hits) == hits
    with app.app_context():
        assert Event.select().where(Event.ap_id == event_id).count() == 1
    # A profile link opens the follow form; nothing there is a clear 404.
    assert "follow=" in client.get(f"/search?q={organizer}").headers["Location"]
    missing = client.get(f"/search?q={actor_server}/events/nope")
    assert missing.status_code == 404 and "Nothing was found at this address." in missing.get_data(as_text=True)
    # An event no page could show (the year 9999) is not taken in.
    ActorServer.documents["/events/43"] = dict(ActorServer.documents["/events/42"], id=f"{actor_server}/events/43",
                                               startTime="9999-12-31T20:00:00Z")
    assert client.get(f"/search?q={actor_server}/events/43").status_code == 404


def test_a_look_up_never_takes_someone_else_as_organiser(tmp_path, app_config, actor_server,
                                                          remote_keys):
    (_private, public), _other = remote_keys
    app = create_app(dict(app_config, ALLOWED_PRIVATE_NETWORKS="127.0.0.2/32"), instance_path=str(tmp_path / "i"))
    make_account(app)
    olga = f"{actor_server}/users/olga"
    ActorServer.documents["/users/olga"] = {
        "id": olga, "type": "Person", "preferredUsername": "olga", "inbox": f"{olga}/inbox",
        "publicKey": {"id": f"{olga}#main-key", "owner": olga, "publicKeyPem": public}}
    # The event names /users/evil as organiser, and that address redirects to olga's profile.
    ActorServer.redirects["/users/evil"] = olga
    ActorServer.documents["/events/7"] = {
        "id": f"{actor_server}/events/7", "type": "Event", "name": "Not olga's", "actor": f"{actor_server}/users/evil",
        "startTime": "2027-05-01T12:00:00Z", "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    client = app.test_client()
    log_in(client)
    assert client.get(f"/search?q={actor_server}/events/7").status_code == 404
    with app.app_context():
        assert Event.select().count() == 0


def test_our_own_events_are_never_overwritten_from_outside(app):
    from mobilizon_lite.models import Actor
    from mobilizon_lite.services.remote_events import store

    make_account(app)
    event = make_event(app, title="Ours", capacity=1)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        document = {"id": event.ap_id, "type": "Event", "name": "Hijacked", "startTime": "2027-05-01T12:00:00Z",
                    "participantCount": 0}
        assert store(document, ann) is None
        assert Event.get_by_id(event.id).title == "Ours" and Event.get_by_id(event.id).remote_participant_count is None
