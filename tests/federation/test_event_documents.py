"""Events as ActivityStreams documents, in the shape Mobilizon's parser reads."""
from datetime import date, time

from mobilizon_lite.activitypub.vocab import AS_PUBLIC
from mobilizon_lite.models import Event

from ..helpers import EVENT_DAY, log_in, make_account, make_event

AP = {"Accept": "application/activity+json"}
MOBILIZON_KEYS = {
    "type", "id", "url", "uuid", "name", "content", "mediaType", "summary", "startTime", "endTime", "timezone",
    "published", "updated", "actor", "attributedTo", "to", "cc", "category", "tag", "joinMode",
    "externalParticipationUrl", "maximumAttendeeCapacity", "remainingAttendeeCapacity", "participantCount",
    "repliesModerationOption", "commentsEnabled", "anonymousParticipationEnabled", "isOnline", "status",
    "ical:status", "draft", "inLanguage", "contacts", "attachment",
}


def test_event_document_carries_every_key_mobilizon_reads(app, client):
    make_account(app)
    event = make_event(app, capacity=30, tags="repair, diy", latitude=48.8566, longitude=2.3522,
                       street="1 rue de la Paix", postal_code="75001", online_url="https://meet.example/r",
                       links=[{"type": "visio", "url": "https://jitsi.example/r", "label": "Jitsi"}],
                       start_date=date(2027, 7, 1), start_time=time(14, 0))
    response = client.get(f"/events/{event.uuid}", headers=AP)
    assert response.mimetype == "application/activity+json"
    doc = response.json
    assert MOBILIZON_KEYS <= set(doc)
    assert doc["@context"][2]["joinMode"]["@id"] == "mz:joinMode"
    assert doc["id"] == doc["url"] == f"http://events.test/events/{event.uuid}" and doc["type"] == "Event"
    assert doc["startTime"] == "2027-07-01T14:00:00+02:00" and doc["endTime"] == "2027-07-01T18:00:00+02:00"
    assert doc["timezone"] == "Europe/Paris"
    assert doc["to"] == [AS_PUBLIC] and doc["cc"] == ["http://events.test/@ann/followers"]
    assert doc["actor"] == doc["attributedTo"] == "http://events.test/@ann"
    assert doc["status"] == doc["ical:status"] == "CONFIRMED"
    assert doc["maximumAttendeeCapacity"] == 30 and doc["remainingAttendeeCapacity"] == 30
    assert doc["participantCount"] == 0 and doc["joinMode"] == "free" and doc["commentsEnabled"] is True
    assert [t["name"] for t in doc["tag"]] == ["#repair", "#diy"]
    place = doc["location"]
    assert place["type"] == "Place" and place["address"]["type"] == "PostalAddress"
    assert place["address"]["postalCode"] == "75001" and place["latitude"] == 48.8566
    kinds = [(a["type"], a.get("name")) for a in doc["attachment"]]
    assert ("PropertyValue", "Jitsi") in kinds and ("Link", "Website") in kinds
    assert "Jul" in doc["summary"] and "Europe/Paris" in doc["summary"] and "Paris" in doc["summary"]
    assert client.get(f"/events/{event.uuid}").mimetype == "text/html"


def test_private_events_are_never_served_to_servers(app, client):
    make_account(app)
    unlisted = make_event(app, visibility="unlisted")
    private = make_event(app, visibility="private")
    doc = client.get(f"/events/{unlisted.uuid}", headers=AP).json
    assert doc["cc"] == [AS_PUBLIC] and doc["to"] == ["http://events.test/@ann/followers"]
    assert client.get(f"/events/{private.uuid}", headers=AP).status_code == 404
    log_in(client)
    assert client.get(f"/events/{private.uuid}", headers=AP).json["cc"] == []


def test_event_changes_are_sent_to_remote_followers(app, client):
    from mobilizon_lite.models import Activity, Actor, Delivery, Follow
    from mobilizon_lite.services import events as events_service

    from ..helpers import service_fields

    make_account(app)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        fan = Actor.create(preferred_username="fan", domain="remote.example", ap_id="https://remote.example/u/fan",
                           inbox="https://remote.example/u/fan/inbox", shared_inbox="https://remote.example/inbox")
        Follow.create(follower=fan, followed=ann, ap_id="https://remote.example/f/1", accepted=True)
    event = make_event(app, title="Picnic")
    make_event(app, title="Secret", visibility="private")
    with app.app_context():
        create = Activity.get(Activity.type == "Create").body
        assert create["object"]["startTime"] == f"{EVENT_DAY}T14:00:00+02:00" and create["to"] == [AS_PUBLIC]
        events_service.update_event(event, ann, service_fields(title="Picnic, moved", start_time=time(15, 0)))
        # The earlier Create now carries the event as it is: nobody is served the old version any more.
        assert [a.body["object"]["name"] for a in Activity.select().order_by(Activity.id)] == ["Picnic, moved"] * 2
        assert {d.inbox_url for d in Delivery.select()} == {"https://remote.example/inbox"}
        assert Delivery.select().count() == 2
    assert [item["type"] for item in client.get("/@ann/outbox?page=1", headers=AP).json["orderedItems"]] == [
        "Update", "Create"]
    with app.app_context():
        # Once an Update has gone out, the next one replaces it: edits do not pile up.
        Delivery.update(state="sent").execute()
        events_service.update_event(Event.get(Event.uuid == event.uuid), ann, service_fields(title="Picnic, moved"))
        assert [(a.type, a.body["object"]["name"]) for a in Activity.select().order_by(Activity.id)] == [
            ("Create", "Picnic, moved"), ("Update", "Picnic, moved")]
    with app.app_context():
        events_service.delete_event(Event.get(Event.uuid == event.uuid), ann)
        sent = [(a.type, a.body["object"].get("type"), a.public) for a in Activity.select().order_by(Activity.id)]
        assert sent == [("Create", "Tombstone", False), ("Update", "Tombstone", False), ("Delete", "Tombstone", True)]
        # What was still waiting to go out about a deleted event is dropped.
        assert [d.activity.type for d in Delivery.select().where(Delivery.state == "pending")] == ["Delete"]
    outbox = client.get("/@ann/outbox?page=1", headers=AP).json
    assert [item["type"] for item in outbox["orderedItems"]] == ["Delete"]


def test_the_document_is_the_same_in_every_language(app, client):
    make_account(app)
    event = make_event(app)
    summaries = {language: client.get(f"/events/{event.uuid}", headers={**AP, "Accept-Language": language}
                                      ).json["summary"] for language in ("en", "fr")}
    assert summaries["en"] == summaries["fr"] and "Jul" in summaries["en"]


def test_unlisted_events_and_their_comments_stay_out_of_the_outbox(app, client):
    from mobilizon_lite.models import Activity, Actor
    from mobilizon_lite.services import comments
    from mobilizon_lite.services import events as events_service

    from ..helpers import service_fields

    make_account(app)
    event = make_event(app, title="Only with the link", visibility="unlisted")
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        comments.comment_on(Event.get_by_id(event.id), ann, "See you there")
        [create_event, create_comment] = Activity.select().order_by(Activity.id)
        assert create_event.body["cc"][0] == AS_PUBLIC and create_comment.body["cc"] == [AS_PUBLIC]
    outbox = client.get("/@ann/outbox?page=1", headers=AP).json
    assert outbox["totalItems"] == 0 and outbox["orderedItems"] == []
    # Served at its id to whoever has it, as the event is to whoever has its link.
    assert client.get(create_event.ap_id.replace("http://events.test", ""), headers=AP).json["id"] == create_event.ap_id
    with app.app_context():
        events_service.update_event(Event.get_by_id(event.id), ann, service_fields(visibility="public"))
    assert client.get("/@ann/outbox", headers=AP).json["totalItems"] == 2  # its Create, now public, and the Update
    with app.app_context():
        events_service.update_event(Event.get_by_id(event.id), ann, service_fields(visibility="unlisted"))
        events_service.delete_event(Event.get_by_id(event.id), ann)
    # Its deletion (addressed to everyone in `to`, as Mobilizon does) stays unlisted too.
    assert client.get("/@ann/outbox", headers=AP).json["totalItems"] == 0


def test_a_public_event_made_unlisted_leaves_the_following_instances_listings(app):
    """Following instances list public events only: they get a Delete, unless someone there follows the
    organiser (that server gets the Update and keeps the event, unlisted); followers elsewhere get the Update."""
    from mobilizon_lite.models import Activity, Actor, Delivery, Follow
    from mobilizon_lite.services import events as events_service
    from mobilizon_lite.services.actors import instance_actor

    from ..helpers import service_fields

    make_account(app)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        for number, domain in enumerate(("relay.example", "kept.example")):
            relay = Actor.create(type="Application", preferred_username="relay", domain=domain,
                                 ap_id=f"https://{domain}/relay", inbox=f"https://{domain}/relay/inbox")
            Follow.create(follower=relay, followed=instance_actor(), ap_id=f"https://{domain}/f/{number}",
                          accepted=True)
        fan = Actor.create(preferred_username="fan", domain="kept.example", ap_id="https://kept.example/u/fan",
                           inbox="https://kept.example/u/fan/inbox")
        Follow.create(follower=fan, followed=ann, ap_id="https://kept.example/f/fan", accepted=True)
    event = make_event(app, title="Picnic")
    with app.app_context():
        assert {d.inbox_url for d in Delivery.select()} == {"https://relay.example/relay/inbox",
                                                            "https://kept.example/relay/inbox",
                                                            "https://kept.example/u/fan/inbox"}
        Delivery.delete().execute()
        events_service.update_event(event, ann, service_fields(visibility="unlisted"))
        sent = sorted((d.activity.type, d.inbox_url) for d in Delivery.select())
        assert sent == [("Delete", "https://relay.example/relay/inbox"), ("Update", "https://kept.example/u/fan/inbox")]
        assert Activity.get(Activity.type == "Delete").body["object"]["id"] == event.ap_id
