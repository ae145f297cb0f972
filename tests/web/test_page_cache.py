"""What anonymous visitors are served stays true to the data: every change shows on the next page asked
(home, past events, event page, profile), and nothing made for a logged-in person, or for one visitor,
reaches anyone else. A cache of these pages must keep every test here passing."""
from datetime import UTC, datetime, timedelta

import pytest

from mobilizon_lite import create_app
from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.models import Actor, Comment, Event

from ..federation.remote import ACTOR, EVENT_ID, remote_event, send
from ..helpers import EVENT_DAY, day_text, event_fields, log_in, make_account, make_event, submit, wait_until
from .test_anonymous import link_in
from .test_comments import post as post_comment
from .test_participation import identity_id, join
from .test_privacy import SECRET, restricted_event

# What only a logged-in person's page shows, and what only a visitor's page shows.
LOGGED_IN_MARKS = ('href="/my-events"', "Log out", "Acting as")
VISITOR_MARKS = ('href="/login"', 'href="/signup"')
FRENCH, ENGLISH = {"Accept-Language": "fr"}, {"Accept-Language": "en"}


def visit(app, url, **headers):
    """What a new anonymous visitor (a client without any cookie) gets at url."""
    return app.test_client().get(url, headers=headers)


def seen(app, url, **headers):
    """The page a new anonymous visitor reads at url (which must answer 200)."""
    response = visit(app, url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def page_of(event):
    return f"/events/{event.uuid}"


@pytest.fixture
def bob(app, ann):
    """bob's client, logged in: he takes part and comments."""
    make_account(app, "bob@example.org", "bob")
    client = app.test_client()
    log_in(client, "bob@example.org")
    return client


@pytest.fixture
def event(app, ann):
    return make_event(app)


def edit(client, event, **changes):
    """Save the event form of event with changes, as its organiser does."""
    response = submit(client, f"{page_of(event)}/edit", event_fields(**changes))
    assert response.status_code == 302, response.status_code
    return response


# Every way a page can go stale ---------------------------------------------------------------

def test_an_edit_shows_on_the_home_page_and_the_event_page(app, ann, event):
    for url in ("/", page_of(event), "/@ann"):
        assert "Repair café" in seen(app, url)
    assert "<strong>toaster</strong>" in seen(app, page_of(event))
    edit(ann, event, title="Bike kitchen", description="Bring your **bike**.",
         start_date=str(EVENT_DAY + timedelta(days=1)))
    for url in ("/", page_of(event), "/@ann"):
        page = seen(app, url)
        assert "Bike kitchen" in page and "Repair café" not in page, url
    page = seen(app, page_of(event))
    assert "<strong>bike</strong>" in page and "toaster" not in page
    assert day_text(EVENT_DAY + timedelta(days=1)) in page and "July 1" not in page


def test_a_cancellation_shows_on_the_home_page_and_the_event_page(app, ann, event):
    assert 'badge danger">Cancelled' not in seen(app, "/")
    page = seen(app, page_of(event))
    assert "This event is cancelled." not in page and "Log in to join" in page
    submit(ann, f"{page_of(event)}/cancel", {}, page=f"{page_of(event)}/cancel")
    assert 'badge danger">Cancelled' in seen(app, "/")
    page = seen(app, page_of(event))
    assert "This event is cancelled." in page and "Log in to join" not in page


def test_a_deleted_event_leaves_every_page(app, ann, event):
    for url in ("/", page_of(event), "/@ann"):
        assert "Repair café" in seen(app, url)
    response = submit(ann, f"{page_of(event)}/delete", {}, page=f"{page_of(event)}/delete")
    assert response.status_code == 302
    assert visit(app, page_of(event)).status_code == 404
    for url in ("/", "/@ann"):
        assert "Repair café" not in seen(app, url), url


def test_an_event_made_private_leaves_the_visitors_pages(app, ann, event):
    for url in ("/", page_of(event), "/@ann"):
        assert "Repair café" in seen(app, url)
    edit(ann, event, visibility="private")
    response = visit(app, page_of(event))
    assert response.status_code == 404 and "Repair café" not in response.get_data(as_text=True)
    for url in ("/", "/@ann"):
        assert "Repair café" not in seen(app, url), url
    # Not deleted: its organiser still opens it.
    mine = ann.get(page_of(event)).get_data(as_text=True)
    assert "Repair café" in mine and ">Private</span>" in mine
    assert visit(app, page_of(event)).status_code == 404  # her page is not the visitors'


def test_private_and_unlisted_events_never_reach_the_visitors_home(app, ann):
    assert "No upcoming events yet." in ann.get("/").get_data(as_text=True)
    assert "No upcoming events yet." in seen(app, "/")
    make_event(app, title="Open day")
    private = make_event(app, title="Board meeting", visibility="private")
    unlisted = make_event(app, title="Friends dinner", visibility="unlisted")
    for page in (ann.get("/").get_data(as_text=True), seen(app, "/"), seen(app, "/@ann")):
        assert "Open day" in page
        assert "Board meeting" not in page and "Friends dinner" not in page
    # The unlisted event opens by its link, the private one does not.
    assert "Friends dinner" in seen(app, page_of(unlisted))
    assert visit(app, page_of(private)).status_code == 404
    assert "Friends dinner" not in seen(app, "/")


def test_a_renamed_organiser_shows_on_the_home_page_the_event_page_and_the_profile(app, ann, event):
    assert "by ann" in seen(app, "/")
    assert 'href="/@ann">ann</a>' in seen(app, page_of(event))
    assert "<h1>ann</h1>" in seen(app, "/@ann")
    response = submit(ann, "/identities/ann/edit", {"name": "Ann Lovelace", "summary": "I **fix** things."})
    assert response.status_code == 302
    home = seen(app, "/")
    assert "by Ann Lovelace" in home and "by ann" not in home
    page = seen(app, page_of(event))
    assert 'href="/@ann">Ann Lovelace</a>' in page and 'href="/@ann">ann</a>' not in page
    profile = seen(app, "/@ann")
    assert "<h1>Ann Lovelace</h1>" in profile and "<h1>ann</h1>" not in profile
    assert "<strong>fix</strong>" in profile


def test_participants_joining_and_leaving_change_the_counts(app, bob):
    event = make_event(app, capacity=3)
    page = seen(app, page_of(event))
    assert "0 participants" in page and "3 seats left" in page
    assert join(app, bob, event, "bob").status_code == 302
    page = seen(app, page_of(event))
    assert "1 participant" in page and "2 seats left" in page
    assert "0 participants" not in page and "3 seats left" not in page
    response = submit(bob, f"{page_of(event)}/leave", {"identity": identity_id(app, "bob")}, page=page_of(event))
    assert response.status_code == 302
    page = seen(app, page_of(event))
    assert "0 participants" in page and "3 seats left" in page and "1 participant" not in page


def test_an_anonymous_participant_confirming_changes_the_count_and_keeps_the_flash(mail_app, smtp):
    make_account(mail_app)
    event = make_event(mail_app, anonymous_participation=True)
    assert "0 participants" in seen(mail_app, page_of(event))
    participant = mail_app.test_client()
    response = submit(participant, f"{page_of(event)}/anonymous", {"email": "visitor@example.org", "message": ""},
                      page=page_of(event))
    assert response.status_code == 200
    confirm = link_in(smtp.wait_for(1)[0], "/participation/confirm/")
    assert submit(participant, confirm, {}).status_code == 302
    page = seen(mail_app, page_of(event))
    assert "1 participant" in page and "0 participants" not in page
    # The confirmation is told to the one who confirmed, on their next page only.
    mine = participant.get(page_of(event)).get_data(as_text=True)
    assert "Your participation is confirmed." in mine and "1 participant" in mine
    assert "Your participation is confirmed." not in seen(mail_app, page_of(event))
    assert "Your participation is confirmed." not in participant.get(page_of(event)).get_data(as_text=True)


def test_comments_written_edited_and_deleted_show_on_the_event_page(app, bob, event):
    assert "screwdriver" not in seen(app, page_of(event))
    assert post_comment(bob, event, "Bring a **screwdriver**?").status_code == 302
    assert "<strong>screwdriver</strong>" in seen(app, page_of(event))
    with app.app_context():
        comment = Comment.get()
    url = f"{page_of(event)}/comments/{comment.id}"
    assert submit(bob, f"{url}/edit", {"text": "Bring a **hammer**?"}).status_code == 302
    page = seen(app, page_of(event))
    assert "<strong>hammer</strong>" in page and "screwdriver" not in page
    assert submit(bob, f"{url}/delete", {}, page=page_of(event)).status_code == 302
    assert "hammer" not in seen(app, page_of(event))


@pytest.fixture
def alice_key(app):
    """alice of remote.example, known to the app (which has ann): her private key, to sign activities."""
    make_account(app)
    private, public = generate_key_pair()
    with app.app_context():
        Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR, public_key_pem=public,
                     inbox=f"{ACTOR}/inbox")
    return private


def test_a_remote_event_follows_what_its_server_sends(app, alice_key):
    assert send(app, alice_key, "Create", remote_event(), 1).status_code == 202
    with app.app_context():
        url = page_of(Event.get(Event.ap_id == EVENT_ID))
    assert "Fête de quartier" in seen(app, "/") and "Fête de quartier" in seen(app, url)
    assert "Fête de quartier" not in seen(app, "/?scope=local")
    assert send(app, alice_key, "Update", remote_event(name="Fête de la musique", content="<p>Bring a drum.</p>"),
                2).status_code == 202
    for page in (seen(app, "/"), seen(app, url)):
        assert "Fête de la musique" in page and "Fête de quartier" not in page
    assert "Bring a drum." in seen(app, url)
    assert send(app, alice_key, "Delete", EVENT_ID, 3).status_code == 202
    assert "Fête de la musique" not in seen(app, "/")
    assert visit(app, url).status_code in (404, 410)


def test_a_new_follower_shows_on_the_profile(app, alice_key):
    assert "0 followers" in seen(app, "/@ann")
    assert send(app, alice_key, "Follow", "http://events.test/@ann", 1).status_code == 202
    profile = seen(app, "/@ann")
    assert "1 follower" in profile and "0 followers" not in profile and "@alice@remote.example" in profile


def test_an_admin_setting_shows_on_the_visitors_home(app):
    make_account(app, "root@example.org", "boss", admin=True)
    admin = app.test_client()
    log_in(admin, "root@example.org")
    home = seen(app, "/")
    assert "Create an account" in home and "Subscribe in my calendar" in home
    assert "Registrations are closed" not in home
    assert submit(admin, "/admin/", {"mode": "closed"}).status_code == 302  # instance feeds unticked too
    home = seen(app, "/")
    assert "Registrations are closed on this instance." in home
    assert "Create an account" not in home and "Subscribe in my calendar" not in home


def test_each_page_of_the_list_and_each_scope_is_its_own_page(tmp_path, app_config):
    app = create_app(dict(app_config, EVENTS_PER_PAGE=2), instance_path=str(tmp_path / "small-pages"))
    make_account(app)
    for day, title in ((1, "First talk"), (2, "Second talk"), (3, "Third talk")):
        make_event(app, title=title, start_date=EVENT_DAY + timedelta(days=day - 1))
    first, second = seen(app, "/"), seen(app, "/?page=2")
    assert "First talk" in first and "Second talk" in first and "Third talk" not in first
    assert "Third talk" in second and "First talk" not in second
    make_event(app, title="Opening talk", start_date=EVENT_DAY - timedelta(days=1))
    first, second = seen(app, "/"), seen(app, "/?page=2")
    assert "Opening talk" in first and "Second talk" not in first
    assert "Second talk" in second and "Third talk" in second
    assert "Opening talk" in seen(app, "/?scope=local") and "Opening talk" not in seen(app, "/?page=2&scope=local")


# Languages ------------------------------------------------------------------------------------

def test_the_same_page_comes_in_the_language_asked(app, event):
    words = {"/": ("Événements à venir", "Upcoming events"),
             page_of(event): (day_text(EVENT_DAY, "fr"), day_text(EVENT_DAY))}
    for _round in range(2):
        for url, (in_french, in_english) in words.items():
            french = seen(app, url, **FRENCH)
            assert '<html lang="fr">' in french and in_french in french and in_english not in french, url
            english = seen(app, url, **ENGLISH)
            assert '<html lang="en">' in english and in_english in english and in_french not in english, url


def test_a_visitor_who_picks_a_language_gets_it_on_the_next_pages(app, event):
    visitor = app.test_client()
    assert "Upcoming events" in visitor.get("/", headers=ENGLISH).get_data(as_text=True)
    response = submit(visitor, "/language", {"locale": "fr", "next": page_of(event)}, page=page_of(event))
    assert response.status_code == 302
    for url in (page_of(event), "/", "/@ann", "/past"):
        page = visitor.get(url, headers=ENGLISH).get_data(as_text=True)
        assert '<html lang="fr">' in page and '<html lang="en">' not in page, url
    assert "Événements à venir" in visitor.get("/", headers=ENGLISH).get_data(as_text=True)
    # Everyone else still gets the language they ask for.
    other = seen(app, "/", **ENGLISH)
    assert "Upcoming events" in other and "Événements à venir" not in other
    # Back to automatic: the browser's language again.
    assert submit(visitor, "/language", {"locale": "", "next": "/"}, page="/").status_code == 302
    page = visitor.get("/", headers=ENGLISH).get_data(as_text=True)
    assert "Upcoming events" in page and "Événements à venir" not in page


# Time -----------------------------------------------------------------------------------------

def past_section(profile):
    """The past events of a profile page ("" when it lists none)."""
    return profile.partition("<h2>Past events</h2>")[2]


def test_an_event_that_ends_leaves_the_home_page_for_the_past_events(tmp_path, app_config):
    # An instance far from UTC: the page follows the moment the event ends, not some midnight.
    app = create_app(dict(app_config, TIMEZONE="Pacific/Kiritimati"), instance_path=str(tmp_path / "kiritimati"))
    make_account(app)
    ends = datetime.now(UTC) + timedelta(seconds=3)
    starts = ends - timedelta(hours=1)
    event = make_event(app, title="Sunset walk", timezone="UTC", start_date=starts.date(),
                       start_time=starts.time(), end_date=ends.date(), end_time=ends.time())
    assert "Sunset walk" in seen(app, "/") and "Sunset walk" not in seen(app, "/past")
    page = seen(app, page_of(event))
    assert "Log in to join" in page and "This event is over." not in page
    assert "Sunset walk" not in past_section(seen(app, "/@ann"))
    assert datetime.now(UTC) < ends, "the machine was too slow to see the event before it ended"

    wait_until(lambda: "Sunset walk" not in seen(app, "/"), timeout=15, interval=0.1)
    assert datetime.now(UTC) >= ends
    assert "Sunset walk" in seen(app, "/past")
    page = seen(app, page_of(event))
    assert "This event is over." in page and "Log in to join" not in page
    assert "Sunset walk" in past_section(seen(app, "/@ann"))


# Privacy --------------------------------------------------------------------------------------

def marks(page, wanted):
    return [mark for mark in wanted if mark in page]


def test_a_visitor_right_after_the_organiser_gets_no_trace_of_her(app, ann, event):
    edit_link = f'href="{page_of(event)}/edit"'
    for url in ("/", page_of(event), "/@ann", "/past"):
        hers = ann.get(url).get_data(as_text=True)
        assert marks(hers, LOGGED_IN_MARKS) == list(LOGGED_IN_MARKS) and not marks(hers, VISITOR_MARKS), url
        if url == page_of(event):
            assert edit_link in hers
        page = seen(app, url)
        assert not marks(page, LOGGED_IN_MARKS) and marks(page, VISITOR_MARKS) == list(VISITOR_MARKS), url
        assert edit_link not in page and "ann@example.org" not in page


def test_a_logged_in_person_right_after_a_visitor_gets_their_own_page(app, ann, bob, event):
    edit_link = f'href="{page_of(event)}/edit"'
    for url in ("/", page_of(event), "/@ann", "/past"):
        page = seen(app, url)
        assert marks(page, VISITOR_MARKS) == list(VISITOR_MARKS), url
        hers = ann.get(url)
        assert hers.headers["Cache-Control"] == "no-store", url
        hers = hers.get_data(as_text=True)
        assert marks(hers, LOGGED_IN_MARKS) == list(LOGGED_IN_MARKS) and not marks(hers, VISITOR_MARKS), url
        assert "ann (@ann)" in hers
        # Another logged-in person right after gets their own page, not hers.
        his = bob.get(url).get_data(as_text=True)
        assert "bob (@bob)" in his and "ann (@ann)" not in his and edit_link not in his, url
    assert edit_link in ann.get(page_of(event)).get_data(as_text=True)


def test_the_online_address_of_a_restricted_event_stays_with_its_participants(app):
    event = restricted_event(app)  # cat takes part, bob waits for approval
    cat = app.test_client()
    log_in(cat, "cat@example.org")
    for _round in range(2):
        assert SECRET in cat.get(page_of(event)).get_data(as_text=True)
        assert SECRET not in seen(app, page_of(event))
        assert SECRET not in seen(app, page_of(event), **FRENCH)
    assert SECRET in cat.get(page_of(event)).get_data(as_text=True)


def test_the_organisers_flash_messages_stay_in_her_pages(app, ann, event):
    saved = "The event is saved."
    edit(ann, event, title="Bike kitchen")  # the message waits in her session for her next page
    for url in ("/", page_of(event)):
        assert saved not in seen(app, url)
    assert saved in ann.get(page_of(event)).get_data(as_text=True)
    assert saved not in seen(app, page_of(event)) and saved not in ann.get("/").get_data(as_text=True)


def test_a_visitors_flash_messages_reach_only_that_visitor(app, ann):
    logged_out = "You are logged out."
    assert logged_out not in seen(app, "/")
    response = submit(ann, "/logout", {}, page="/")
    assert response.status_code == 302
    page = ann.get("/").get_data(as_text=True)  # now a visitor, with a message in her session
    assert logged_out in page and marks(page, VISITOR_MARKS) == list(VISITOR_MARKS)
    assert logged_out not in seen(app, "/")
    assert logged_out not in ann.get("/").get_data(as_text=True)
    # Another visitor's message: asking a page for logged-in people.
    stranger = app.test_client()
    assert stranger.get("/my-events").status_code == 302
    assert "Please log in to see this page." not in seen(app, "/")
    assert "Please log in to see this page." in stranger.get("/").get_data(as_text=True)
    assert "Please log in to see this page." not in seen(app, "/")


# Conditional requests (the cache gives them) -------------------------------------------------

def conditional(app, url, etag, **headers):
    return app.test_client().get(url, headers={"If-None-Match": etag, **headers})


def test_an_unchanged_page_answers_304_without_a_body(app, event):
    for url in ("/", page_of(event), "/@ann"):
        first = visit(app, url)
        etag = first.headers.get("ETag")
        assert etag, url
        again = conditional(app, url, etag)
        assert again.status_code == 304 and again.get_data() == b"", url
        assert again.headers.get("ETag") == etag


def test_a_changed_page_gets_a_new_etag(app, ann, bob, event):
    changes = [
        lambda: edit(ann, event, title="Bike kitchen"),
        lambda: join(app, bob, event, "bob"),
        lambda: post_comment(bob, event, "On my way"),
        lambda: submit(ann, "/identities/ann/edit", {"name": "Ann Lovelace", "summary": ""}),
    ]
    shown = ["Bike kitchen", "1 participant", "On my way", "Ann Lovelace"]
    for change, text in zip(changes, shown, strict=True):
        etag = visit(app, page_of(event)).headers.get("ETag")
        assert etag
        assert change().status_code == 302
        response = conditional(app, page_of(event), etag)
        assert response.status_code == 200 and text in response.get_data(as_text=True), text
        assert response.headers.get("ETag") not in (None, etag), text
    home_etag = visit(app, "/").headers.get("ETag")
    edit(ann, event, title="Repair evening")
    response = conditional(app, "/", home_etag)
    assert response.status_code == 200 and "Repair evening" in response.get_data(as_text=True)


def test_an_etag_from_before_an_event_ended_is_not_honoured_after(app, ann):
    ends = datetime.now(UTC) + timedelta(seconds=3)
    starts = ends - timedelta(hours=1)
    make_event(app, title="Sunset walk", timezone="UTC", start_date=starts.date(), start_time=starts.time(),
               end_date=ends.date(), end_time=ends.time())
    etag = visit(app, "/").headers.get("ETag")
    assert etag and datetime.now(UTC) < ends
    response = wait_until(lambda: (r := conditional(app, "/", etag)).status_code != 304 and r, timeout=15,
                          interval=0.1)
    assert response.status_code == 200 and "Sunset walk" not in response.get_data(as_text=True)


def test_the_etag_of_one_language_does_not_answer_for_another(app, event):
    english = visit(app, page_of(event), **ENGLISH)
    assert english.headers.get("ETag")
    french = conditional(app, page_of(event), english.headers["ETag"], **FRENCH)
    assert french.status_code == 200 and day_text(EVENT_DAY, "fr") in french.get_data(as_text=True)


def test_visitors_get_no_cookie(app, event):
    for url in ("/", "/past", page_of(event), "/@ann"):
        response = visit(app, url)
        assert response.status_code == 200 and "Set-Cookie" not in response.headers, url
        assert "ETag" in response.headers, url


def test_a_logged_in_person_is_never_answered_304_to_a_visitors_etag(app, ann, event):
    for url in ("/", page_of(event), "/@ann"):
        etag = visit(app, url).headers.get("ETag")
        assert etag, url
        response = ann.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", url
        assert 'href="/my-events"' in response.get_data(as_text=True), url
