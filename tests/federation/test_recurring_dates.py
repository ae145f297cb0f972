"""Changed and cancelled dates of a series across servers. Ours go out as Events of their own, linked to
the series (`recurrenceOf`, `recurrenceId`) and listed in its document (`changedDates`): software that
knows no series reads each as a single event at that date. Received ones, only from whoever may change
the series and only for a date its rule gives, become dates of the series held here."""
import uuid
from datetime import UTC, datetime, time, timedelta

from mobilizon_lite.activitypub.convert.event_date import date_id, instant_text
from mobilizon_lite.activitypub.vocab import AS_PUBLIC, PUBLIC_ALIASES, as_list, get_id
from mobilizon_lite.dates import utc_text
from mobilizon_lite.models import Activity, Actor, Event, EventOccurrence, Follow, OccurrenceOverride
from mobilizon_lite.models.federation import DONE, IGNORED, REFUSED
from mobilizon_lite.models.limits import OVERRIDES_MAX
from mobilizon_lite.services import event_federation, events, occurrence_changes

from ..calendar_readers import occurrences_by_three
from ..helpers import make_event, service_fields
from .mastodon_follower import SHOWN_TYPES
from .remote import ACTOR, EVE, EVENT_ID, REMOTE, items, remote_event, send, stored
from .test_outgoing_documents import undeclared
from .test_recurring_events import FIRST, REPETITION, local

AP = {"Accept": "application/activity+json"}
MALLORY = f"{REMOTE}/users/mallory"


def utc(moment):
    """An aware datetime as ActivityStreams writes it in UTC."""
    return utc_text(moment.astimezone(UTC))


def tuesday(weeks):
    """The series' date weeks after its first, 19:00 in Paris, as an aware datetime."""
    return local(FIRST + timedelta(weeks=weeks), 19)


def date_event(weeks, **changes):
    """alice's Event of one date of her series, as a server of ours writes it (at the rule's times unless
    changed)."""
    start = tuesday(weeks)
    document = {"id": date_id(EVENT_ID, start), "type": "Event", "recurrenceOf": EVENT_ID,
                "recurrenceId": utc(start), "name": "Fête de quartier", "startTime": start.isoformat(),
                "endTime": (start + timedelta(hours=2)).isoformat(), "timezone": "Europe/Paris",
                "to": ["as:Public"], "actor": ACTOR, "attributedTo": ACTOR, "status": "CONFIRMED",
                "updated": utc(datetime.now(UTC))}
    document.update(changes)
    return document


def remote_series(fed, key, number=1, **changes):
    """alice's weekly series (Tuesdays 19:00-21:00 from FIRST, the second week excluded), as held here."""
    send(fed, key, "Create", remote_event(repetition=REPETITION, startTime=REPETITION["startTime"],
                                          endTime=REPETITION["endTime"], **changes), number)
    [event] = stored(fed)
    assert event.repeats
    return event


def overrides(app):
    with app.app_context():
        return list(OccurrenceOverride.select().order_by(OccurrenceOverride.recurrence_id))


def last_item(app):
    return items(app)[-1]


def test_a_received_date_becomes_a_date_of_the_series_on_its_page_and_in_its_feed(fed, remote_keys):
    (key, _public), _other = remote_keys
    series = remote_series(fed, key)
    moved = tuesday(2) + timedelta(hours=1)
    send(fed, key, "Create", date_event(2, startTime=moved.isoformat(),
                                        endTime=(moved + timedelta(hours=2)).isoformat(),
                                        location={"type": "Place", "name": "Big hall",
                                                  "address": {"type": "PostalAddress", "streetAddress": "3 rue Y"}},
                                        dateNote="Bring the new scores."), 2)
    send(fed, key, "Create", date_event(3, status="CANCELLED", dateNote=""), 3)
    assert [item.state for item in items(fed)] == [DONE, DONE, DONE]
    # Dates, not events: the series is the one event held.
    assert [event.id for event in stored(fed)] == [series.id]
    changed, cancelled = overrides(fed)
    assert changed.recurrence_id == tuesday(2) and changed.begins_on == moved and not changed.cancelled
    assert (changed.place_name, changed.address, changed.description) == ("Big hall", "3 rue Y",
                                                                          "Bring the new scores.")
    assert changed.ap_id == date_id(EVENT_ID, tuesday(2))
    assert cancelled.recurrence_id == tuesday(3) and cancelled.cancelled and cancelled.begins_on is None
    page = fed.test_client().get(f"/events/{series.uuid}").get_data(as_text=True)
    assert 'class="changed-date"' in page and "Big hall, 3 rue Y" in page and "Bring the new scores." in page
    assert 'class="cancelled-date"' in page
    body = fed.test_client().get(f"/events/{series.uuid}/export/ics").data
    limit = datetime.combine(FIRST + timedelta(weeks=5), time(), UTC)
    found = occurrences_by_three(body, limit)
    expected = [(int(start.timestamp()), int(start.timestamp()) + 7200)
                for start in (tuesday(0), moved, tuesday(4))]
    assert [list(dates.values()) for dates in found.values()] == [[expected]] * 3

    # Taken back by its organiser: the date is the rule's again.
    send(fed, key, "Delete", {"type": "Tombstone", "id": date_id(EVENT_ID, tuesday(3))}, 4)
    assert last_item(fed).state == DONE
    assert [row.recurrence_id for row in overrides(fed)] == [tuesday(2)]
    body = fed.test_client().get(f"/events/{series.uuid}/export/ics").data
    assert int(tuesday(3).timestamp()) in [start for start, _end in next(iter(
        occurrences_by_three(body, limit)["icalendar"].values()))]


def test_a_date_is_taken_only_from_whoever_may_change_the_series(fed, remote_keys):
    (key, _public), (other, _other_public) = remote_keys
    remote_series(fed, key)
    # Someone else of the same server; someone of another server is turned away at the inbox.
    send(fed, other, "Create", date_event(2, status="CANCELLED", actor=MALLORY, attributedTo=MALLORY), 2,
         actor=MALLORY)
    assert send(fed, other, "Create", date_event(2, status="CANCELLED"), 3, actor=EVE).status_code == 400
    assert [item.state for item in items(fed)[1:]] == [IGNORED]
    assert overrides(fed) == []
    # Nor taken back by them.
    send(fed, key, "Create", date_event(2, status="CANCELLED"), 4)
    send(fed, other, "Delete", {"type": "Tombstone", "id": date_id(EVENT_ID, tuesday(2))}, 5, actor=MALLORY)
    assert last_item(fed).state == IGNORED and len(overrides(fed)) == 1


def test_a_date_the_rule_does_not_give_is_refused(fed, remote_keys):
    (key, _public), _other = remote_keys
    remote_series(fed, key)
    monday = tuesday(2) - timedelta(days=1)
    refused = [
        date_event(2, recurrenceId=utc(monday), id=date_id(EVENT_ID, monday)),  # a Monday
        date_event(1),  # the excluded date
        date_event(2, recurrenceId="next Tuesday"),
        date_event(2, recurrenceId=None),
        date_event(2, startTime=tuesday(3).isoformat(), endTime=None),  # moved onto another date
    ]
    for number, document in enumerate(refused, start=2):
        send(fed, key, "Create", document, number)
    assert [item.state for item in items(fed)[1:]] == [REFUSED] * len(refused)
    # Not of the series' server: turned away at the inbox.
    assert send(fed, key, "Create", date_event(2, id="https://elsewhere.example/dates/1"), 19).status_code == 400
    assert overrides(fed) == []
    # A date of a series not held here is nobody's to keep.
    send(fed, key, "Create", date_event(2, recurrenceOf=f"{REMOTE}/events/2"), 20)
    assert last_item(fed).state == IGNORED and len(stored(fed)) == 1


def test_a_series_holds_at_most_so_many_received_dates(fed, remote_keys):
    (key, _public), _other = remote_keys
    series = remote_series(fed, key)
    with fed.app_context():
        OccurrenceOverride.insert_many([{"event": series.id, "recurrence_id": tuesday(10 + n), "cancelled": True}
                                        for n in range(OVERRIDES_MAX)]).execute()
    send(fed, key, "Create", date_event(2, status="CANCELLED"), 2)
    assert last_item(fed).state == REFUSED and "At most 500" in last_item(fed).error
    assert len(overrides(fed)) == OVERRIDES_MAX
    # One already held may still change.
    send(fed, key, "Update", date_event(10), 3)
    assert last_item(fed).state == DONE and not overrides(fed)[0].cancelled


def test_the_series_document_brings_its_changed_dates(fed, remote_keys):
    (key, _public), _other = remote_keys
    listed = [date_event(2, status="CANCELLED"), date_event(3, location="Big hall"),
              date_event(4, recurrenceId="yesterday"), "not a date"]
    series = remote_series(fed, key, changedDates=listed)
    assert [(row.recurrence_id, row.cancelled, row.place_name) for row in overrides(fed)] == [
        (tuesday(2), True, ""), (tuesday(3), False, "Big hall")]
    # A document without the list (other software) leaves them; one with it is the whole truth.
    send(fed, key, "Update", remote_event(repetition=REPETITION, startTime=REPETITION["startTime"],
                                          endTime=REPETITION["endTime"], name="Fête"), 2)
    assert len(overrides(fed)) == 2
    send(fed, key, "Update", remote_event(repetition=REPETITION, startTime=REPETITION["startTime"],
                                          endTime=REPETITION["endTime"], changedDates=listed[1:2]), 3)
    assert [row.recurrence_id for row in overrides(fed)] == [tuesday(3)]
    with fed.app_context():
        assert EventOccurrence.select().where((EventOccurrence.event == series.id)
                                              & (EventOccurrence.begins_on == tuesday(2))).exists()


def test_a_groups_dates_come_from_its_servers_members_and_its_announces(fed, remote_keys):
    (key, public), (other, _other_public) = remote_keys
    group = f"{REMOTE}/@club"
    with fed.app_context():
        Actor.create(type="Group", preferred_username="club", domain="remote.example", ap_id=group,
                     public_key_pem=public, inbox=f"{group}/inbox")
    remote_series(fed, key, attributedTo=group)
    # Another member of the group, on its server, changes a date, as the series' Update may.
    send(fed, other, "Create", date_event(2, status="CANCELLED", actor=MALLORY, attributedTo=group), 2,
         actor=MALLORY)
    assert last_item(fed).state == DONE
    # The group's Announce of the Create of another date, as Mobilizon's groups relay their content.
    create = {"id": f"{REMOTE}/activities/c3", "type": "Create", "actor": ACTOR,
              "object": date_event(3, attributedTo=group, dateNote="Bring a snack.")}
    send(fed, key, "Announce", create, 3, actor=group)
    assert last_item(fed).state == DONE
    assert [(row.recurrence_id, row.cancelled, row.description) for row in overrides(fed)] == [
        (tuesday(2), True, ""), (tuesday(3), False, "Bring a snack.")]
    assert len(stored(fed)) == 1
    # Naming the group does not make a date of alice's own series anyone's.
    send(fed, key, "Create", remote_event(id=f"{REMOTE}/events/2", repetition=REPETITION,
                                          startTime=REPETITION["startTime"], endTime=REPETITION["endTime"]), 4)
    send(fed, other, "Create", date_event(2, recurrenceOf=f"{REMOTE}/events/2", id=f"{REMOTE}/events/2/dates/x",
                                          actor=MALLORY, attributedTo=group), 5, actor=MALLORY)
    assert last_item(fed).state == IGNORED and len(overrides(fed)) == 2


# Ours, going out ---------------------------------------------------------------------------------


def our_series(app, **fields):
    """ann's weekly series (Tuesdays 19:00-21:00 in Paris from FIRST), followed from remote.example."""
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        Follow.get_or_create(follower=Actor.get(Actor.ap_id == ACTOR), followed=ann,
                             defaults={"ap_id": f"{REMOTE}/f/1", "accepted": True})
    made = make_event(app, **{"title": "Choir rehearsal", "start_date": FIRST, "start_time": time(19),
                              "end_time": time(21), "repeat": "WEEKLY", "repeat_weekdays": ["TU"], **fields})
    with app.app_context():
        return Event.get_by_id(made.id), ann


def change_and_cancel(app, event, ann):
    """ann moves the third date an hour later, to the big hall, with a note, and cancels the fourth."""
    with app.app_context():
        rows = list(EventOccurrence.select().where(EventOccurrence.event == event.id)
                    .order_by(EventOccurrence.begins_on).limit(4))
        occurrence_changes.change_date(event, ann, rows[2].id, {
            "start_date": FIRST + timedelta(weeks=2), "start_time": time(20), "end_time": time(22),
            "place_name": "Big hall", "address": "3 rue Y", "description": "Bring the new scores."})
        occurrence_changes.cancel_date(Event.get_by_id(event.id), ann, rows[3].id)


def date_creates(app):
    with app.app_context():
        return [row.body for row in Activity.select().where(Activity.type == "Create").order_by(Activity.id)
                if row.body["object"].get("recurrenceOf")]


def mobilizon_reads(document):
    """What Mobilizon's converter (as_to_model_data in lib/federation/activity_stream/converter/event.ex)
    takes from an Event: only its own keys, and nothing of ours."""
    status = document.get("status", document.get("ical:status", "CONFIRMED"))
    return {"title": document["name"], "begins_on": datetime.fromisoformat(document["startTime"]),
            "ends_on": document["endTime"] and datetime.fromisoformat(document["endTime"]),
            "status": status.lower(), "url": document["id"], "uuid": document["uuid"],
            "visibility": "public" if AS_PUBLIC in document["to"] else "unlisted",
            "join_options": document.get("joinMode", "free"),
            "external_participation_url": document.get("externalParticipationUrl"),
            "place": (document.get("location") or {}).get("name")}


def mastodon_shows(document):
    """Whether Mastodon makes a status of an Event (a converted type: its name, summary and link)."""
    return (document["type"] in SHOWN_TYPES and bool(document.get("name")) and bool(document.get("url"))
            and any(get_id(item) in PUBLIC_ALIASES for item in as_list(document["to"]) + as_list(document["cc"])))


def test_our_changed_dates_go_out_as_events_of_their_own(fed):
    event, ann = our_series(fed)
    change_and_cancel(fed, event, ann)
    changed, cancelled = (create["object"] for create in date_creates(fed))
    moved = tuesday(2) + timedelta(hours=1)
    assert changed["id"] == f"{event.ap_id}/dates/{instant_text(tuesday(2))}" == changed["url"]
    assert changed["recurrenceOf"] == event.ap_id and changed["recurrenceId"] == utc(tuesday(2))
    assert changed["dateNote"] == "Bring the new scores." and undeclared(changed) == set()
    assert "repetition" not in changed and "changedDates" not in changed
    with fed.app_context():
        day = FIRST + timedelta(weeks=2)
        series = event_federation.event_document(Event.get_by_id(event.id))
    # Mobilizon reads each as an event of its own at that date, the series' page to take part.
    read = mobilizon_reads(changed)
    assert read["title"] == f"Choir rehearsal on {day.strftime('%b')} {day.day}, {day.year}"
    assert read["begins_on"] == moved and read["ends_on"] == moved + timedelta(hours=2)
    assert read["begins_on"].utcoffset() == tuesday(2).utcoffset() and read["status"] == "confirmed"
    assert read["uuid"] == str(uuid.UUID(read["uuid"])) and read["uuid"] != event.uuid
    assert read["place"] == "Big hall" and read["visibility"] == "public"
    assert (read["join_options"], read["external_participation_url"]) == ("external",
                                                                           f"http://events.test/events/{event.uuid}")
    assert changed["content"].startswith("<p>Bring the new scores.</p>") and mastodon_shows(changed)
    read = mobilizon_reads(cancelled)
    assert read["status"] == "cancelled" and read["begins_on"] == tuesday(3)
    assert cancelled["summary"].startswith("Cancelled - ") and mastodon_shows(cancelled)
    assert read["place"] == "Maison des associations"  # the series' own
    # The series itself: its dates listed, and Mobilizon reads the date it is at (the first, still ahead).
    assert [(entry["id"], entry["status"]) for entry in series["changedDates"]] == [
        (changed["id"], "CONFIRMED"), (cancelled["id"], "CANCELLED")]
    assert undeclared(series) == set()
    read = mobilizon_reads(series)
    assert (read["begins_on"], read["ends_on"]) == (tuesday(0), tuesday(0) + timedelta(hours=2))
    assert read["title"] == "Choir rehearsal" and read["uuid"] == event.uuid
    # Sent where the series goes: to its organiser's followers.
    with fed.app_context():
        sent = Activity.select().where(Activity.object_ap_id == changed["id"]).get()
        assert sent.body["to"] == [AS_PUBLIC] and sent.body["actor"] == ann.ap_id


def test_a_date_at_the_front_of_the_series_moves_what_mobilizon_reads(fed):
    event, ann = our_series(fed)
    with fed.app_context():
        first = EventOccurrence.select().where(EventOccurrence.event == event.id).order_by(
            EventOccurrence.begins_on).first()
        occurrence_changes.cancel_date(event, ann, first.id)
        series = event_federation.event_document(Event.get_by_id(event.id))
    # The first date cancelled, Mobilizon shows the next one.
    assert datetime.fromisoformat(series["startTime"]) == tuesday(1)


def test_a_changed_date_is_served_at_its_id_as_the_series_is(fed):
    event, ann = our_series(fed)
    change_and_cancel(fed, event, ann)
    client = fed.test_client()
    path = f"/events/{event.uuid}/dates/{instant_text(tuesday(2))}"
    response = client.get(path, headers=AP)
    assert response.mimetype == "application/activity+json" and "Accept" in response.vary
    served = response.json
    assert served["id"] == f"http://events.test{path}" and served["startTime"] == date_creates(fed)[0]["object"][
        "startTime"]
    assert client.get(path).status_code == 302 and client.get(path).location.endswith(f"/events/{event.uuid}")
    for other in (instant_text(tuesday(5)), "20270101", "x" * 300):
        assert client.get(f"/events/{event.uuid}/dates/{other}", headers=AP).status_code == 404
    private, _ann = our_series(fed, visibility="private", title="Secret rehearsal")
    with fed.app_context():
        row = EventOccurrence.select().where(EventOccurrence.event == private.id).first()
        occurrence_changes.cancel_date(private, ann, row.id)
    assert client.get(f"/events/{private.uuid}/dates/{instant_text(row.begins_on)}", headers=AP).status_code == 404


def date_deletes(app):
    with app.app_context():
        return [row.body["object"]["id"] for row in Activity.select().where(Activity.type == "Delete")
                .order_by(Activity.id) if "/dates/" in row.body["object"]["id"]]


def test_dates_the_series_no_longer_has_are_deleted_where_they_went(fed):
    event, ann = our_series(fed)
    change_and_cancel(fed, event, ann)
    ids = [create["object"]["id"] for create in date_creates(fed)]
    # Another hour for the series: its dates changed one by one are no longer its own.
    with fed.app_context():
        events.update_event(Event.get_by_id(event.id), ann, service_fields(
            title="Choir rehearsal", start_date=FIRST, start_time=time(18), end_time=time(20), repeat="WEEKLY",
            repeat_weekdays=["TU"]))
        assert OccurrenceOverride.select().count() == 0
    assert date_deletes(fed) == ids
    # Deleted, the series takes its changed dates along.
    change_and_cancel(fed, event, ann)
    # (A Delete sent, the earlier Creates of a date carry its Tombstone: these are the new dates'.)
    later = [create["object"]["id"] for create in date_creates(fed)]
    assert len(later) == 2 and not set(later) & set(ids)
    with fed.app_context():
        events.delete_event(Event.get_by_id(event.id), ann)
    assert date_deletes(fed) == ids + later


def test_a_series_made_private_withdraws_its_dates_too(fed):
    event, ann = our_series(fed)
    change_and_cancel(fed, event, ann)
    ids = [create["object"]["id"] for create in date_creates(fed)]
    with fed.app_context():
        events.update_event(Event.get_by_id(event.id), ann, service_fields(
            title="Choir rehearsal", start_date=FIRST, start_time=time(19), end_time=time(21), repeat="WEEKLY",
            repeat_weekdays=["TU"], visibility="private"))
        # Its followers' servers are told the series and its dates are gone; the dates stay changed here.
        assert OccurrenceOverride.select().count() == 2
        withdrawn = [row.body["object"]["id"] for row in Activity.select().where(Activity.type == "Delete")]
    assert withdrawn == [event.ap_id, *ids]
