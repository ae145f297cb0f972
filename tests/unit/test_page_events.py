"""Reading a page's events: schema.org JSON-LD in its shapes (prefixed and listed types, nodes nested in an
ItemList, whole days, online-only events, postponements) and h-events nested in an h-feed, with h-geo;
each found once, bounded, and the held form read back as it was."""
import json
from zoneinfo import ZoneInfo

import pytest

from mobilizon_lite.services import link_import, page_events
from mobilizon_lite.services.errors import Invalid

PARIS = ZoneInfo("Europe/Paris")
PAGE = "https://agenda.example.org/saison"


def json_ld(*nodes):
    return "".join(f'<script type="application/ld+json">{json.dumps(node)}</script>' for node in nodes)


def found(html, limit=50):
    return page_events.events_in_page(html, PAGE, PARIS, limit)


def test_types_items_and_whole_days(app):
    listing = {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "item": {
            "@type": ["http://schema.org/Festival"], "name": "Fête", "startDate": "2027-06-20",
            "endDate": "2027-06-21", "url": "/fete", "image": {"@type": "ImageObject", "url": "/f.jpg"}}},
        {"@type": "ListItem", "position": 2, "item": {
            "@type": "schema:TheaterEvent", "name": "Pièce", "startDate": "2027-06-22T20:30:00+02:00",
            "eventStatus": "EventPostponed", "keywords": ["théâtre", "", "jeune public"],
            "location": {"@type": "Place", "name": "Studio", "address": "2 rue Haute, Lille"}}},
        {"@type": "Person", "name": "Not an event", "startDate": "2027-01-01"}]}
    with app.test_request_context():
        fete, piece = found(json_ld(listing))
    assert fete.uid == "https://agenda.example.org/fete" and fete.document["url"] == fete.uid
    # A whole day's end is its last day, included: the event ends at the next midnight, in the zone.
    assert (fete.document["startTime"], fete.document["endTime"]) == (
        "2027-06-20T00:00:00+02:00", "2027-06-22T00:00:00+02:00")
    assert fete.document["timezone"] == "Europe/Paris" and "picture is not imported" in fete.notes[0]
    assert piece.uid == PAGE  # no address of its own: the page's
    assert piece.document["status"] == "TENTATIVE" and "postponed" in piece.notes[0]
    assert piece.document["timezone"] is None  # an offset, not a zone: the importer decides
    assert [tag["name"] for tag in piece.document["tag"]] == ["#théâtre", "#jeune public"]
    assert piece.document["location"] == [{"type": "Place", "name": "Studio", "address": "2 rue Haute, Lille",
                                           "latitude": None, "longitude": None}]


def test_references_are_read_as_their_ids(app):
    event = {"@type": "Event", "name": "Annulé", "startDate": "2027-03-01T10:00:00Z", "url": {"@id": "/annule"},
             "eventStatus": {"@id": "https://schema.org/EventCancelled"}}
    with app.test_request_context():
        [cancelled] = found(json_ld(event))
    assert cancelled.document["status"] == "CANCELLED" and cancelled.uid == "https://agenda.example.org/annule"


def test_an_online_event_leaves_its_organisers_address_out(app):
    event = {"@type": "Event", "name": "Webinaire", "startDate": "2027-03-01T10:00:00Z",
             "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode",
             "location": [{"@type": "Place", "name": "Siège", "address": {"streetAddress": "1 rue X"}},
                          {"@type": "VirtualLocation", "url": "https://meet.example.org/w"}]}
    with app.test_request_context():
        [webinar] = found(json_ld(event))
    assert webinar.document["location"] == [{"type": "VirtualLocation", "url": "https://meet.example.org/w"}]


def test_h_events_in_an_h_feed_with_an_h_geo(app):
    html = """<div class="h-feed"><h1 class="p-name">Agenda</h1>
    <article class="h-event"><h2 class="p-name">Marche</h2>
      <time class="dt-start" datetime="2027-05-01 09:00">9h</time><time class="dt-end" datetime="12:00">12h</time>
      <p class="p-summary">Départ devant la mairie.
      Prévoir de bonnes chaussures.</p>
      <div class="p-location h-card"><span class="p-name">Mairie</span>
        <span class="p-geo h-geo"><data class="p-latitude" value="45.75"></data>
        <data class="p-longitude" value="4.85"></data></span></div>
      <a class="u-uid" href="https://agenda.example.org/e/42">#</a></article></div>"""
    with app.test_request_context():
        [walk] = found(html)
    document = walk.document
    assert walk.uid == "https://agenda.example.org/e/42"
    # Times without an offset are the instance zone's; the end takes the start's day.
    assert (document["startTime"], document["endTime"]) == ("2027-05-01T09:00:00+02:00", "2027-05-01T12:00:00+02:00")
    place = document["location"][0]
    assert (place["name"], place["latitude"], place["longitude"]) == ("Mairie", 45.75, 4.85)
    # A p-summary is text (mf2 joins its lines): escaped into a paragraph.
    assert document["content"] == "<p>Départ devant la mairie. Prévoir de bonnes chaussures.</p>"


def test_bounds_and_broken_parts(app):
    many = json_ld([{"@type": "Event", "name": f"E{n}", "startDate": "2027-01-01"} for n in range(500)])
    with app.test_request_context():
        listed = found(many, limit=50)
        assert len(listed) == 51  # one past the limit tells the importer there are more
        # Events without an address of their own share the page's: past the first, each gets its place.
        assert [event.uid for event in listed[:3]] == [PAGE, f"{PAGE}#event-2", f"{PAGE}#event-3"]
        broken = '<script type="application/ld+json">{"@type": "Event",</script>' + json_ld(
            {"@type": "Event", "name": "Kept", "startDate": "2027-01-01"})
        assert [event.document["name"] for event in found(broken)] == ["Kept"]
        deep = '<div class="h-event">' + "<div>" * 5000 + "</div>" * 5000 + "</div>"
        with pytest.raises(Invalid, match="nested too deeply"):
            found(deep)
        assert found("<p>No h-event here, nor JSON-LD.</p>") == []


def test_what_a_preview_holds_reads_back_the_same(app):
    with app.test_request_context():
        events = found(json_ld({"@type": "Event", "name": "Bal", "startDate": "2027-01-01T20:00:00+01:00",
                                "dateModified": "2026-12-01T10:00:00+01:00", "image": "/b.jpg"}))
        back = link_import.kept(link_import.keep(events))
    assert [(e.uid, e.document, e.modified, e.notes) for e in back] == [
        (e.uid, e.document, e.modified, e.notes) for e in events]


def test_a_windows_1252_page_is_read():
    assert link_import.page_text("Fête à l'école".encode("cp1252")) == "Fête à l'école"
    assert link_import.page_text("Fête".encode()) == "Fête"


ODD_VALUES = [None, True, 12, 1e308, -0.0, "", " ", "x" * 50_000, [], [None], [1, "a"], {}, {"@value": 3},
              {"@id": "https://schema.org/EventCancelled"}, {"name": ["nested"]}, "2027-13-45T25:61",
              "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00", "NaN", "javascript:alert(1)",
              {"@type": "VirtualLocation", "url": ["https://v.example/x"]}, {"@type": "Place", "geo": "here"},
              {"@type": "Place", "geo": {"latitude": "1e999", "longitude": "-inf"}}]
FIELDS = ["name", "startDate", "endDate", "location", "description", "url", "@id", "keywords", "eventStatus",
          "eventAttendanceMode", "offers", "image", "dateModified"]


@pytest.mark.parametrize("field", FIELDS)
def test_odd_values_of_every_field_give_an_event_or_a_reason(app, field):
    with app.test_request_context():
        for value in ODD_VALUES:
            event = {"@type": "Event", "name": "Odd", "startDate": "2027-01-01T10:00:00+01:00", field: value}
            events = found(json_ld(event))
            assert len(events) == 1
            [item] = link_import.items(events, "Europe/Paris")
            assert item.problem or item.values["title"], (field, value)
