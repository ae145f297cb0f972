"""A group's setting "show which member created each group event": shown by default as in Mobilizon;
when hidden, the event's page and the cards of listings name the group only, but for the group's
moderators, who manage its events; the event's document keeps Mobilizon's actor and attributedTo."""
import sqlite3

import pytest

from mobilizon_lite import create_app
from mobilizon_lite.migrations import STEPS, _group_hide_creator
from mobilizon_lite.models import Actor, Member
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import groups

from ..helpers import errors, log_in, make_account, make_event, submit
from . import test_group_events
from .test_group_events import AP_ACCEPT, actor, client_of
from .test_groups import group_fields

CREATED_BY_BOB = 'created by <a href="/@bob">'
SHOWN = 'checked id="show_event_creator"'
HIDDEN = '"show_event_creator-help" id="show_event_creator"'

# ann administers @club ("Repair club"), bob moderates it, dan is a plain member, eve is not in it.
club = test_group_events.club


def hide_creator(app, club, hidden=True):
    with app.app_context():
        return groups.update_group(club, actor(app, "ann"), club.name, club.summary_source, club.visibility,
                                   club.openness, club.manually_approves_followers, club.address,
                                   hide_event_creator=hidden)


def test_the_creator_is_shown_by_default(app, club):
    assert not actor(app, "club").hide_event_creator
    event = make_event(app, "bob", group=club)
    page = app.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Organised by the group" in page and CREATED_BY_BOB in page


def test_other_settings_leave_the_creator_setting_as_it_is(app, club):
    hide_creator(app, club)
    with app.app_context():
        groups.update_group(actor(app, "club"), actor(app, "ann"), "Repair club 2", "", club.visibility,
                            club.openness, False, {})
    assert actor(app, "club").hide_event_creator


def test_administrators_hide_and_show_the_creator_in_the_settings(app, club):
    ann = client_of(app, "ann@example.org")
    settings = ann.get("/@club/settings").get_data(as_text=True)
    assert "Show which member created each group event" in settings
    assert SHOWN in settings
    fields = group_fields(name="Repair club", visibility=club.visibility, openness=club.openness)
    response = submit(ann, "/@club/settings", fields)
    assert response.status_code == 302, errors(response)
    assert actor(app, "club").hide_event_creator
    assert HIDDEN in ann.get("/@club/settings").get_data(as_text=True)
    assert submit(ann, "/@club/settings", dict(fields, show_event_creator="y")).status_code == 302
    assert not actor(app, "club").hide_event_creator


def test_a_new_group_can_hide_the_creator_from_the_start(app, club):
    ann = client_of(app, "ann@example.org")
    assert SHOWN in ann.get("/groups/new").get_data(as_text=True)
    response = submit(ann, "/groups/new", group_fields(identity=str(actor(app, "ann").id), username="quiet"))
    assert response.status_code == 302, errors(response)
    assert actor(app, "quiet").hide_event_creator


def test_hidden_the_page_names_the_group_only_to_visitors_members_and_others(app, club):
    event = make_event(app, "bob", group=club)
    hide_creator(app, club)
    for client in (app.test_client(), client_of(app, "dan@example.org"), client_of(app, "eve@example.org")):
        page = client.get(f"/events/{event.uuid}").get_data(as_text=True)
        assert 'href="/@club">Repair club</a>' in page and "Organised by the group" in page
        assert "created by" not in page and "/@bob" not in page


def test_a_visitor_s_kept_page_follows_the_setting(app, club):
    event = make_event(app, "bob", group=club)
    visitor = app.test_client()
    assert CREATED_BY_BOB in visitor.get(f"/events/{event.uuid}").get_data(as_text=True)
    hide_creator(app, club)
    assert "created by" not in visitor.get(f"/events/{event.uuid}").get_data(as_text=True)
    hide_creator(app, club, hidden=False)
    assert CREATED_BY_BOB in visitor.get(f"/events/{event.uuid}").get_data(as_text=True)


@pytest.mark.parametrize("email", ["ann@example.org", "bob@example.org"])
def test_hidden_the_group_s_moderators_still_see_who_created_it(app, club, email):
    event = make_event(app, "bob", group=club)
    hide_creator(app, club)
    client = client_of(app, email)
    assert CREATED_BY_BOB in client.get(f"/events/{event.uuid}").get_data(as_text=True)
    participants = client.get(f"/events/{event.uuid}/participants")
    assert participants.status_code == 200 and "@bob" in participants.get_data(as_text=True)


def test_hidden_the_document_keeps_mobilizon_s_actor_and_attributed_to(app, club):
    # Mobilizon's hide_organizer_when_group_event changes its pages only: the Event keeps its actor.
    event = make_event(app, "bob", group=club)
    hide_creator(app, club)
    document = app.test_client().get(f"/events/{event.uuid}", headers=AP_ACCEPT).get_json()
    assert document["attributedTo"] == club.ap_id and document["actor"] == actor(app, "bob").ap_id


@pytest.mark.parametrize("path", ["/", "/@club", "/@club/events", "/search?q=Repair"])
@pytest.mark.parametrize("hidden", [False, True])
def test_cards_name_the_group_as_organiser(app, club, path, hidden):
    make_event(app, "bob", group=club)
    make_event(app, "eve", title="Repair party")
    hide_creator(app, club, hidden)
    page = app.test_client().get(path).get_data(as_text=True)
    assert "by Repair club" in page and "by bob" not in page
    if path != "/@club" and path != "/@club/events":
        assert "by eve" in page


def test_the_creator_s_profile_lists_the_group_event_only_when_the_group_shows_who_created_it(app, club):
    make_event(app, "bob", group=club, title="Club meeting")
    make_event(app, "bob", title="Own event of bob")
    visitor = app.test_client()
    page = visitor.get("/@bob").get_data(as_text=True)
    assert "Club meeting" in page and "Own event of bob" in page
    hide_creator(app, club)
    page = visitor.get("/@bob").get_data(as_text=True)
    assert "Club meeting" not in page and "Own event of bob" in page


def test_a_group_event_created_by_a_plain_member_turned_moderator_follows_the_roles(app, club):
    # dan created nothing; once made moderator he manages the group's events and sees their creator.
    event = make_event(app, "bob", group=club)
    hide_creator(app, club)
    dan = client_of(app, "dan@example.org")
    assert "created by" not in dan.get(f"/events/{event.uuid}").get_data(as_text=True)
    with app.app_context():
        Member.update(role=Role.MODERATOR).where(Member.actor == actor(app, "dan")).execute()
    assert CREATED_BY_BOB in dan.get(f"/events/{event.uuid}").get_data(as_text=True)


def test_the_migration_adds_the_setting_shown_for_existing_groups(tmp_path, app_config):
    # An SQLite file an earlier release left (a PostgreSQL database starts at the latest step).
    config = dict(app_config, DATABASE=str(tmp_path / "old.sqlite3"), DATABASE_URL="")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    make_account(app)
    client = app.test_client()
    log_in(client)
    assert submit(client, "/groups/new", group_fields(identity="1", show_event_creator="y")).status_code == 302
    with sqlite3.connect(config["DATABASE"]) as db:
        # As the release before the setting left it: the column absent, the schema one step back.
        db.execute("ALTER TABLE actor DROP COLUMN hide_event_creator")
        db.execute(f"PRAGMA user_version = {STEPS.index(_group_hide_creator)}")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    with app.app_context():
        assert Actor.get(Actor.preferred_username == "club").hide_event_creator is False
    with sqlite3.connect(config["DATABASE"]) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (len(STEPS),)
