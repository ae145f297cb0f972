"""The home page's sections: this week (until Sunday night where the instance is) and the next events
(paged), and the events near the town a visitor chose, kept in a cookie: set, used, forgotten, and
ignored when it is garbage."""
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mobilizon_lite.services import home_sections

from ..helpers import CSRF_RE, errors, event_fields, log_in, make_account, make_event, submit

TITLE_RE = re.compile(r'<h3><a href="/events/[^"]+">([^<]+)</a></h3>')
PARIS = ZoneInfo("Europe/Paris")
FRENCH = {"Accept-Language": "fr"}


@pytest.fixture
def app_config(app_config):
    return dict(app_config, TIMEZONE="Europe/Paris", EVENTS_PER_PAGE=3)


@pytest.fixture
def ann(app):
    make_account(app)
    return app


def sections(client, path="/"):
    """{section id: the titles it lists} of the home page at path."""
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = {}
    for part in html.split('<section class="home-section')[1:]:
        name = re.search(r'aria-labelledby="([^"]+)"', part).group(1)
        found[name] = TITLE_RE.findall(part.partition("</section>")[0])
    return found


def at(day, hour, minute, **more):
    return {"start_date": day, "start_time": time(hour, minute), **more}


def test_the_week_ends_on_sunday_night_in_the_instances_time_zone(ann):
    # In UTC both begin on Sunday 4 July (21:30 and 22:30): only Paris's midnight parts them.
    make_event(ann, title="Sunday late", **at(date(2027, 7, 4), 23, 30, end_time=time(23, 45)))
    make_event(ann, title="Monday early", **at(date(2027, 7, 5), 0, 30, end_time=time(1, 0)))
    make_event(ann, title="Long weekend", **at(date(2027, 7, 3), 10, 0, end_date=date(2027, 7, 6)))

    def lists(now):
        with ann.test_request_context():
            week = [row.title for row in home_sections.this_week(10, now=now)[0]]
            after = [row.title for row in home_sections.after_this_week(1, 10, now=now)[0]]
        return week, after

    week_before = datetime(2027, 6, 23, 10, 0, tzinfo=UTC)
    assert lists(week_before) == ([], ["Long weekend", "Sunday late", "Monday early"])
    wednesday = datetime(2027, 6, 30, 10, 0, tzinfo=UTC)
    assert lists(wednesday) == (["Long weekend", "Sunday late"], ["Monday early"])
    saturday = datetime(2027, 7, 3, 12, 0, tzinfo=UTC)
    # Once begun this week, an event is this week's only, whenever it ends.
    assert lists(saturday) == (["Long weekend", "Sunday late"], ["Monday early"])
    sunday_night = datetime(2027, 7, 4, 21, 40, tzinfo=UTC)  # 23:40 in Paris
    assert lists(sunday_night) == (["Long weekend", "Sunday late"], ["Monday early"])
    monday = datetime(2027, 7, 4, 22, 5, tzinfo=UTC)  # 00:05 on Monday in Paris: a new week
    assert lists(monday) == (["Long weekend", "Monday early"], [])


def test_this_week_and_next_on_the_page(ann, client):
    sunday = datetime.now(PARIS).date()
    sunday += timedelta(days=6 - sunday.weekday())
    monday = sunday + timedelta(days=1)
    make_event(ann, title="Sunday late", **at(sunday, 23, 30, end_date=monday, end_time=time(1, 0)))
    make_event(ann, title="Monday early", **at(monday, 0, 30, end_time=time(1, 30)))
    for number in range(1, 4):
        make_event(ann, title=f"Later {number}", **at(monday + timedelta(days=number), 12, 0))
    assert sections(client) == {"near-events": [], "this-week": ["Sunday late"],
                                "next-events": ["Monday early", "Later 1", "Later 2"]}
    page = client.get("/").get_data(as_text=True)
    assert 'href="/?page=2"' in page and "No upcoming events yet." not in page
    # Later pages go on with the next events alone.
    assert sections(client, "/?page=2") == {"next-events": ["Later 3"]}
    assert "Events near you" not in client.get("/?page=2").get_data(as_text=True)


def test_a_full_week_links_to_its_search(ann, client):
    today = datetime.now(PARIS).date()
    sunday = today + timedelta(days=6 - today.weekday())
    for hour in range(20, 24):
        make_event(ann, title=f"At {hour}", **at(sunday, hour, 0, end_date=sunday + timedelta(days=1),
                                                 end_time=time(2, 0)))
    assert sections(client)["this-week"] == ["At 20", "At 21", "At 22"]
    page = client.get("/?scope=local").get_data(as_text=True)
    assert f'href="/search?ends={sunday.isoformat()}&amp;scope=local"' in page


def test_a_finished_weekly_series_is_not_this_weeks_and_a_monthly_one_is_listed_once(ann, client):
    owner = ann.test_client()
    log_in(owner)
    today = datetime.now(PARIS).date()
    tuesday_weeks_ago = today - timedelta(days=today.weekday() - 1, weeks=3)
    tomorrow = today + timedelta(days=1)
    for fields in ({"title": "Choir rehearsal", "start_date": tuesday_weeks_ago.isoformat(), "repeat": "WEEKLY",
                    "repeat_weekdays": "TU", "repeat_ends": "count", "repeat_count": "2"},
                   {"title": "Monthly market", "start_date": tomorrow.isoformat(), "repeat": "MONTHLY",
                    "repeat_monthly": "date", "repeat_ends": "never"}):
        response = submit(owner, "/events/new", event_fields(start_time="12:00", end_time="13:00", **fields))
        assert response.status_code == 302, errors(response)
    listed = [title for titles in sections(client).values() for title in titles]
    assert listed == ["Monthly market"]


def test_no_event_at_all_says_so_once(ann, client):
    page = client.get("/").get_data(as_text=True)
    assert page.count("No upcoming events yet.") == 1 and 'id="this-week"' not in page


def choose(client, town, radius="25", **more):
    return client.post("/near", data={"town": town, "radius": radius, **more})


MONTREAL = {"latitude": 45.50884, "longitude": -73.58781, "locality": "Montréal"}
LAVAL = {"latitude": 45.6066, "longitude": -73.7124, "locality": "Laval"}


def test_a_chosen_town_is_kept_used_and_forgotten(ann, client):
    make_event(ann, title="In Montréal", **MONTREAL)
    make_event(ann, title="In Laval", start_date=date(2027, 7, 2), **LAVAL)
    make_event(ann, title="In Paris", latitude=48.8566, longitude=2.3522)
    response = choose(client, "montreal", "10")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("near=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie and "Secure" not in cookie
    page = client.get("/").get_data(as_text=True)
    assert "Near Montréal" in page and "within 10 km" in page
    assert sections(client)["near-events"] == ["In Montréal"]
    assert 'href="/search?near=Montr%C3%A9al,+Qu%C3%A9bec&amp;radius=10"' in page
    # The page made for this visitor is never given to others, nor theirs to this one.
    visitor = ann.test_client()
    assert "Near Montréal" not in visitor.get("/").get_data(as_text=True)
    assert "Near Montréal" in client.get("/").get_data(as_text=True)
    choose(client, "Montréal, Canada", "25")
    assert sections(client)["near-events"] == ["In Montréal", "In Laval"]
    response = client.post("/near", data={"forget": "1"})
    assert response.status_code == 303 and "near=;" in response.headers["Set-Cookie"]
    assert client.get_cookie("near") is None
    page = client.get("/").get_data(as_text=True)
    assert "Near Montréal" not in page and "Events near you" in page


def test_a_name_of_several_towns_offers_them_and_unknown_ones_are_refused(ann, client):
    response = choose(client, "Paris")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Several towns have this name. Which one?" in page
    assert 'value="Paris, Île-de-France"' in page and 'value="Paris, Texas"' in page
    assert ">Paris, Texas, United States</button>" in page
    assert client.get_cookie("near") is None
    assert choose(client, "Paris, Texas", chosen="1").status_code == 303
    assert "Near Paris" in client.get("/").get_data(as_text=True)
    assert "Paris,+Texas" in client.get("/").get_data(as_text=True)
    for town, radius, message in (("Nowhere Upon Nothing", "25", "No town of this name is known"),
                                  ("", "25", "Type the name of a town."), ("x" * 201, "25", "This name is too long."),
                                  ("Lyon", "7", "Not a valid choice"), ("Lyon", "many", "Invalid Choice")):
        response = choose(client, town, radius)
        assert response.status_code == 400 and message in response.get_data(as_text=True), town
    # The town chosen before is kept.
    assert "Paris,+Texas" in client.get("/").get_data(as_text=True)


def test_towns_of_one_name_in_one_country_are_told_apart_by_their_region(ann, client):
    make_event(ann, title="In Springfield, Illinois", latitude=39.80172, longitude=-89.64371)
    make_event(ann, title="In Springfield, Missouri", latitude=37.21533, longitude=-93.29824)
    page = choose(client, "Springfield").get_data(as_text=True)
    assert "Several towns have this name. Which one?" in page
    assert 'value="Springfield, Illinois"' in page and 'value="Springfield, Missouri"' in page
    assert choose(client, "Springfield, Illinois", chosen="1").status_code == 303
    assert "town=Springfield%2C+Illinois" in client.get_cookie("near").value
    assert sections(client)["near-events"] == ["In Springfield, Illinois"]
    choose(client, "Springfield, Missouri")
    assert sections(client)["near-events"] == ["In Springfield, Missouri"]


def test_a_home_page_made_for_the_visitors_town_is_kept_by_no_shared_cache(ann, client):
    assert "private" not in client.get("/").headers.get("Cache-Control", "")
    choose(client, "Lyon")
    response = client.get("/")
    assert "Near Lyon" in response.get_data(as_text=True)
    assert "private" in response.headers["Cache-Control"] and "Cookie" in response.headers["Vary"]


def test_the_cookie_is_secure_over_https_and_the_form_checks_logged_in_posts(ann, client):
    response = client.post("/near", data={"town": "Lyon", "radius": "25"}, base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    owner = ann.test_client()
    log_in(owner)
    assert choose(owner, "Lyon").status_code == 400  # no token
    token = CSRF_RE.search(owner.get("/").get_data(as_text=True)).group(1)
    assert choose(owner, "Lyon", csrf_token=token).status_code == 303
    assert "Near Lyon" in owner.get("/").get_data(as_text=True)


@pytest.mark.parametrize("value", ["%%%", "town=Nowhere%20Upon%20Nothing&radius=25", "town=Lyon&radius=9999",
                                   "town=Lyon&radius=-5", "town=Lyon", "radius=25", "town=Lyon&radius=2&x=1",
                                   "town=" + "a" * 600 + "&radius=25", "\x00", "town=%00&radius=25",
                                   "town=Lyon&radius=%EF%BC%92%EF%BC%95"])
def test_a_garbage_cookie_is_ignored(ann, client, value):
    client.set_cookie("near", value)
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Events near you" in page and 'id="near-events">Near' not in page


def test_french_labels(ann, client):
    sunday = datetime.now(PARIS).date()
    sunday += timedelta(days=6 - sunday.weekday())
    make_event(ann, title="Sunday late", **at(sunday, 23, 30, end_date=sunday + timedelta(days=1),
                                                 end_time=time(1, 0), latitude=45.76, longitude=4.83))
    choose(client, "Lyon")
    page = client.get("/", headers=FRENCH).get_data(as_text=True)
    for label in ("Cette semaine", "Ensuite", "Près de Lyon", "dans un rayon de 25 km", "Oublier cette ville",
                  "Chercher les événements près de Lyon"):
        assert label in page, label
    response = client.post("/near", data={"town": "Paris", "radius": "25"}, headers=FRENCH)
    assert "Plusieurs villes portent ce nom. Laquelle ?" in response.get_data(as_text=True)
