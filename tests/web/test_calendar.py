"""The month calendar: months cut where the instance is (Europe/Paris here), events over several days,
clock changes, the filters a search has, privacy, bad links, the months around, French weeks."""
import re
from datetime import date, datetime, time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest

from mobilizon_lite.db import database
from mobilizon_lite.models import Actor
from mobilizon_lite.models.groups import Openness
from mobilizon_lite.services import calendar_month, members, search
from mobilizon_lite.services.events import listing_query

from .. import databases
from ..calendar_readers import vevents
from ..helpers import log_in, make_account, make_event, make_group

FRENCH = {"Accept-Language": "fr"}


class CalendarPage(HTMLParser):
    """What a calendar page shows: the grid's cells by day (classes, event lines, "more" link), the
    weekday headers, the agenda's days and lines, and every link (text, href)."""

    def __init__(self, html):
        super().__init__()
        self.cells, self.agenda, self.headers, self.links = {}, {}, [], []
        self.caption, self.h1 = "", ""
        self._cell = self._line = self._link = self._agenda_day = None
        self._in = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("caption", "h1", "h3", "th") or (tag == "section" and attrs.get("class") == "agenda"):
            self._in.add(tag if tag != "section" else "agenda")
        if tag == "td":
            self._cell = {"classes": attrs.get("class", "").split(), "current": attrs.get("aria-current"),
                          "lines": [], "more": None, "day": None}
        elif tag == "time" and self._cell is not None and self._cell["day"] is None:
            self._cell["day"] = date.fromisoformat(attrs["datetime"])
        elif tag == "time" and "h3" in self._in:
            self._agenda_day = date.fromisoformat(attrs["datetime"])
            self.agenda[self._agenda_day] = []
        elif tag == "abbr" and "th" in self._in:
            self.headers.append((attrs["title"], ""))
        elif tag == "li" and (self._cell is not None or "agenda" in self._in):
            self._line = []
        elif tag == "a":
            self._link = [attrs.get("href"), [], attrs.get("class")]

    def handle_endtag(self, tag):
        self._in.discard(tag if tag != "section" else "agenda")
        if tag == "td":
            self.cells[self._cell["day"]] = self._cell
            self._cell = None
        elif tag == "li" and self._line is not None:
            text = " ".join("".join(self._line).split())
            (self._cell["lines"] if self._cell is not None else self.agenda[self._agenda_day]).append(text)
            self._line = None
        elif tag == "a" and self._link is not None:
            href, text, kind = self._link
            self.links.append((" ".join("".join(text).split()), href))
            if kind == "more" and self._cell is not None:
                self._cell["more"] = (self.links[-1][0], href)
            self._link = None

    def handle_data(self, data):
        if self._line is not None:
            self._line.append(data)
        if self._link is not None:
            self._link[1].append(data)
        if "caption" in self._in:
            self.caption += data
        if "h1" in self._in:
            self.h1 += data
        if "th" in self._in and self.headers:
            wide, short = self.headers[-1]
            self.headers[-1] = (wide, short + data)

    def lines(self, day):
        """The event lines of a day's cell (time, then title)."""
        return self.cells[day]["lines"]

    def link(self, text):
        """The href of the first link with that text, or None."""
        return next((href for label, href in self.links if label == text), None)

    @property
    def titles(self):
        """Every line of the grid, month days only, in order."""
        return [line for day in sorted(self.cells) if "in-month" in self.cells[day]["classes"]
                for line in self.cells[day]["lines"]]


def page(client, path, status=200, headers=FRENCH):
    response = client.get(path, headers=headers)
    assert response.status_code == status, (path, response.status_code)
    return CalendarPage(response.get_data(as_text=True))


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TIMEZONE": "Europe/Paris"}


@pytest.fixture
def ann(app):
    make_account(app)
    return app


def at(day, start, end=None, zone="Europe/Paris", end_day=None, **fields):
    """Event fields starting on day at start (hours, minutes), local to zone."""
    return {"start_date": day, "start_time": time(*start), "end_date": end_day,
            "end_time": time(*end) if end else None, "timezone": zone, **fields}


def test_months_are_cut_where_the_instance_is_not_in_utc(ann, client):
    # 00:30 in Paris on 1 June is 22:30 UTC on 31 May: June's.
    make_event(ann, title="Just after midnight", **at(date(2027, 6, 1), (0, 30), (1, 30)))
    # 23:30 in Paris on 31 May is 21:30 UTC the same day: May's.
    make_event(ann, title="Late in May", **at(date(2027, 5, 31), (23, 30)))
    # 22:30 UTC on 30 June is 00:30 on 1 July in Paris: July's, though written in UTC.
    make_event(ann, title="UTC night", **at(date(2027, 6, 30), (22, 30), zone="UTC"))
    june = page(ann.test_client(), "/calendar/2027/06")
    assert june.lines(date(2027, 6, 1)) == ["00:30 Just after midnight"]
    assert june.titles == ["00:30 Just after midnight"]
    # The grid's first cell is 31 May, greyed, and empty: May's events are on May's page.
    assert "outside" in june.cells[date(2027, 5, 31)]["classes"] and june.lines(date(2027, 5, 31)) == []
    may = page(client, "/calendar/2027/05")
    assert may.titles == ["23:30 Late in May"] and may.lines(date(2027, 5, 31)) == ["23:30 Late in May"]
    july = page(client, "/calendar/2027/07")
    assert july.lines(date(2027, 7, 1)) == ["00:30 UTC night"]
    assert "Times are in the Europe/Paris time zone." in client.get("/calendar/2027/07").get_data(as_text=True)


def test_an_event_over_several_days_is_on_each_of_them(ann, client):
    make_event(ann, title="Festival", **at(date(2027, 6, 10), (20, 0), (2, 0), end_day=date(2027, 6, 12)))
    # Ending at midnight, it is over before the next day.
    make_event(ann, title="Evening", **at(date(2027, 6, 14), (22, 0), (0, 0), end_day=date(2027, 6, 15)))
    # Begun in May: on June's first days only in June's grid.
    make_event(ann, title="Exhibition", **at(date(2027, 5, 30), (10, 0), (12, 0), end_day=date(2027, 6, 2)))
    june = page(client, "/calendar/2027/06")
    assert june.lines(date(2027, 6, 1)) == ["toute la journée Exhibition"]
    assert june.lines(date(2027, 6, 2)) == ["jusqu’à 12:00 Exhibition"]
    assert june.lines(date(2027, 6, 3)) == []
    assert june.lines(date(2027, 6, 10)) == ["20:00 Festival"]
    assert june.lines(date(2027, 6, 11)) == ["toute la journée Festival"]
    assert june.lines(date(2027, 6, 12)) == ["jusqu’à 02:00 Festival"]
    assert june.lines(date(2027, 6, 14)) == ["22:00 Evening"]
    assert june.lines(date(2027, 6, 15)) == []
    assert june.lines(date(2027, 5, 31)) == []
    # The agenda: the days with events only, in order, each under its heading.
    assert list(june.agenda) == [date(2027, 6, day) for day in (1, 2, 10, 11, 12, 14)]
    assert june.agenda[date(2027, 6, 12)] == ["jusqu’à 02:00 Festival"]
    may = page(client, "/calendar/2027/05")
    assert may.lines(date(2027, 5, 30)) == ["10:00 Exhibition"] and may.lines(date(2027, 5, 31)) == [
        "toute la journée Exhibition"]


def test_a_repeated_event_is_on_each_of_its_dates(ann, client):
    make_event(ann, title="Repair evening", start_date=date(2027, 1, 5), start_time=time(19), end_time=time(21),
               repeat="WEEKLY", repeat_weekdays=["TU"], repeat_exdates="2027-03-16")
    make_event(ann, title="Choir", **at(date(2027, 3, 9), (18, 0), (19, 0)))
    march = page(client, "/calendar/2027/03")
    tuesdays = [day for day in sorted(march.cells) if day.month == 3 and day.weekday() == 1]
    assert {day: march.lines(day) for day in tuesdays} == {
        date(2027, 3, 2): ["19:00 Repair evening"], date(2027, 3, 9): ["18:00 Choir", "19:00 Repair evening"],
        date(2027, 3, 16): [], date(2027, 3, 23): ["19:00 Repair evening"], date(2027, 3, 30): ["19:00 Repair evening"]}
    assert len(march.titles) == 5
    # With words too: every date of the series, not only the one it shows.
    assert page(client, "/calendar/2027/03?q=repair").titles == ["19:00 Repair evening"] * 4


def test_times_across_the_clock_changes(ann, client):
    # 28 March 2027 in Paris: 02:00 CET becomes 03:00 CEST, so 02:30 never happens that night.
    make_event(ann, title="Before the change", **at(date(2027, 3, 28), (0, 30), zone="UTC"))
    make_event(ann, title="After the change", **at(date(2027, 3, 28), (1, 30), zone="UTC"))
    make_event(ann, title="Overnight", **at(date(2027, 3, 27), (23, 0), (4, 0), end_day=date(2027, 3, 28)))
    march = page(client, "/calendar/2027/03")
    assert march.lines(date(2027, 3, 28)) == ["jusqu’à 04:00 Overnight", "01:30 Before the change",
                                              "03:30 After the change"]
    # 31 October 2027: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice, an hour apart.
    make_event(ann, title="Second 02:30", **at(date(2027, 10, 31), (2, 30), start_fold=1))
    make_event(ann, title="First 02:30", **at(date(2027, 10, 31), (2, 30), start_fold=0))
    make_event(ann, title="UTC 01:30", **at(date(2027, 10, 31), (1, 30), zone="UTC"))
    october = page(client, "/calendar/2027/10")
    assert october.lines(date(2027, 10, 31)) == ["02:30 First 02:30", "02:30 Second 02:30", "02:30 UTC 01:30"]
    # The times the page gives machines are the instants, offsets and all.
    html = client.get("/calendar/2027/10").get_data(as_text=True)
    assert 'datetime="2027-10-31T02:30:00+02:00"' in html and 'datetime="2027-10-31T02:30:00+01:00"' in html


def test_the_filters_are_the_searchs_and_stay_from_month_to_month(ann, client):
    make_event(ann, title="Craft fair", tags="market, crafts", **at(date(2027, 7, 3), (10, 0), (12, 0)))
    make_event(ann, title="Book club", category="BOOK_CLUBS", tags="books", **at(date(2027, 7, 3), (14, 0), (16, 0)))
    make_event(ann, title="Book market", category="BOOK_CLUBS", tags="books, market",
               **at(date(2027, 7, 20), (9, 0), (11, 0)))
    make_event(ann, title="Book swap in August", category="BOOK_CLUBS", **at(date(2027, 8, 2), (9, 0), (11, 0)))
    assert page(client, "/calendar/2027/07").titles == ["10:00 Craft fair", "14:00 Book club", "09:00 Book market"]
    books = page(client, "/calendar/2027/07?category=book_clubs")
    assert books.titles == ["14:00 Book club", "09:00 Book market"]
    assert page(client, "/calendar/2027/07?tags=%23Market&category=BOOK_CLUBS").titles == ["09:00 Book market"]
    # Words find as a search does, and the calendar still lists by time.
    assert page(client, "/calendar/2027/07?q=book").titles == ["14:00 Book club", "09:00 Book market"]
    # (A search ranks "Book market" first: "market" is in its title, only in the other's tags.)
    assert page(client, "/calendar/2027/07?q=market").titles == ["10:00 Craft fair", "09:00 Book market"]
    # A calendar's own dates are the month's, whatever the link says.
    assert page(client, "/calendar/2027/07?starts=2027-07-10&ends=nonsense").titles == [
        "10:00 Craft fair", "14:00 Book club", "09:00 Book market"]
    following = urlsplit(books.link("Mois suivant →"))
    assert following.path == "/calendar/2027/08" and parse_qs(following.query) == {"category": ["BOOK_CLUBS"]}
    assert page(client, books.link("Mois suivant →")).titles == ["09:00 Book swap in August"]
    assert parse_qs(urlsplit(books.link("← Mois précédent")).query) == {"category": ["BOOK_CLUBS"]}
    # The month's feeds are the same search.
    feed = urlsplit(books.link("Lien iCalendar"))
    assert feed.path == "/search/feed/ics" and parse_qs(feed.query) == {
        "starts": ["2027-07-01"], "ends": ["2027-07-31"], "category": ["BOOK_CLUBS"]}
    ics = client.get(f"{feed.path}?{feed.query}")
    assert sorted(str(event["SUMMARY"]) for event in vevents(icalendar.Calendar.from_ical(ics.data))) == [
        "Book club", "Book market"]
    assert urlsplit(books.link("Flux Atom")).path == "/search/feed/atom"
    # Feed readers find them in the page's head too.
    html = client.get("/calendar/2027/07?category=BOOK_CLUBS").get_data(as_text=True)
    assert re.search(r'<link rel="alternate" type="text/calendar"[^>]+href="http://[^"]+/search/feed/ics\?starts=2027-07-01'
                     r'&amp;ends=2027-07-31&amp;category=BOOK_CLUBS"', html)
    search = urlsplit(books.link("Chercher les événements de ce mois"))
    assert search.path == "/search" and parse_qs(search.query)["category"] == ["BOOK_CLUBS"]


def test_a_busy_day_shows_a_few_and_links_to_the_rest(ann, client):
    for hour in range(8, 8 + calendar_month.SHOWN_PER_DAY + 2):
        make_event(ann, title=f"Talk at {hour}", **at(date(2027, 9, 15), (hour, 0), (hour, 30)))
    september = page(client, "/calendar/2027/09", headers={"Accept-Language": "en"})
    assert len(september.lines(date(2027, 9, 15))) == calendar_month.SHOWN_PER_DAY
    text, href = september.cells[date(2027, 9, 15)]["more"]
    assert text == "+2 more" and parse_qs(urlsplit(href).query) == {"starts": ["2027-09-15"], "ends": ["2027-09-15"]}
    assert len(page(client, href, headers={}).links) > 0


def test_a_month_with_more_events_than_read_says_so(ann, client, monkeypatch):
    for day in (3, 4, 5, 6):
        make_event(ann, title=f"Day {day}", **at(date(2027, 9, day), (10, 0), (11, 0)))
    monkeypatch.setattr(calendar_month, "EVENTS_MAX", 2)
    html = client.get("/calendar/2027/09").get_data(as_text=True)
    september = CalendarPage(html)
    assert september.titles == ["10:00 AM Day 3", "10:00 AM Day 4"]
    assert "more events than a calendar shows" in html
    # The days from the last one read on may miss some: each links to its search.
    assert september.cells[date(2027, 9, 3)]["more"] is None
    assert september.cells[date(2027, 9, 4)]["more"][0] == "More events"
    assert september.cells[date(2027, 9, 30)]["more"][0] == "More events"


def test_private_and_members_only_events_are_shown_to_those_who_may_see_them(ann, client):
    make_account(ann, "bob@example.org", "bob")
    group = make_group(ann, openness=Openness.OPEN)
    make_event(ann, title="Open day", **at(date(2027, 7, 3), (10, 0), (11, 0)))
    make_event(ann, title="Among friends", visibility="private", **at(date(2027, 7, 3), (12, 0), (13, 0)))
    make_event(ann, title="By the link", visibility="unlisted", **at(date(2027, 7, 3), (14, 0), (15, 0)))
    make_event(ann, group=group, title="Members only", visibility="private", **at(date(2027, 7, 3), (16, 0), (17, 0)))
    assert page(client, "/calendar/2027/07").titles == ["10:00 Open day"]
    bob = ann.test_client()
    log_in(bob, "bob@example.org")
    assert page(bob, "/calendar/2027/07").titles == ["10:00 Open day"]
    with ann.app_context():
        members.join_group(group, Actor.get(Actor.preferred_username == "bob"))
    assert page(bob, "/calendar/2027/07").titles == ["10:00 Open day", "16:00 Members only"]
    owner = ann.test_client()
    log_in(owner)
    # Their organiser sees all of them, as a search shows them to them.
    assert page(owner, "/calendar/2027/07").titles == ["10:00 Open day", "12:00 Among friends", "14:00 By the link",
                                                       "16:00 Members only"]
    # The feed of the calendar is anyone's: public events only, whoever follows the link.
    feed = owner.get(page(owner, "/calendar/2027/07").link("Lien iCalendar"))
    assert [str(event["SUMMARY"]) for event in vevents(icalendar.Calendar.from_ical(feed.data))] == ["Open day"]


@pytest.mark.parametrize("path", ["/calendar/1899/12", "/calendar/2201/01", "/calendar/2027/13", "/calendar/2027/00",
                                  "/calendar/99999999999999999999/01", "/calendar/2027/6", "/calendar/2027/006",
                                  "/calendar/june/2027", "/calendar/2027", "/calendar/-1/01"])
def test_a_month_that_cannot_be_is_a_404(ann, client, path):
    response = client.get(path)
    assert response.status_code == 404
    if path.count("/") == 3 and path.split("/")[2].isdigit() and len(path.split("/")[3]) == 2:
        assert "There is no calendar for this month" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["category=PICNIC", "mode=offline", "scope=galaxy", "radius=3&near=Paris",
                                   "near=Nowhere%20Upon%20Nothing", "tags=" + ",".join(f"t{n}" for n in range(20))])
def test_bad_filters_are_a_400_with_the_searchs_message(ann, client, query):
    make_event(ann, title="Open day", **at(date(2027, 7, 3), (10, 0), (11, 0)))
    response = client.get(f"/calendar/2027/07?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'class="error"' in html and "Open day" not in html
    assert response.status_code == client.get(f"/search?{query}").status_code


@pytest.mark.parametrize("query", ["q=%00", "q=%22jazz", "q=NEAR(", "page=-1", "tab=x", "starts=0001-01-01"])
def test_odd_words_and_parameters_a_calendar_ignores_still_show_it(ann, client, query):
    assert client.get(f"/calendar/2027/07?{query}").status_code == 200


def test_previous_and_next_cross_the_years_and_stop_at_the_bounds(ann, client):
    december = page(client, "/calendar/2027/12")
    assert december.h1 == "Décembre 2027"
    assert december.link("Mois suivant →") == "/calendar/2028/01"
    assert page(client, "/calendar/2028/01").link("← Mois précédent") == "/calendar/2027/12"
    assert page(client, "/calendar/1900/01").link("← Mois précédent") is None
    assert page(client, "/calendar/2200/12").link("Mois suivant →") is None
    # Another month links back to this one; this one need not.
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    assert december.link("Ce mois-ci") == f"/calendar/{today.year}/{today.month:02d}"


def test_weeks_start_on_the_readers_first_weekday_in_their_language(ann, client):
    june = page(client, "/calendar/2027/06")
    assert [wide for wide, _short in june.headers] == ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
                                                       "dimanche"]
    assert june.headers[0][1] == "lun." and june.h1 == "Juin 2027"
    assert june.caption.startswith("Événements de juin 2027")
    # 1 June 2027 is a Tuesday: the grid opens on Monday 31 May and closes on Sunday 4 July.
    assert min(june.cells) == date(2027, 5, 31) and max(june.cells) == date(2027, 7, 4)
    english = page(client, "/calendar/2027/06", headers={"Accept-Language": "en"})
    assert english.headers[0] == ("Monday", "Mon") and english.h1 == "June 2027"
    # Where weeks start on Sunday, the month's grid does too.
    with ann.test_request_context():
        weeks = calendar_month.month_of_events(calendar_month.read({}, date(2027, 6, 1)), (), 6).weeks
    assert (weeks[0][0].day, weeks[-1][-1].day) == (date(2027, 5, 30), date(2027, 7, 3))
    assert [len(week) for week in weeks] == [7] * 5


def test_today_is_marked_and_the_navigation_leads_here(ann, client):
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    this_month = page(client, "/calendar")
    marked = [day for day, cell in this_month.cells.items() if cell["current"] == "date"]
    assert marked == [today] and "today" in this_month.cells[today]["classes"]
    assert page(client, "/").link("Calendrier") == "/calendar"
    assert page(client, "/search").link("Calendrier du mois") == "/calendar"
    # From a search of some days, the calendar of their month, with the search's filters.
    assert page(client, "/search?starts=2027-07-05&category=MUSIC").link("Calendrier du mois") == (
        "/calendar/2027/07?category=MUSIC")


@pytest.mark.skipif(bool(databases.server_url()), reason="SQLite's query plan")
def test_words_are_looked_up_before_the_events_are_sorted_by_time(ann):
    # Read along the start's index instead, events would each look the words up: seconds on a large instance.
    with ann.test_request_context():
        query = calendar_month.read({"q": "jazz"}, date(2027, 7, 1))
        sql, params = search.matching_events(listing_query(), query, (), by_time=True).sql()
        plan = [row[3] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
    assert plan[0].startswith("SCAN") and "VIRTUAL TABLE" in plan[0], plan
