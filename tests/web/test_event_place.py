"""The event form's town turned into coordinates by the bundled gazetteer: found, chosen among several
towns of a name, unknown (saved without), kept while editing, then found by a search near the town."""
import re

import pytest

from mobilizon_lite.models import Actor, Event
from mobilizon_lite.services import events
from mobilizon_lite.services.errors import InvalidFields

from ..helpers import errors, event_fields, make_account, make_event, service_fields, submit

LYON = (45.74906, 4.84789)  # the gazetteer's, the town's centre
PARIS_TEXAS = (33.66094, -95.55551)
RADIO_RE = re.compile(r'<input (?:checked )?id="town_choice-\d+" name="town_choice" type="radio" value="(\d+)">\s*'
                      r'<label for="town_choice-\d+">([^<]+)</label>')


def new_event(client, **fields):
    return submit(client, "/events/new", event_fields(**fields))


def the_event(app):
    with app.app_context():
        return Event.get()


def event_count(app):
    with app.app_context():
        return Event.select().count()


def coordinates(app):
    event = the_event(app)
    return event.latitude, event.longitude


def near(position, expected):
    return all(abs(got - want) < 1e-4 for got, want in zip(position, expected, strict=True))


def test_no_latitude_or_longitude_to_type(ann):
    page = ann.get("/events/new").get_data(as_text=True)
    assert 'name="locality"' in page and 'name="find_town"' in page
    assert 'name="latitude"' not in page and 'name="longitude"' not in page
    assert "at the centre of this one" in page


def test_a_typed_town_gives_the_event_its_coordinates(app, ann):
    response = new_event(ann, locality="Lyon", country="France")
    assert response.status_code == 302, errors(response)
    assert near(coordinates(app), LYON)
    # What was typed stays as typed.
    assert the_event(app).locality == "Lyon"


def test_a_town_without_its_accents_or_case_is_found(app, ann):
    assert new_event(ann, locality="MONTREAL", country="").status_code == 302
    latitude, longitude = coordinates(app)
    assert round(latitude, 2) == 45.51 and round(longitude, 2) == -73.59


def test_the_country_chooses_among_towns_of_a_name_in_any_language_we_know(app, ann):
    assert new_event(ann, locality="Paris", country="États-Unis").status_code == 302
    assert near(coordinates(app), PARIS_TEXAS)


def test_several_towns_of_a_name_are_offered_and_the_one_chosen_is_saved(app, ann):
    fields = event_fields(locality="Saint-Denis", country="", title="Fête de quartier")
    response = submit(ann, "/events/new", fields)
    assert response.status_code == 400
    assert errors(response) == ["Several towns are called “Saint-Denis”: choose yours under “Where”, then save again."]
    page = response.get_data(as_text=True)
    offered = RADIO_RE.findall(page)
    assert [label for _id, label in offered] == ["Saint-Denis, Réunion (154,765 inhabitants)",
                                                 "Saint-Denis, Île-de-France, France (96,128 inhabitants)"]
    # The most populous is checked until another is; nothing typed is lost.
    assert f'checked id="town_choice-0" name="town_choice" type="radio" value="{offered[0][0]}"' in page
    assert 'value="Fête de quartier"' in page and 'value="75001"' in page
    assert event_count(app) == 0
    chosen = offered[1][0]
    response = submit(ann, "/events/new", dict(fields, town_choice=chosen))
    assert response.status_code == 302, errors(response)
    latitude, longitude = coordinates(app)
    assert round(latitude, 2) == 48.94 and round(longitude, 2) == 2.35


def test_a_choice_made_for_another_town_asks_again(app, ann):
    fields = event_fields(locality="Paris", country="")
    chosen = RADIO_RE.findall(submit(ann, "/events/new", fields).get_data(as_text=True))[1][0]
    response = submit(ann, "/events/new", dict(fields, locality="Springfield", town_choice=chosen))
    assert response.status_code == 400
    labels = [label for _id, label in RADIO_RE.findall(response.get_data(as_text=True))]
    assert len(labels) == 8 and labels[0] == "Springfield, Missouri, United States (170,188 inhabitants)"
    # A region says which, typed as the country or in its own field.
    assert submit(ann, "/events/new", dict(fields, locality="Springfield", country="Illinois")).status_code == 302
    assert round(coordinates(app)[0], 1) == 39.8
    with app.app_context():
        Event.delete().execute()
    response = submit(ann, "/events/new", dict(fields, locality="Springfield", region="Oregon", country="US"))
    assert response.status_code == 302, errors(response)
    assert round(coordinates(app)[0], 1) == 44.0


def test_an_unknown_town_is_saved_without_coordinates_and_the_organiser_told(app, ann):
    response = new_event(ann, locality="Trifouilly-les-Oies", country="France")
    assert response.status_code == 302, errors(response)
    assert coordinates(app) == (None, None)
    page = ann.get(response.headers["Location"]).get_data(as_text=True)
    assert ("“Trifouilly-les-Oies” is not among the towns this site knows: the event has no position, and "
            "searches near a town will not find it.") in page
    # No town, no note.
    assert new_event(ann, locality="", country="").status_code == 302
    assert "not among the towns" not in ann.get("/my-events").get_data(as_text=True)


def test_editing_keeps_the_coordinates_until_the_town_changes(app, ann):
    # A precise position given by the service (the demo data, say) rather than the town's centre.
    event = make_event(app, locality="Lyon", latitude=45.7640, longitude=4.8357)
    url = f"/events/{event.uuid}/edit"
    assert submit(ann, url, event_fields(title="Renamed", locality="lyon ", country="FRANCE")).status_code == 302
    assert coordinates(app) == (45.7640, 4.8357)
    assert submit(ann, url, event_fields(locality="Villeurbanne", country="France")).status_code == 302
    latitude, longitude = coordinates(app)
    assert round(latitude, 2) == 45.77 and round(longitude, 2) == 4.88
    # The same name, another town of it: found, then chosen.
    fields = event_fields(locality="Paris", country="")
    assert submit(ann, url, fields).status_code == 400
    page = submit(ann, url, dict(fields, find_town="1")).get_data(as_text=True)
    texas = next(id_ for id_, label in RADIO_RE.findall(page) if "Texas" in label)
    assert submit(ann, url, dict(fields, town_choice=texas)).status_code == 302
    assert near(coordinates(app), PARIS_TEXAS)
    assert submit(ann, url, dict(fields, title="Again")).status_code == 302
    assert near(coordinates(app), PARIS_TEXAS)
    # An unknown town clears them: the old ones would place the event where it no longer is.
    assert submit(ann, url, event_fields(locality="Trifouilly-les-Oies")).status_code == 302
    assert coordinates(app) == (None, None)


def test_an_event_placed_by_its_town_is_found_near_it(app, ann):
    assert new_event(ann, title="Atelier vélo", locality="Lyon", country="France").status_code == 302
    assert "Atelier vélo" in ann.get("/search?near=Lyon&radius=25").get_data(as_text=True)
    assert "Atelier vélo" in ann.get("/search?near=villeurbanne&radius=5").get_data(as_text=True)
    assert "Atelier vélo" not in ann.get("/search?near=Grenoble&radius=25").get_data(as_text=True)


def test_find_shows_the_town_without_saving(app, ann):
    fields = event_fields(title="", locality="lyon", country="", find_town="1")
    response = submit(ann, "/events/new", fields)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Found: Lyon, Auvergne-Rhône-Alpes, France. The event is placed at the centre of this town." in page
    # The title left empty is not complained about: nothing is being saved yet.
    assert errors(response) == [] and event_count(app) == 0
    page = submit(ann, "/events/new", dict(fields, locality="paris")).get_data(as_text=True)
    assert len(RADIO_RE.findall(page)) == 2
    page = submit(ann, "/events/new", dict(fields, locality="Nowhere Upon Nothing")).get_data(as_text=True)
    assert "“Nowhere Upon Nothing” is not among the towns this site knows" in page


def test_french_labels(app, ann):
    french = {"headers": {"Accept-Language": "fr"}}
    page = ann.get("/events/new", **french).get_data(as_text=True)
    assert "Trouver la ville" in page
    response = submit(ann, "/events/new", event_fields(locality="Paris", country=""), **french)
    page = response.get_data(as_text=True)
    assert "Plusieurs villes s’appellent «\xa0Paris\xa0» : laquelle ?" in page
    assert [label for _id, label in RADIO_RE.findall(page)] == [
        "Paris, Île-de-France, France (2\u202f138\u202f551 habitants)",
        "Paris, Texas, États-Unis (24\u202f782 habitants)"]
    page = submit(ann, "/events/new", event_fields(locality="Lyon", find_town="1"), **french).get_data(as_text=True)
    assert "Trouvé : Lyon, Auvergne-Rhône-Alpes, France." in page


@pytest.mark.parametrize("town", ["\x00Lyon", "Ly\u202eon", "ＬＹＯＮ", "%' OR 1=1 --", "l" * 100, "'-.", "🏙️"])
def test_odd_towns_never_fail(app, ann, town):
    for extra in ({}, {"find_town": "1"}):
        response = new_event(ann, locality=town, **extra)
        assert response.status_code in (200, 302), (town, errors(response))


def test_a_town_too_long_is_refused_beside_its_field(app, ann):
    response = new_event(ann, locality="l" * 101)
    assert response.status_code == 400
    assert "At most 100 characters." in errors(response)


def test_the_service_still_checks_coordinates_given_to_it(app):
    make_account(app)
    for bad in ({"latitude": 91.0, "longitude": 2.0}, {"latitude": 45.0, "longitude": None},
                {"latitude": float("nan"), "longitude": 2.0}):
        with app.test_request_context(), pytest.raises(InvalidFields) as refused:
            events.create_event(Actor.get(Actor.preferred_username == "ann"), service_fields(**bad))
        assert "latitude" in refused.value.errors


@pytest.mark.parametrize("typed, street, postal_code, country", [
    ("12 rue de la République, 69001 Lyon", "12 rue de la République", "69001", ""),
    ("Lyon 69002, France", "", "69002", "France"),
    ("3 place Bellecour, Lyon, France", "3 place Bellecour", "", "France"),
])
def test_a_whole_address_typed_as_the_town_is_spread_in_its_fields(app, ann, typed, street, postal_code, country):
    response = new_event(ann, locality=typed, street="", postal_code="", country="")
    assert response.status_code == 302, errors(response)
    event = the_event(app)
    assert (event.street, event.postal_code, event.locality, event.country) == (street, postal_code, "Lyon", country)
    assert near(coordinates(app), LYON)


def test_what_the_organiser_typed_in_a_field_is_kept_over_the_address(app, ann):
    response = new_event(ann, locality="5 quai Saint-Antoine, 69002 Lyon", street="Quai Saint-Antoine", postal_code="",
                         country="FR")
    assert response.status_code == 302, errors(response)
    event = the_event(app)
    assert (event.street, event.postal_code, event.locality, event.country) == ("Quai Saint-Antoine", "69002",
                                                                               "Lyon", "FR")


def test_an_address_without_a_known_town_is_kept_as_typed(app, ann):
    response = new_event(ann, locality="1 chemin des Vignes, Trifouilly", street="", postal_code="")
    assert response.status_code == 302, errors(response)
    assert the_event(app).locality == "1 chemin des Vignes, Trifouilly"
    assert coordinates(app) == (None, None)


def test_an_address_in_a_town_of_several_names_offers_them(app, ann):
    response = new_event(ann, locality="2 rue de la Gare, Saint-Denis", country="", street="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert len(RADIO_RE.findall(page)) == 2
    # The form shows the address spread: the town alone, the street in its field.
    assert 'value="Saint-Denis"' in page and 'value="2 rue de la Gare"' in page


def test_finding_the_town_of_a_whole_address_shows_its_parts_in_their_fields(app, ann):
    fields = event_fields(locality="12 rue de la République, 69001 Lyon", street="", postal_code="", find_town="1")
    page = submit(ann, "/events/new", fields).get_data(as_text=True)
    assert "Found: Lyon" in page
    assert '<details class="address" open>' in page
    assert 'value="12 rue de la République"' in page and 'value="69001"' in page and 'value="Lyon"' in page
    assert event_count(app) == 0
    # A town alone leaves the address folded.
    page = submit(ann, "/events/new", event_fields(locality="Lyon", find_town="1")).get_data(as_text=True)
    assert '<details class="address">' in page
