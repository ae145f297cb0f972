"""Bad input from anywhere gives a clear 4xx, never a 500; privacy holds across identities."""
import io

import pytest
from PIL import Image

from mobilizon_lite.models import Actor, Comment, Event, Participation

from ..helpers import errors, event_fields, log_in, make_account, make_event, submit


@pytest.fixture
def site(app):
    app.testing = False  # let error handlers answer, as in production
    make_account(app)
    return app, make_event(app)


@pytest.mark.parametrize("url", [
    "/?page=²", "/?page=-1", "/?page=99999999999999999999", "/past?page=٣", "/?page=",
    "/events/x/participants?role=%00", "/@%00", "/@" + "a" * 5000, "/events/" + "x" * 3000,
    "/events/going/٣-abc/ics", "/events/going/" + "9" * 40 + "-x/ics",
    "/participation/cancel/%FF%FE", "/password/reset/" + "x" * 2000,
])
def test_odd_urls_never_give_a_500(site, url):
    app, _event = site
    assert app.test_client().get(url).status_code < 500


@pytest.mark.parametrize("url", ["/@ann%00", "/@%00", "/inbox%00", "/events/%00/ics"])
def test_a_nul_in_a_path_is_refused_before_any_query(site, url):
    app, _event = site
    assert app.test_client().get(url).status_code == 404


def test_huge_ids_in_paths_and_forms_are_4xx(site):
    app, event = site
    client = app.test_client()
    log_in(client)
    page = f"/events/{event.uuid}"
    # Beyond SQLite's integers, and beyond PostgreSQL's integer columns (2**31 - 1).
    for huge in ("9" * 25, str(2**31)):
        assert submit(client, f"{page}/participants/{huge}/approve", {}, page=page).status_code == 404
        assert client.get(f"{page}/comments/{huge}/edit").status_code == 404
    huge = "9" * 25
    for reply_to in (huge, "²", "-1", "abc"):
        response = submit(client, f"{page}/comments", {"text": "hi", "in_reply_to": reply_to}, page=page)
        assert response.status_code < 500


@pytest.mark.parametrize("day, time, zone", [
    ("9999-12-31", "23:00", "America/New_York"),
    ("0001-01-01", "01:00", "Asia/Tokyo"),
    ("1000-06-01", "12:00", "UTC"),
])
def test_extreme_dates_are_refused_clearly(site, day, time, zone):
    app, _event = site
    client = app.test_client()
    log_in(client)
    response = submit(client, "/events/new", event_fields(start_date=day, start_time=time, end_time="", timezone=zone))
    assert response.status_code == 400
    assert "Choose a year between 1900 and 2200." in errors(response)


def test_malformed_referer_keeps_the_html_error_page(site):
    app, _event = site
    response = app.test_client().get("/nope", headers={"Referer": "http://["})
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_animated_gif_bombs_are_refused_before_decoding(site):
    app, _event = site
    frames = [Image.new("P", (2000, 2000), i) for i in range(12)]
    output = io.BytesIO()
    frames[0].save(output, "GIF", save_all=True, append_images=frames[1:])
    client = app.test_client()
    log_in(client)
    response = submit(client, "/events/new", event_fields(picture=(io.BytesIO(output.getvalue()), "bomb.gif")),
                      content_type="multipart/form-data")
    assert response.status_code == 400
    assert "This picture is too large: at most 40 megapixels in all." in errors(response)


def test_participants_csv_cannot_run_formulas_and_has_no_emails(mail_app, smtp):
    make_account(mail_app)
    make_account(mail_app, "bob@example.org", "bob")
    event = make_event(mail_app, anonymous_participation=True)
    bob = mail_app.test_client()
    log_in(bob, "bob@example.org")
    with mail_app.app_context():
        bob_id = Actor.get(Actor.preferred_username == "bob").id
    submit(bob, f"/events/{event.uuid}/join", {"identity": bob_id, "message": "=HYPERLINK(\"http://evil\")"},
           page=f"/events/{event.uuid}")
    submit(mail_app.test_client(), f"/events/{event.uuid}/anonymous", {"email": "anon@example.org"},
           page=f"/events/{event.uuid}")
    organiser = mail_app.test_client()
    log_in(organiser)
    export = organiser.get(f"/events/{event.uuid}/participants.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in export and "\n=HYPERLINK" not in export and ",=HYPERLINK" not in export
    assert "anon@example.org" not in export and "bob@example.org" not in export


def test_a_private_event_never_links_two_identities(app):
    make_account(app, "ann@example.org", "ann")
    make_account(app, "bob@example.org", "bob")
    event = make_event(app, visibility="private")
    with app.app_context():
        from mobilizon_lite.services import participation
        from mobilizon_lite.services.identities import create_identity

        bob_account = Actor.get(Actor.preferred_username == "bob").account
        create_identity(bob_account, "whistle")
        participation.invite(event, Actor.get(Actor.preferred_username == "ann"), "whistle")
        bob_id = Actor.get(Actor.preferred_username == "bob").id
    client = app.test_client()
    log_in(client, "bob@example.org")
    # The account sees the event through @whistle, but cannot act on it as @bob.
    submit(client, "/identities/switch", {"identity": bob_id}, page="/")
    page = f"/events/{event.uuid}"
    assert client.get(page).status_code == 200
    assert submit(client, f"{page}/comments", {"text": "hello"}, page=page).status_code == 404
    assert submit(client, f"{page}/join", {"identity": bob_id}, page=page).status_code == 404
    with app.app_context():
        assert Comment.select().count() == 0
        assert not Participation.select().where(Participation.actor == bob_id).exists()


def test_declined_people_stay_declined(mail_app, smtp):
    make_account(mail_app)
    make_account(mail_app, "bob@example.org", "bob")
    event = make_event(mail_app)
    bob = mail_app.test_client()
    log_in(bob, "bob@example.org")
    page = f"/events/{event.uuid}"
    with mail_app.app_context():
        bob_id = Actor.get(Actor.preferred_username == "bob").id
    submit(bob, f"{page}/join", {"identity": bob_id}, page=page)
    organiser = mail_app.test_client()
    log_in(organiser)
    with mail_app.app_context():
        pid = Participation.get(Participation.actor == bob_id).id
    submit(organiser, f"{page}/participants/{pid}/reject", {}, page=page)
    assert submit(bob, f"{page}/leave", {"identity": bob_id}, page=page).status_code == 403
    assert submit(bob, f"{page}/join", {"identity": bob_id}, page=page).status_code == 403
    with mail_app.app_context():
        assert Participation.get(Participation.actor == bob_id).role == "rejected"


def test_removed_invitee_loses_the_invitation(mail_app, smtp):
    make_account(mail_app)
    make_account(mail_app, "bob@example.org", "bob")
    event = make_event(mail_app, visibility="private", join_mode="invite")
    organiser = mail_app.test_client()
    log_in(organiser)
    page, base = f"/events/{event.uuid}", f"/events/{event.uuid}/participants"
    submit(organiser, f"{page}/invite", {"username": "bob"}, page=base)
    bob = mail_app.test_client()
    log_in(bob, "bob@example.org")
    with mail_app.app_context():
        bob_id = Actor.get(Actor.preferred_username == "bob").id
    assert submit(bob, f"{page}/join", {"identity": bob_id}, page=page).status_code == 302
    with mail_app.app_context():
        pid = Participation.get(Participation.actor == bob_id).id
    assert submit(organiser, f"{base}/{pid}/remove", {}, page=base).status_code == 302
    assert bob.get(page).status_code == 404
    assert submit(bob, f"{page}/join", {"identity": bob_id}, page="/").status_code == 404


def test_co_organisers_can_edit(mail_app, smtp):
    make_account(mail_app)
    make_account(mail_app, "bob@example.org", "bob")
    submit_client = mail_app.test_client()
    log_in(submit_client)
    submit(submit_client, "/events/new", event_fields(identity="1"))
    with mail_app.app_context():
        event = Event.get()
        bob_id = Actor.get(Actor.preferred_username == "bob").id
    bob = mail_app.test_client()
    log_in(bob, "bob@example.org")
    page, base = f"/events/{event.uuid}", f"/events/{event.uuid}/participants"
    submit(bob, f"{page}/join", {"identity": bob_id}, page=page)
    assert submit(bob, f"{page}/edit", event_fields(title="Bob's now"), page=page).status_code == 403
    with mail_app.app_context():
        pid = Participation.get(Participation.actor == bob_id).id
    assert submit(submit_client, f"{base}/{pid}/promote", {}, page=base).status_code == 302
    assert submit(bob, f"{page}/edit", event_fields(title="Co-organised")).status_code == 302
    with mail_app.app_context():
        assert Event.get().title == "Co-organised"


def test_identity_that_organises_events_cannot_be_deleted(app):
    make_account(app)
    client = app.test_client()
    log_in(client)
    submit(client, "/identities/new", {"username": "club", "name": "Club"})
    make_event(app, "club")
    response = submit(client, "/identities/club/delete", {})
    assert response.status_code == 400
    assert "This identity organises events" in response.get_data(as_text=True)
    assert client.get("/@club").status_code == 200


def test_remaining_seats_can_be_hidden_and_osm_search_without_coordinates(app, client):
    make_account(app)
    hidden = make_event(app, capacity=10, show_remaining_seats=False, street="1 rue X")
    page = client.get(f"/events/{hidden.uuid}").get_data(as_text=True)
    assert "seats left" not in page
    assert "openstreetmap.org/search?query=Maison+des+associations%2C+1+rue+X%2C+Paris%2C+France" in page
