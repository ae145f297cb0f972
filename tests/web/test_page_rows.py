"""Pages built from light rows: the participants page and My events in pages, dates written in each
reader's language, and an event page whose SQL does not grow with the account's identities."""
import re
from datetime import date, timedelta

from flask_babel import force_locale

from mobilizon_lite.dates import event_day, event_when
from mobilizon_lite.models import Actor, Event
from mobilizon_lite.services import comments, identities, participation
from mobilizon_lite.web.events import MY_EVENTS_PER_GROUP
from mobilizon_lite.web.participation import PARTICIPANTS_PER_PAGE

from ..helpers import EVENT_DAY, day_text, log_in, make_account, make_event, page_statements, submit

FORMACTION_RE = re.compile(r'formaction="([^"]+)"')


def crowd(app, event, count):
    """count identities of one account (crowd@example.org) that join event; returns their ids."""
    account = make_account(app, "crowd@example.org", "crowd")
    with app.app_context():
        joined = [Actor.get(Actor.preferred_username == "crowd")]
        joined += [identities.create_identity(account, f"crowd_{number}") for number in range(count - 1)]
        on = Event.get_by_id(event.id)
        for identity in joined:
            participation.join(on, identity)
        return [identity.id for identity in joined]


def test_participants_come_in_pages_whose_buttons_each_post_their_decision(app):
    make_account(app)
    event = make_event(app)
    crowd(app, event, PARTICIPANTS_PER_PAGE + 2)  # with the organiser: two pages, the second of three rows
    client = app.test_client()
    log_in(client)
    base = f"/events/{event.uuid}/participants"
    first = client.get(base).get_data(as_text=True)
    assert first.count("<tr>") - 1 == PARTICIPANTS_PER_PAGE  # less the heading row
    table = first.split('<form method="post" id="decisions">', 1)[1].split("</form>", 1)[0]
    assert table.count('name="csrf_token"') == 1 and table.count("<form") == 0  # one form for every button
    assert f'href="{base}?page=2"' in first and "page=0" not in first
    second = client.get(base + "?page=2").get_data(as_text=True)
    assert second.count("<tr>") - 1 == 3
    assert f'href="{base}?page=1"' in second and "?page=3" not in second
    assert "@crowd_50" in second and "@crowd_50" not in first
    filtered = client.get(base + "?role=participant").get_data(as_text=True)
    assert f'href="{base}?role=participant&amp;page=2"' in filtered

    removal = next(url for url in FORMACTION_RE.findall(second) if url.endswith("/remove"))
    assert submit(client, removal, {}, page=base + "?page=2").status_code == 302
    assert client.get(base + "?page=2").get_data(as_text=True).count("<tr>") - 1 == 2


def test_my_events_shows_what_is_not_over_in_pages_and_the_past_apart(app):
    make_account(app)
    for number in range(MY_EVENTS_PER_GROUP + 1):
        make_event(app, title=f"Soon {number:02d}", start_date=EVENT_DAY + timedelta(days=number % 28))
    make_event(app, title="Long ago", start_date=date(2020, 5, 1))
    client = app.test_client()
    log_in(client)
    first = client.get("/my-events").get_data(as_text=True)
    assert first.count("Soon ") == MY_EVENTS_PER_GROUP and "Long ago" not in first
    assert first.index("Soon 00") < first.index("Soon 01")  # soonest first
    assert 'href="/my-events?page=2"' in first
    second = client.get("/my-events?page=2").get_data(as_text=True)
    assert second.count("Soon ") == 1 and 'href="/my-events?page=1"' in second
    past = client.get("/my-events?past=1").get_data(as_text=True)
    assert "Long ago" in past and "Soon " not in past and "page=2" not in past


def test_dates_are_written_in_each_readers_language(app):
    make_account(app)
    event = make_event(app, start_date=EVENT_DAY)
    with app.app_context():
        comments.comment_on(Event.get_by_id(event.id), Actor.get(Actor.preferred_username == "ann"), "Hello")
    client = app.test_client()
    path = f"/events/{event.uuid}"
    # Asked in turn, each language gets its own text, never one kept for the other.
    for _round in range(2):
        french = client.get(path, headers={"Accept-Language": "fr"}).get_data(as_text=True)
        english = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert day_text(EVENT_DAY, "fr") in french and day_text(EVENT_DAY) not in french
        assert day_text(EVENT_DAY) in english and "juillet" not in english
        # The card's date block: the day, then the month (and its year, when not this one).
        assert '<span class="month">juil.' in client.get(
            "/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
        assert '<span class="month">Jul' in client.get(
            "/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def statements(client, path):
    """How many SQL statements the page at path runs (after a first visit)."""
    return page_statements(client, path)[0]


def test_event_page_statements_do_not_grow_with_the_accounts_identities(app):
    account = make_account(app)
    event = make_event(app)
    client = app.test_client()
    log_in(client)
    path = f"/events/{event.uuid}"
    one = statements(client, path)
    with app.app_context():
        for number in range(3):
            identities.create_identity(account, f"ann_{number}")
    assert statements(client, path) == one
    assert one <= 7


def test_cards_fill_each_translated_phrase_with_escaped_names(app):
    make_account(app)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        identities.update_identity(ann, "<b>Ann</b> & co", "")
    make_event(app, title="Choir")
    client = app.test_client()
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    french = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "by &lt;b&gt;Ann&lt;/b&gt; &amp; co" in english and "<b>Ann" not in english
    assert "par &lt;b&gt;Ann&lt;/b&gt; &amp; co" in french


def test_dates_follow_the_language_in_force_within_one_request(app):
    """A request that writes a page and emails (each in its reader's language) writes each in its own."""
    make_account(app)
    event = make_event(app, start_date=EVENT_DAY)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        on = Event.get_by_id(event.id)
        english = event_when(on)
        with force_locale("fr"):
            assert day_text(EVENT_DAY, "fr") in event_when(on) and f"1 juil. {EVENT_DAY.year}" in event_day(on)
        assert event_when(on) == english and day_text(EVENT_DAY) in english
