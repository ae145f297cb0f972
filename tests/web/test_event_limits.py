"""The event form and the ActivityPub reader hold an event to the same sizes (models/limits.py):
at a limit both keep the value whole; one over, the form refuses it and the reader cuts or drops it."""
import pytest

from mobilizon_lite.activitypub.convert.comment import note_from_ap
from mobilizon_lite.activitypub.convert.event import event_from_ap
from mobilizon_lite.activitypub.vocab import AS_PUBLIC
from mobilizon_lite.models import Comment, Event
from mobilizon_lite.models.events import CATEGORIES
from mobilizon_lite.models.limits import (
    ADDRESS_MAX,
    CAPACITY_MAX,
    COMMENT_HTML_MAX,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    LINK_LABEL_MAX,
    TAG_MAX_LENGTH,
    TAGS_MAX,
    TITLE_MAX,
    URL_MAX,
)
from mobilizon_lite.services.event_input import LANGUAGES
from mobilizon_lite.text import markdown_to_html, sanitize_html

from ..helpers import event_fields, make_event, submit


def url_of(length):
    prefix = "https://example.org/"
    return prefix + "a" * (length - len(prefix))


def place(**address):
    return {"location": {"type": "Place", "name": address.pop("name", "Hall"), "address": {
        "type": "PostalAddress", **address}}}


# name: (form fields for a value of size n, ActivityPub fields for it, what the reader kept, limit, the
# value of size n as it is stored, what the reader keeps of one over: "cut" to the limit, or the value
# it falls back to when a cut would falsify it).
CASES = {
    "title": (lambda n: {"title": "t" * n}, lambda n: {"name": "t" * n}, lambda e: e["title"], TITLE_MAX,
              lambda n: "t" * n, "cut"),
    "description": (lambda n: {"description": "d" * n}, lambda n: {"content": "d" * n},
                    lambda e: e["description"], DESCRIPTION_MAX, lambda n: "d" * n, "cut"),
    "place name": (lambda n: {"place_name": "p" * n}, lambda n: place(name="p" * n), lambda e: e["place_name"],
                   ADDRESS_MAX["place_name"], lambda n: "p" * n, "cut"),
    "street": (lambda n: {"street": "s" * n}, lambda n: place(streetAddress="s" * n), lambda e: e["street"],
               ADDRESS_MAX["street"], lambda n: "s" * n, "cut"),
    "postal code": (lambda n: {"postal_code": "7" * n}, lambda n: place(postalCode="7" * n),
                    lambda e: e["postal_code"], ADDRESS_MAX["postal_code"], lambda n: "7" * n, "cut"),
    "locality": (lambda n: {"locality": "l" * n}, lambda n: place(addressLocality="l" * n),
                 lambda e: e["locality"], ADDRESS_MAX["locality"], lambda n: "l" * n, "cut"),
    "region": (lambda n: {"region": "r" * n}, lambda n: place(addressRegion="r" * n), lambda e: e["region"],
               ADDRESS_MAX["region"], lambda n: "r" * n, "cut"),
    # A town of one name: a country not known leaves Paris's choice (France or Texas) to the organiser.
    "country": (lambda n: {"country": "c" * n, "locality": "Lyon"}, lambda n: place(addressCountry="c" * n),
                lambda e: e["country"], ADDRESS_MAX["country"], lambda n: "c" * n, "cut"),
    "online address": (lambda n: {"online_url": url_of(n)},
                       lambda n: {"attachment": [{"type": "Link", "name": "Website", "href": url_of(n)}]},
                       lambda e: e["online_url"], URL_MAX, url_of, ""),
    "registration address": (lambda n: {"join_mode": "external", "external_participation_url": url_of(n)},
                             lambda n: {"joinMode": "external", "externalParticipationUrl": url_of(n)},
                             lambda e: e["external_participation_url"], URL_MAX, url_of, ""),
    "link label": (lambda n: {"links-0-url": "https://pad.example.org", "links-0-type": "pad",
                              "links-0-label": "b" * n},
                   lambda n: {"attachment": [{"type": "PropertyValue", "name": "b" * n,
                                              "propertyID": "mz:notes:etherpad:url",
                                              "value": "https://pad.example.org"}]},
                   lambda e: e["links"][0]["label"], LINK_LABEL_MAX, lambda n: "b" * n, "cut"),
    "tag": (lambda n: {"tags": "x" * n}, lambda n: {"tag": [{"type": "Hashtag", "name": "#" + "x" * n}]},
            lambda e: e["tags"][0] if e["tags"] else "", TAG_MAX_LENGTH, lambda n: "x" * n, ""),
    "number of tags": (lambda n: {"tags": ", ".join(f"tag{i}" for i in range(n))},
                       lambda n: {"tag": [{"type": "Hashtag", "name": f"#tag{i}"} for i in range(n)]},
                       lambda e: e["tags"], TAGS_MAX, lambda n: [f"tag{i}" for i in range(n)], "cut"),
    "capacity": (lambda n: {"capacity": str(n)}, lambda n: {"maximumAttendeeCapacity": n},
                 lambda e: e["capacity"], CAPACITY_MAX, lambda n: n, None),
}


def read(document):
    base = {"type": "Event", "id": "https://other.example/events/1", "startTime": "2027-07-01T14:00:00+02:00",
            "name": "Remote", "to": [AS_PUBLIC]}
    return event_from_ap({**base, **document}, CATEGORIES, LANGUAGES)


@pytest.mark.parametrize("name", CASES)
def test_both_readers_keep_a_value_at_the_limit_and_refuse_or_cut_one_over(app, ann, name):
    form, document, kept, limit, stored, over = CASES[name]
    # One character (tag, seat) over: the form refuses it beside its field, and nothing is made.
    response = submit(ann, "/events/new", event_fields(**form(limit + 1)))
    assert response.status_code == 400, name
    with app.app_context():
        assert Event.select().count() == 0
    # The ActivityPub reader cuts it to the limit, or drops what a cut would falsify.
    assert kept(read(document(limit + 1))) == (stored(limit) if over == "cut" else over), name
    # At the limit, both keep it whole.
    assert kept(read(document(limit))) == stored(limit)
    assert submit(ann, "/events/new", event_fields(**form(limit))).status_code == 302, name
    with app.app_context():
        event = Event.select().get()
        saved = {"title": event.title, "description": event.description_source, "online_url": event.online_url,
                 "external_participation_url": event.external_participation_url, "capacity": event.capacity,
                 "tags": event.tags, "links": event.links, **{field: getattr(event, field) for field in ADDRESS_MAX}}
    assert kept(saved) == stored(limit), name


def test_a_comment_of_ours_at_its_limit_is_read_whole_by_another_server_of_ours():
    """COMMENT_MAX bounds the Markdown typed here, COMMENT_HTML_MAX the HTML received: the HTML of a
    comment of the most expanding characters (email autolinks) is under the second."""
    source = ("<a@b>" * COMMENT_MAX)[:COMMENT_MAX]
    assert len(markdown_to_html(source)) < COMMENT_HTML_MAX
    note = {"type": "Note", "id": url_of(URL_MAX), "inReplyTo": "https://example.org/events/1",
            "content": markdown_to_html(source)}
    assert note_from_ap(note, None)[1] == sanitize_html(markdown_to_html(source))
    too_long = dict(note, content="<p>" + "c" * COMMENT_HTML_MAX + "</p>")
    assert note_from_ap(too_long, None)[1] == sanitize_html("<p>" + "c" * (COMMENT_HTML_MAX - 3))
    with pytest.raises(ValueError):
        note_from_ap(dict(note, id=url_of(URL_MAX + 1)), None)


def test_a_comment_whose_html_would_be_cut_elsewhere_is_refused(app, ann):
    make_event(app)
    link = f"[a]: {url_of(URL_MAX)}\n\n"
    source = link + "[a] " * ((COMMENT_MAX - len(link)) // 4)
    assert len(source) <= COMMENT_MAX and len(markdown_to_html(source)) > COMMENT_HTML_MAX
    with app.app_context():
        event = Event.get()
        response = submit(ann, f"/events/{event.uuid}/comments", {"text": source}, page=f"/events/{event.uuid}")
        assert response.status_code == 400
        assert "This comment is too long once formatted: use fewer links." in response.get_data(as_text=True)
        assert Comment.select().count() == 0


def test_a_remote_tag_whose_page_no_link_reaches_is_dropped():
    names = ("#/etc", "#.", "#..", "#a,b", "#a/../b", "#a/", "#a//b", "#jazz/blues", "#...", "#ok")
    assert read({"tag": [{"type": "Hashtag", "name": name} for name in names]})["tags"] == ["jazz/blues", "...", "ok"]
