"""Taking part in one date of a series: joined and left from the event page, each date with its own
seats (whole-series participants hold one on every date), its own waiting line and its own approvals,
joined by email without an account, and refused clearly when the date cannot be joined."""
import re
from datetime import timedelta

import pytest

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Actor, EventOccurrence, Participation, Reminder
from mobilizon_lite.services import participation, subscriptions

from ..calendar_readers import occurrences_by_three, utc_seconds
from ..harness import wait_until
from ..helpers import BASE_URL, errors, event_fields, log_in, make_account, submit
from .test_recurring_dates import rehearsal, tuesday
from .test_waiting_list import flashed

PEOPLE = ("bob", "cat", "dan")


@pytest.fixture
def people(mail_app):
    """ann organises (her client first); bob, cat and dan are logged in, each with a client."""
    clients = {}
    for name in ("ann", *PEOPLE):
        make_account(mail_app, f"{name}@example.org", name)
        clients[name] = mail_app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return clients


def series(app, people, **overrides):
    """ann's weekly rehearsal from next Tuesday on, and its stored dates, soonest first."""
    event = rehearsal(app, people["ann"], tuesday(1), **overrides)
    with app.app_context():
        dates = list(EventOccurrence.select().where(EventOccurrence.event == event.id)
                     .order_by(EventOccurrence.begins_on).limit(5))
    return event, dates


def identity_id(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username).id


def join_date(app, people, event, date, username, path="join"):
    return submit(people[username], f"/events/{event.uuid}/dates/{date.id}/{path}",
                  {"identity": identity_id(app, username)}, page=f"/events/{event.uuid}")


def date_roles(app, event):
    """{(username or email, date's start or None for every date): role}."""
    with app.app_context():
        return {(row.actor.preferred_username if row.actor_id else row.email, row.recurrence_id): row.role
                for row in Participation.select().where(Participation.event == event.id)}


def test_a_person_joins_and_leaves_one_date_of_a_series(mail_app, people):
    event, dates = series(mail_app, people)
    page = people["bob"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Join every date" in page and page.count("Join this date") == 5
    assert "You take part in this date." in flashed(people["bob"], join_date(mail_app, people, event, dates[1], "bob"))
    assert date_roles(mail_app, event)[("bob", dates[1].begins_on)] == "participant"
    page = people["bob"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "you take part" in page and "Leave this date" in page and page.count("Join this date") == 4
    # Every date can still be joined besides: the whole-series join stays offered.
    assert "Join every date" in page
    # Logged in, the date's form carries its token like any other: a post without it is refused.
    forged = people["cat"].post(f"/events/{event.uuid}/dates/{dates[1].id}/join",
                                data={"identity": identity_id(mail_app, "cat")})
    assert forged.status_code == 400 and ("cat", dates[1].begins_on) not in date_roles(mail_app, event)
    left = join_date(mail_app, people, event, dates[1], "bob", "leave")
    assert "You no longer take part in this date." in flashed(people["bob"], left)
    assert ("bob", dates[1].begins_on) not in date_roles(mail_app, event)


def test_joining_a_date_twice_or_a_date_of_a_series_one_joined_whole_is_refused(mail_app, people):
    event, dates = series(mail_app, people)
    join_date(mail_app, people, event, dates[0], "bob")
    again = join_date(mail_app, people, event, dates[0], "bob")
    assert again.status_code == 400 and "You already take part in this date." in again.get_data(as_text=True)
    submit(people["cat"], f"/events/{event.uuid}/join", {"identity": identity_id(mail_app, "cat")},
           page=f"/events/{event.uuid}")
    whole = join_date(mail_app, people, event, dates[2], "cat")
    assert whole.status_code == 400 and "every date" in whole.get_data(as_text=True)
    # ann organises: she comes to every date, and is offered no date of her own.
    assert "Join this date" not in people["ann"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert len(date_roles(mail_app, event)) == 3


def test_capacity_is_counted_per_date_with_whole_series_participants_on_every_date(mail_app, people):
    event, dates = series(mail_app, people, capacity="2")
    submit(people["bob"], f"/events/{event.uuid}/join", {"identity": identity_id(mail_app, "bob")},
           page=f"/events/{event.uuid}")
    join_date(mail_app, people, event, dates[0], "cat")
    # bob on every date and cat on the first: the first is full, the others have one seat left.
    full = join_date(mail_app, people, event, dates[0], "dan")
    assert "This date is full." in flashed(people["dan"], full)
    page = people["dan"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert page.count(">full<") == 1 and page.count("Join this date") == 4
    assert "participant" == date_roles(mail_app, event)[("cat", dates[0].begins_on)]
    join_date(mail_app, people, event, dates[1], "dan")
    assert date_roles(mail_app, event)[("dan", dates[1].begins_on)] == "participant"
    # Joining every date needs a seat on each: the fullest has none left.
    whole = submit(people["dan"], f"/events/{event.uuid}/join", {"identity": identity_id(mail_app, "dan")},
                   page=f"/events/{event.uuid}")
    assert "This event is full." in flashed(people["dan"], whole)


def test_each_date_has_its_own_waiting_line_and_a_freed_seat_goes_to_its_first(mail_app, people, smtp):
    event, dates = series(mail_app, people, capacity="1", waiting_list="y")
    join_date(mail_app, people, event, dates[0], "bob")
    in_line = join_date(mail_app, people, event, dates[0], "cat")
    assert "number 1 on the waiting list" in flashed(people["cat"], in_line)
    assert "number 2 on the waiting list" in flashed(people["dan"], join_date(mail_app, people, event, dates[0], "dan"))
    # Another date's line is its own: its seat is free.
    join_date(mail_app, people, event, dates[1], "dan")
    roles = date_roles(mail_app, event)
    assert roles[("cat", dates[0].begins_on)] == "waitlisted" and roles[("dan", dates[1].begins_on)] == "participant"
    assert "in line" in people["cat"].get(f"/events/{event.uuid}").get_data(as_text=True)
    join_date(mail_app, people, event, dates[0], "bob", "leave")
    roles = date_roles(mail_app, event)
    assert roles[("cat", dates[0].begins_on)] == "participant"
    assert roles[("dan", dates[0].begins_on)] == "waitlisted" and roles[("dan", dates[1].begins_on)] == "participant"
    [message] = [message for message in smtp.wait_for(1) if "A seat for you" in message["Subject"]]
    assert message["To"] == "cat@example.org"
    # The email names the date the seat is on, not the series' next one.
    assert dates[0].begins_on.astimezone(event.zone).strftime("%-d") in message.get_content()


def test_a_date_of_a_series_under_approval_is_approved_on_its_own(mail_app, people, smtp):
    event, dates = series(mail_app, people, join_mode="restricted", capacity="1")
    asked = join_date(mail_app, people, event, dates[2], "bob")
    assert "Your request for this date is sent." in flashed(people["bob"], asked)
    assert "awaiting approval" in people["bob"].get(f"/events/{event.uuid}").get_data(as_text=True)
    join_date(mail_app, people, event, dates[2], "cat")
    with mail_app.app_context():
        bob_row = Participation.get(Participation.actor == identity_id(mail_app, "bob"))
        cat_row = Participation.get(Participation.actor == identity_id(mail_app, "cat"))
    listed = people["ann"].get(f"/events/{event.uuid}/participants").get_data(as_text=True)
    assert f"/participants/{bob_row.id}/approve" in listed
    approved = submit(people["ann"], f"/events/{event.uuid}/participants/{bob_row.id}/approve", {},
                      page=f"/events/{event.uuid}/participants")
    assert approved.status_code == 302
    # The date's one seat is bob's now: cat cannot be approved for it.
    refused = submit(people["ann"], f"/events/{event.uuid}/participants/{cat_row.id}/approve", {},
                     page=f"/events/{event.uuid}/participants")
    assert "The event is full" in flashed(people["ann"], refused)
    roles = date_roles(mail_app, event)
    assert roles[("bob", dates[2].begins_on)] == "participant" and roles[("cat", dates[2].begins_on)] == "not_approved"


def test_a_visitor_joins_one_date_by_email(mail_app, people, smtp):
    event, dates = series(mail_app, people, anonymous_participation="y")
    visitor = mail_app.test_client()
    page = visitor.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert f"/dates/{dates[3].id}/join" in page
    response = visitor.post(f"/events/{event.uuid}/dates/{dates[3].id}/join", data={"email": "Vi@Example.org"})
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    [message] = smtp.wait_for(1)
    assert message["To"] == "vi@example.org"
    assert dates[3].begins_on.astimezone(event.zone).strftime("%-d") in message.get_content()
    confirm = next(line for line in message.get_content().splitlines()
                   if "/participation/confirm/" in line).strip().replace(BASE_URL, "")
    assert date_roles(mail_app, event)[("vi@example.org", dates[3].begins_on)] == "not_confirmed"
    confirmed = submit(visitor, confirm, {}, page=confirm)
    assert "Your participation is confirmed." in flashed(visitor, confirmed)
    assert date_roles(mail_app, event)[("vi@example.org", dates[3].begins_on)] == "participant"
    # The page of the address's participations, linked from the email, names the date joined.
    listing = next(line for line in message.get_content().splitlines()
                   if "/participation/mine/" in line).strip().replace(BASE_URL, "")
    page = visitor.get(listing).get_data(as_text=True)

    def day(date):
        return date.begins_on.astimezone(event.zone).strftime("%B %-d, %Y")
    assert "One date:" in page and day(dates[3]) in page and day(dates[0]) not in page


@pytest.mark.parametrize("kind", ["unknown", "cancelled", "past", "single"])
def test_a_date_that_cannot_be_joined_is_refused_with_its_reason(mail_app, people, kind):
    event, dates = series(mail_app, people)
    date_id = dates[1].id
    if kind == "unknown":
        date_id = 999999
        expected = (404, "This date is not one of the event")
    elif kind == "cancelled":
        submit(people["ann"], f"/events/{event.uuid}/dates/{dates[1].id}/cancel", {},
               page=f"/events/{event.uuid}/dates/{dates[1].id}/cancel")
        expected = (404, "This date is not one of the event")
    elif kind == "past":
        with mail_app.app_context():
            EventOccurrence.update(begins_on=utcnow() - timedelta(days=3), ends_on=utcnow() - timedelta(days=3)).where(
                EventOccurrence.id == date_id).execute()
        expected = (403, "This date is over.")
    else:
        single = submit(people["ann"], "/events/new", event_fields(title="Once"))
        assert single.status_code == 302, errors(single)
        event = type(event)(uuid=single.headers["Location"].rsplit("/", 1)[1])
        expected = (404, "join the event")
    response = submit(people["bob"], f"/events/{event.uuid}/dates/{date_id}/join",
                      {"identity": identity_id(mail_app, "bob")}, page="/")
    assert response.status_code == expected[0] and expected[1] in response.get_data(as_text=True)
    with mail_app.app_context():
        assert not Participation.select().where(Participation.actor == identity_id(mail_app, "bob")).exists()


def test_the_organisers_see_who_comes_on_each_date_on_the_page_and_in_the_export(mail_app, people):
    event, dates = series(mail_app, people)
    submit(people["bob"], f"/events/{event.uuid}/join", {"identity": identity_id(mail_app, "bob")},
           page=f"/events/{event.uuid}")
    join_date(mail_app, people, event, dates[0], "cat")
    join_date(mail_app, people, event, dates[1], "dan")
    first = people["ann"].get(f"/events/{event.uuid}/participants?date={dates[0].id}").get_data(as_text=True)
    # ann and bob come to every date, cat to this one; dan to another.
    assert "@bob" in first and "@cat" in first and "@dan" not in first
    assert "every date" in first and f"?date={dates[1].id}" in first
    everyone = people["ann"].get(f"/events/{event.uuid}/participants").get_data(as_text=True)
    assert "@cat" in everyone and "@dan" in everyone
    export = people["ann"].get(f"/events/{event.uuid}/participants.csv?date={dates[1].id}").get_data(as_text=True)
    lines = export.splitlines()
    assert lines[0].endswith(",Date") and len(lines) == 4
    assert any("dan" in line and "every date" not in line for line in lines[1:]) and "cat" not in export
    for bad in ("999999", "soon"):
        response = people["ann"].get(f"/events/{event.uuid}/participants?date={bad}")
        assert response.status_code in (400, 404), response.status_code
    # Nobody else sees who comes.
    assert people["bob"].get(f"/events/{event.uuid}/participants?date={dates[0].id}").status_code == 403


def test_a_cancelled_date_is_told_to_those_on_it_and_offers_no_join(mail_app, people, smtp):
    event, dates = series(mail_app, people)
    submit(people["bob"], f"/events/{event.uuid}/join", {"identity": identity_id(mail_app, "bob")},
           page=f"/events/{event.uuid}")
    join_date(mail_app, people, event, dates[2], "cat")
    join_date(mail_app, people, event, dates[3], "dan")
    cancelled = submit(people["ann"], f"/events/{event.uuid}/dates/{dates[2].id}/cancel", {},
                       page=f"/events/{event.uuid}/dates/{dates[2].id}/cancel")
    assert cancelled.status_code == 302
    told = smtp.wait_for(2)
    assert sorted(message["To"] for message in told) == ["bob@example.org", "cat@example.org"]
    # dan, on another date only, is not told of this one.
    assert "dan@example.org" not in [message["To"] for message in smtp.messages]
    page = people["cat"].get(f"/events/{event.uuid}").get_data(as_text=True)
    listed = page[page.index('class="cancelled-date"'):]
    listed = listed[:listed.index("</li>")]
    assert "Join this date" not in listed and "you take part" in listed


def test_reminders_go_before_the_date_joined_and_stop_when_it_is_cancelled(mail_app, people):
    event, dates = series(mail_app, people)
    join_date(mail_app, people, event, dates[3], "cat")
    submit(people["bob"], f"/events/{event.uuid}/join", {"identity": identity_id(mail_app, "bob")},
           page=f"/events/{event.uuid}")

    def due(username):
        with mail_app.app_context():
            return sorted(reminder.due_at for reminder in Reminder.select().join(Participation).where(
                Participation.actor == identity_id(mail_app, username)))

    # The default offsets: a day and an hour before.
    assert due("cat") == [dates[3].begins_on - timedelta(days=1), dates[3].begins_on - timedelta(hours=1)]
    assert due("bob") == [event.begins_on - timedelta(days=1), event.begins_on - timedelta(hours=1)]
    submit(people["ann"], f"/events/{event.uuid}/dates/{dates[3].id}/cancel", {},
           page=f"/events/{event.uuid}/dates/{dates[3].id}/cancel")
    assert due("cat") == [] and len(due("bob")) == 2


def test_my_events_shows_the_date_joined_and_its_place_in_line(mail_app, people):
    event, dates = series(mail_app, people, capacity="1", waiting_list="y")
    join_date(mail_app, people, event, dates[0], "bob")
    join_date(mail_app, people, event, dates[2], "cat")
    join_date(mail_app, people, event, dates[0], "cat")
    page = people["cat"].get("/my-events").get_data(as_text=True)
    going, waiting = page[page.index("I take part"):page.index("Awaiting approval")], page[page.index("On a waiting"):]
    when = re.search(r'<p class="when">([^<]*)', going).group(1)
    # cat's card in "I take part" is at the date she joined, not at the series' next date.
    assert re.search(rf"\b{dates[2].begins_on.astimezone(event.zone).day}\b", when), when
    assert not re.search(rf"\b{dates[0].begins_on.astimezone(event.zone).day}\b", when), when
    assert "number 1 on the waiting list" in waiting


def test_my_events_lists_a_date_joined_under_past_once_it_is_over_while_the_series_goes_on(mail_app, people):
    event = rehearsal(mail_app, people["ann"], tuesday(-2))
    with mail_app.app_context():
        bob = Actor.get(Actor.preferred_username == "bob")
        stored = [row.begins_on for row in EventOccurrence.select().where(EventOccurrence.event == event.id)
                  .order_by(EventOccurrence.begins_on)]
        over, ahead = [start for start in stored if start < utcnow()][-1], next(s for s in stored if s > utcnow())
        for date in (over, ahead):
            participation.admit(event, bob, date=date)

    def going(query=""):
        page = people["bob"].get(f"/my-events{query}").get_data(as_text=True)
        return re.findall(r'<p class="when">([^<]*)', page[page.index("I take part"):page.index("Awaiting approval")])

    def day(start):
        return rf"\b{start.astimezone(event.zone).day}\b"

    [upcoming], [past] = going(), going("?past=1")
    assert re.search(day(ahead), upcoming) and re.search(day(over), past), (upcoming, past)


def test_the_personal_feed_holds_the_dates_joined_as_all_three_readers_read_them(mail_app, people):
    event, dates = series(mail_app, people)
    join_date(mail_app, people, event, dates[1], "bob")
    join_date(mail_app, people, event, dates[3], "bob")
    # A changed date joined comes at its new time; a changed date not joined stays out.
    for changed, hour in ((dates[3], "20:00"), (dates[2], "18:00")):
        day = changed.begins_on.astimezone(event.zone).date().isoformat()
        response = submit(people["ann"], f"/events/{event.uuid}/dates/{changed.id}/change",
                          {"start_date": day, "start_time": hour, "end_date": day, "end_time": "22:00"},
                          page=f"/events/{event.uuid}/dates/{changed.id}/change")
        assert response.status_code == 302, errors(response)
    with mail_app.app_context():
        bob = Actor.get_by_id(identity_id(mail_app, "bob"))
        token = subscriptions.token_text(subscriptions.issue_token(bob.account, bob))
    feed = people["bob"].get(f"/events/going/{token}/ics")
    assert feed.status_code == 200 and b"RRULE:FREQ=WEEKLY" not in feed.data
    moved = dates[3].begins_on + timedelta(hours=1)
    expected = [(utc_seconds(dates[1].begins_on), utc_seconds(dates[1].ends_on)),
                (utc_seconds(moved), utc_seconds(dates[3].ends_on + timedelta(hours=1)))]
    found = occurrences_by_three(feed.data, dates[1].begins_on + timedelta(days=400))
    assert {reader: list(by_uid.values()) for reader, by_uid in found.items()} == {
        reader: [expected] for reader in ("icalendar", "vobject", "ical.js")}
    # Joining every date makes it the whole series again, in a feed built anew; the dates joined before
    # are part of it.
    submit(people["bob"], f"/events/{event.uuid}/join", {"identity": bob.id}, page=f"/events/{event.uuid}")
    assert b"RRULE:FREQ=WEEKLY" in people["bob"].get(f"/events/going/{token}/ics").data
    assert {date for (name, date) in date_roles(mail_app, event) if name == "bob"} == {None}


def test_splitting_a_series_takes_the_dates_joined_from_there_on_to_the_new_one(mail_app, people, smtp):
    from mobilizon_lite.models import Event

    event, dates = series(mail_app, people, capacity="2", waiting_list="y")
    submit(people["bob"], f"/events/{event.uuid}/join", {"identity": identity_id(mail_app, "bob")},
           page=f"/events/{event.uuid}")
    join_date(mail_app, people, event, dates[0], "cat")
    join_date(mail_app, people, event, dates[3], "cat")
    join_date(mail_app, people, event, dates[3], "dan")  # in line behind cat on that date
    join_date(mail_app, people, event, dates[4], "dan")
    # From the third date on: an hour later, and no longer on the fifth date's day.
    fields = event_fields(title="Rehearsal (new hall)", start_date=tuesday(3).isoformat(), start_time="20:00",
                          end_time="22:00", repeat="WEEKLY", repeat_weekdays="TU", repeat_ends="never",
                          repeat_exdates=tuesday(5).isoformat(), capacity="1", waiting_list="y")
    response = submit(people["ann"], f"/events/{event.uuid}/dates/{dates[2].id}/following", fields)
    assert response.status_code == 302, errors(response)
    with mail_app.app_context():
        new = Event.get(Event.title == "Rehearsal (new hall)")
    fourth = dates[3].begins_on + timedelta(hours=1)
    # Whole-series participants stay on the series that ends; one-date ones go with their date, in the same
    # role and order, at the date's new time; a date the new series does not hold is withdrawn.
    assert date_roles(mail_app, event) == {("ann", None): "creator", ("bob", None): "participant",
                                           ("cat", dates[0].begins_on): "participant"}
    assert date_roles(mail_app, new) == {("ann", None): "creator", ("cat", fourth): "participant",
                                         ("dan", fourth): "waitlisted"}
    page = people["dan"].get(f"/events/{new.uuid}").get_data(as_text=True)
    assert "in line" in page
    def sent(subject):
        return sorted(message["To"] for message in smtp.messages if message["Subject"].startswith(subject))

    # Those of the old series told it changed, those of the moved dates told of the new one, dan's fifth date
    # told cancelled.
    wait_until(lambda: len(sent("Changed")) >= 3 and sent("Date cancelled"))
    assert sent("Date cancelled") == ["dan@example.org"]
    assert {"bob@example.org", "cat@example.org", "dan@example.org"} <= set(sent("Changed"))


def join_every_date(app, people, event, username):
    return submit(people[username], f"/events/{event.uuid}/join", {"identity": identity_id(app, username)},
                  page=f"/events/{event.uuid}")


def test_joining_every_date_does_not_count_ones_own_seats_against_oneself(mail_app, people):
    event, dates = series(mail_app, people, capacity="1")
    join_date(mail_app, people, event, dates[0], "bob")
    # bob's seat on the first date is the one seat there: his seat on every date takes its place. The page
    # offers him to join every date, and says it is full to cat.
    assert "Join every date" in people["bob"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "This event is full." in people["cat"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "This event is full." not in flashed(people["bob"], join_every_date(mail_app, people, event, "bob"))
    assert date_roles(mail_app, event) == {("ann", None): "creator", ("bob", None): "participant"}


def test_waiting_for_every_date_replaces_ones_places_in_line_and_then_ones_seats(mail_app, people, smtp):
    event, dates = series(mail_app, people, capacity="1", waiting_list="y")
    join_date(mail_app, people, event, dates[0], "cat")
    join_date(mail_app, people, event, dates[0], "bob")  # in line behind cat
    join_date(mail_app, people, event, dates[1], "bob")  # a seat
    join_every_date(mail_app, people, event, "bob")
    # In line for every date (cat holds the first date's seat): his place in the first date's line goes,
    # his seat on the second stays until he has one on every date.
    assert date_roles(mail_app, event) == {("ann", None): "creator", ("cat", dates[0].begins_on): "participant",
                                           ("bob", None): "waitlisted", ("bob", dates[1].begins_on): "participant"}
    join_date(mail_app, people, event, dates[0], "cat", "leave")
    assert date_roles(mail_app, event) == {("ann", None): "creator", ("bob", None): "participant"}
