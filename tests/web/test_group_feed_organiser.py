"""Feeds name a group's event by its group, as Mobilizon's do, never by the member who created it; an
identity's feed leaves out the events of groups that hide who created them, as its page does."""
import feedparser
import icalendar
import pytest

from mobilizon_lite.models import Account, Event
from mobilizon_lite.services import subscriptions

from ..helpers import make_event
from . import test_group_events
from .test_group_event_creator import hide_creator
from .test_group_events import actor

# ann administers @club ("Repair club"), bob moderates it, dan is a plain member, eve is not in it.
club = test_group_events.club

GROUP_URL = "http://events.test/@club"
BOB_URL = "http://events.test/@bob"


def organizers(body):
    """SUMMARY -> (ORGANIZER, its CN) of each VEVENT of a calendar, read by icalendar."""
    return {str(vevent["SUMMARY"]): (str(vevent["ORGANIZER"]), str(vevent["ORGANIZER"].params["CN"]))
            for vevent in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def authors(body):
    """title -> (author name, author uri) of each Atom entry, read by feedparser."""
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return {entry.title: (entry.author_detail.name, entry.author_detail.href) for entry in parsed.entries}


@pytest.fixture
def events(app, club):
    """bob's event as the group @club, and his own picnic."""
    return make_event(app, "bob", group=club, title="Repair café"), make_event(app, "bob", title="Picnic")


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("path", ["/@club/feed/ics", "/feed/instance/ics"])
def test_calendars_name_the_group_as_organiser_of_its_events(app, club, events, hidden, path):
    hide_creator(app, club, hidden)
    found = organizers(app.test_client().get(path).data)
    assert found["Repair café"] == (GROUP_URL, "Repair club")
    if path == "/feed/instance/ics":
        assert found["Picnic"] == (BOB_URL, "bob")


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("path", ["/@club/feed/atom", "/feed/instance/atom"])
def test_atom_feeds_name_the_group_as_author_of_its_events(app, club, events, hidden, path):
    hide_creator(app, club, hidden)
    body = app.test_client().get(path).data
    found = authors(body)
    assert found["Repair café"] == ("Repair club", GROUP_URL)
    if path == "/@club/feed/atom":
        assert b"bob" not in body
    else:
        assert found["Picnic"] == ("bob", BOB_URL)


def test_the_event_calendar_download_names_the_group(app, club, events):
    group_event, _picnic = events
    body = app.test_client().get(f"/events/{group_event.uuid}/export/ics").data
    assert organizers(body) == {"Repair café": (GROUP_URL, "Repair club")}


def test_the_private_feed_names_the_group(app, club, events):
    with app.app_context():
        token = subscriptions.token_text(subscriptions.issue_token(Account.get(Account.email == "bob@example.org")))
    client = app.test_client()
    assert organizers(client.get(f"/events/going/{token}/ics").data)["Repair café"] == (GROUP_URL, "Repair club")
    assert authors(client.get(f"/events/going/{token}/atom").data)["Repair café"] == ("Repair club", GROUP_URL)


def test_the_identity_feeds_leave_out_the_group_events_whose_creator_is_hidden(app, club, events):
    client = app.test_client()
    assert organizers(client.get("/@bob/feed/ics").data) == {
        "Repair café": (GROUP_URL, "Repair club"), "Picnic": (BOB_URL, "bob")}
    assert set(authors(client.get("/@bob/feed/atom").data)) == {"Repair café", "Picnic"}
    hide_creator(app, club)
    assert set(organizers(client.get("/@bob/feed/ics").data)) == {"Picnic"}
    assert set(authors(client.get("/@bob/feed/atom").data)) == {"Picnic"}


@pytest.mark.parametrize("path", ["/@club/feed/ics", "/@club/feed/atom", "/feed/instance/ics",
                                  "/feed/instance/atom", "/@bob/feed/ics", "/@bob/feed/atom"])
def test_feeds_go_stale_when_the_group_changes(app, club, events, path):
    client = app.test_client()
    first = client.get(path)
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    hide_creator(app, club)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]


def test_a_renamed_group_is_named_anew_in_the_instance_feeds(app, club, events):
    client = app.test_client()
    assert organizers(client.get("/feed/instance/ics").data)["Repair café"][1] == "Repair club"
    with app.app_context():
        from mobilizon_lite.services import groups

        groups.update_group(actor(app, "club"), actor(app, "ann"), "Mending club", club.summary_source,
                            club.visibility, club.openness, False, club.address)
        assert Event.get(Event.title == "Repair café").attributed_to.name == "Mending club"
    assert organizers(client.get("/feed/instance/ics").data)["Repair café"] == (GROUP_URL, "Mending club")
    assert authors(client.get("/feed/instance/atom").data)["Repair café"] == ("Mending club", GROUP_URL)


def _statements(app, caplog, path):
    """How many SQL statements peewee runs to build the feed at path (from an empty feed cache)."""
    app.extensions["feed_cache"].entries.clear()
    caplog.clear()
    with caplog.at_level("DEBUG", logger="peewee"):
        assert app.test_client().get(path).status_code == 200
    return sum(record.name == "peewee" for record in caplog.records)


@pytest.mark.parametrize("path", ["/feed/instance/ics", "/feed/instance/atom"])
def test_the_groups_come_with_the_rows_not_one_query_each(app, club, caplog, path):
    make_event(app, "bob", group=club, title="First")
    one = _statements(app, caplog, path)
    for number in range(3):
        make_event(app, "bob", group=club, title=f"More {number}")
    assert _statements(app, caplog, path) == one > 0
