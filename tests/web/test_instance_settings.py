"""The instance settings page: every setting checked before anything is stored, each one's effect on the
site, and its line in the moderation log."""
import pytest

from mobilizon_lite.models import Account, Setting
from mobilizon_lite.models.moderation import ModerationLog
from mobilizon_lite.services import instance

from ..calendar_readers import parse_both
from ..helpers import errors, log_in, make_account, make_event, staff_clients, submit

SETTINGS = {
    "name": "Repair Network", "short_description": "Repair cafés around Lyon.",
    "long_description": "We **fix** things.", "rules": "1. Be kind.", "contact_email": "Hello@Repair.example.org",
    "terms": "", "privacy": "", "default_language": "en", "default_timezone": "Europe/Paris", "mode": "open",
    "allowed_domains": "", "anonymous_participation": "y", "instance_feeds": "y",
}
SIGNUP = {"password": "correct horse battery", "confirm": "correct horse battery", "name": "", "accept": "y"}


def save(admin, **changes):
    return submit(admin, "/admin/", dict(SETTINGS, **changes))


def stored(app):
    with app.app_context():
        return {row.key: row.value for row in Setting.select()}


def log_lines(app):
    with app.app_context():
        return [(line.action, line.target_label, line.moderator_id) for line in ModerationLog.select()]


def signup(app, email, username):
    return submit(app.test_client(), "/signup", dict(SIGNUP, email=email, username=username))


def test_the_settings_are_saved_shown_again_and_logged(app, admin):
    response = save(admin)
    assert response.status_code == 302
    page = admin.get("/admin/").get_data(as_text=True)
    assert 'value="Repair Network"' in page and "We **fix** things." in page
    assert 'value="hello@repair.example.org"' in page  # stored normalised
    settings = stored(app)
    assert settings["long_description_html"] == "<p>We <strong>fix</strong> things.</p>"
    with app.app_context():
        boss = Account.get(Account.email == "root@example.org")
    [(action, label, moderator)] = log_lines(app)
    assert action == "settings_changed" and moderator == boss.id
    assert "name" in label and "default_timezone" in label and "mode" not in label
    # Saving the same values again changes nothing and writes no line.
    assert save(admin).status_code == 302
    assert "Nothing has changed." in admin.get("/admin/").get_data(as_text=True)
    assert len(log_lines(app)) == 1


@pytest.mark.parametrize("change, field_message", [
    ({"contact_email": "not an address"}, "This is not a valid email address."),
    ({"default_timezone": "Mars/Olympus_Mons"}, "This is not a known time zone (such as Europe/Paris)."),
    ({"default_language": "xx"}, "Choose one of the languages this instance speaks."),
    ({"mode": "allowlist", "allowed_domains": "good.org, not_a domain!"},
     "not_a is not a domain name (such as example.org)."),
    ({"mode": "allowlist", "allowed_domains": "good.org, bad..org"},
     "bad..org is not a domain name (such as example.org)."),
    ({"mode": "allowlist", "allowed_domains": ""}, "List the email domains whose addresses may sign up."),
    ({"name": "n" * 101}, "At most 100 characters."),
    ({"rules": "r" * 20_001}, "At most 20000 characters."),
])
def test_bad_settings_are_refused_beside_their_field_and_nothing_is_saved(app, admin, change, field_message):
    response = save(admin, **change)
    assert response.status_code == 400
    assert field_message in errors(response)
    # Nothing is half-written: not even the valid fields sent with the wrong one.
    assert stored(app) == {} and log_lines(app) == []
    assert "Repair Network" not in admin.get("/about").get_data(as_text=True)


def test_moderators_cannot_change_the_settings(app):
    moderator = staff_clients(app)["moderator"]
    assert moderator.get("/admin/").status_code == 403
    assert moderator.post("/admin/", data=SETTINGS).status_code in (400, 403)
    assert stored(app) == {}


def test_an_allowlist_takes_only_addresses_at_its_domains(app, admin):
    assert save(admin, mode="allowlist", allowed_domains="@Asso.example.org  partner.example.net").status_code == 302
    with app.app_context():
        assert instance.allowed_domains() == ["asso.example.org", "partner.example.net"]
    page = app.test_client().get("/signup").get_data(as_text=True)
    assert "limited to addresses at asso.example.org, partner.example.net" in page
    refused = signup(app, "eve@elsewhere.example.org", "eve")
    assert refused.status_code == 400
    assert ("Sign-up on this instance is limited to addresses at asso.example.org, partner.example.net."
            in errors(refused))
    # A subdomain is another domain.
    assert signup(app, "eve@mail.asso.example.org", "eve").status_code == 400
    accepted = signup(app, "Zoe@ASSO.example.org", "zoe")
    assert accepted.status_code == 200 and "Check your inbox" in accepted.get_data(as_text=True)
    with app.app_context():
        assert [a.email for a in Account.select().order_by(Account.id)] == ["root@example.org", "zoe@asso.example.org"]


def test_turning_anonymous_participation_off_removes_the_visitors_form_and_refuses_its_post(app, admin):
    make_account(app)
    event = make_event(app, anonymous_participation=True)
    path = f"/events/{event.uuid}"
    visitor = app.test_client()
    assert "Join without an account" in visitor.get(path).get_data(as_text=True)
    assert save(admin, anonymous_participation="").status_code == 302
    assert "Join without an account" not in visitor.get(path).get_data(as_text=True)
    response = visitor.post(f"{path}/anonymous", data={"email": "visitor@example.org", "message": ""})
    assert response.status_code == 403
    assert "This event cannot be joined without an account." in response.get_data(as_text=True)
    assert save(admin).status_code == 302
    assert "Join without an account" in visitor.get(path).get_data(as_text=True)


def test_the_default_language_is_for_browsers_that_ask_for_none_we_speak(app, admin):
    assert '<html lang="en">' in app.test_client().get("/").get_data(as_text=True)
    assert save(admin, default_language="fr").status_code == 302
    visitor = app.test_client()
    assert '<html lang="fr">' in visitor.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in visitor.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    # The browser's own choice still wins.
    assert '<html lang="en">' in visitor.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_default_time_zone_is_proposed_for_new_events(app, admin):
    assert save(admin, default_timezone="America/Montreal").status_code == 302
    form = admin.get("/events/new").get_data(as_text=True)
    assert '<option selected value="America/Montreal">' in form or 'value="America/Montreal" selected' in form


def test_turning_instance_feeds_off_answers_404(app, admin):
    assert app.test_client().get("/feed/instance/ics").status_code == 200
    assert save(admin, instance_feeds="").status_code == 302
    assert app.test_client().get("/feed/instance/ics").status_code == 404


def test_a_renamed_instance_is_named_so_in_its_emails_and_feeds(mail_app, smtp):
    make_account(mail_app, "root@example.org", "boss", admin=True)
    admin = mail_app.test_client()
    log_in(admin, "root@example.org")
    feed = admin.get("/feed/instance/ics")
    assert save(admin).status_code == 302
    submit(mail_app.test_client(), "/signup", dict(SIGNUP, email="amy@example.org", username="amy"))
    [message] = smtp.wait_for(1)
    assert message["Subject"] == "Confirm your account on Repair Network"
    renamed = admin.get("/feed/instance/ics", headers={"If-None-Match": feed.headers["ETag"]})
    assert renamed.status_code == 200  # a calendar app's copy under the old name is out of date
    by_icalendar, by_vobject = parse_both(renamed.data)
    assert str(by_icalendar["X-WR-CALNAME"]) == by_vobject.x_wr_calname.value == "Repair Network"
