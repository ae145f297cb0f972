"""Three real instances on loopback: B's events reach A and C; A's identity joins, comments and follows
the event's life on B; capacity holds across instances; C, down during an update, gets it once back."""
import re
import threading

import icalendar
import pytest
import requests

from ..helpers import event_fields, wait_until
from .live import copy_of, create_event, follow, join, participant_count, post_form

pytestmark = pytest.mark.slow


@pytest.fixture
def trio(tmp_path, federating):
    a, b, c = (federating(tmp_path, "127.0.0.2", "alpha"), federating(tmp_path, "127.0.0.3", "beta"),
               federating(tmp_path, "127.0.0.4", "gamma"))
    for instance, username in ((a, "ann"), (b, "bob"), (b, "bea"), (c, "cat")):
        instance.create_user(username)
    for instance in (a, b, c):
        instance.start()
    yield a, b, c
    for instance in (a, b, c):
        instance.stop()


def edit_event(instance, session, uuid, **fields):
    page = f"/events/{uuid}/edit"
    response = post_form(instance, session, page, event_fields(**fields), page=page)
    assert response.status_code == 302, response.text[-3000:]


def page_of(instance, session, uuid):
    return session.get(f"{instance.base}/events/{uuid}", timeout=10)


def shows(instance, session, uuid, text, timeout=30):
    wait_until(lambda: text in page_of(instance, session, uuid).text, timeout=timeout)


def starts_at(instance, session, uuid, clock):
    """True once the instance's page of the event shows it starting at clock (as English pages write it)."""
    return re.search(rf"\b{clock}\s*PM", page_of(instance, session, uuid).text) is not None


def feed_link(instance, session):
    post_form(instance, session, "/settings/feeds/all/issue", {}, page="/settings/feeds")
    return re.search(r'id="ics-all" type="text" readonly value="([^"]+)"',
                     session.get(instance.base + "/settings/feeds").text).group(1)


def test_events_participation_and_comments_across_three_instances(trio):
    a, b, c = trio
    ann, bob, bea, cat = (a.session("ann@example.org"), b.session("bob@example.org"), b.session("bea@example.org"),
                          c.session("cat@example.org"))
    follow(a, ann, f"@bob@{b.host}:{b.port}")
    follow(c, cat, f"{b.base}/@bob")
    wait_until(lambda: b.collection_size("/@bob/followers") == 2, timeout=30)
    wait_until(lambda: a.collection_size("/@ann/following") == 1 and c.collection_size("/@cat/following") == 1,
               timeout=30)

    # B publishes: the events reach A and C, marked as coming from B.
    picnic = create_event(b, bob, title="Picnic", capacity="5")
    workshop = create_event(b, bob, title="Bike workshop", join_mode="restricted")
    last_seat = create_event(b, bob, title="Last seat", capacity="1")
    picnic_a, workshop_a, last_seat_a = (copy_of(a, title) for title in ("Picnic", "Bike workshop", "Last seat"))
    picnic_c = copy_of(c, "Picnic")
    assert f"This event comes from {b.host}:{b.port}." in page_of(a, ann, picnic_a).text

    # Free: accepted by B at once. Restricted: pending until bob approves on B.
    assert join(a, ann, picnic_a, "Hello from alpha").status_code == 302
    shows(a, ann, picnic_a, "You take part as @ann.")
    wait_until(lambda: participant_count(b, picnic) == 1, timeout=10)
    join(a, ann, workshop_a)
    assert f"awaits the answer of {b.host}:{b.port}" in page_of(a, ann, workshop_a).text
    participants = f"/events/{workshop}/participants"
    wait_until(lambda: "@ann@" in bob.get(b.base + participants).text, timeout=30)
    row = re.search(r'action="(/events/[^"]+/participants/\d+/approve)"', bob.get(b.base + participants).text).group(1)
    assert post_form(b, bob, row, {}, page=participants).status_code == 302
    shows(a, ann, workshop_a, "You take part as @ann.")

    # One seat left, a local and a remote join at once: exactly one wins, and both sides agree.
    # A's Join leaves as soon as ann's click is committed, so both clicks start together.
    outcomes = {}
    threads = [threading.Thread(target=lambda: outcomes.update(ann=join(a, ann, last_seat_a).status_code)),
               threading.Thread(target=lambda: outcomes.update(bea=join(b, bea, last_seat).status_code))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ann_state = {}

    def ann_decided():
        text = page_of(a, ann, last_seat_a).text
        ann_state["in"] = "You take part as @ann." in text
        return ann_state["in"] or "declined your participation" in text

    wait_until(ann_decided, timeout=30)
    assert participant_count(b, last_seat) == 1
    # A full event answers the refused click with its page, saying so.
    bea_in = "You take part as @bea." in page_of(b, bea, last_seat).text
    assert ann_state["in"] != bea_in and outcomes["bea"] == 302

    # A's private calendar feed carries the picnic; B moves it while C is down.
    feed = feed_link(a, ann)

    def picnic_in_feed():
        calendar = icalendar.Calendar.from_ical(requests.get(feed, timeout=5).content)
        return next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Picnic")

    assert int(picnic_in_feed()["SEQUENCE"]) == 0 and starts_at(a, ann, picnic_a, "2:00")
    c.stop()
    edit_event(b, bob, picnic, title="Picnic", capacity="5", start_time="16:00", end_time="19:00")
    wait_until(lambda: starts_at(a, ann, picnic_a, "4:00"), timeout=30)
    wait_until(lambda: int(picnic_in_feed()["SEQUENCE"]) == 1, timeout=10)
    assert picnic_in_feed().decoded("DTSTART").hour == 16
    c.start()
    wait_until(lambda: starts_at(c, cat, picnic_c, "4:00"), timeout=60)

    # Comments both ways.
    page = f"/events/{picnic_a}"
    assert post_form(a, ann, f"{page}/comments", {"text": "I bring the **cake**"}, page=page).status_code == 302
    shows(b, bob, picnic, "I bring the <strong>cake</strong>")
    page = f"/events/{picnic}"
    post_form(b, bob, f"{page}/comments", {"text": "Thanks, ann!"}, page=page)
    shows(a, ann, picnic_a, "Thanks, ann!")

    # Cancelled, then deleted on B: A follows.
    edit_event(b, bob, picnic, title="Picnic", capacity="5", start_time="16:00", end_time="19:00")
    post_form(b, bob, f"/events/{picnic}/cancel", {}, page=f"/events/{picnic}/cancel")
    shows(a, ann, picnic_a, "This event is cancelled.")
    post_form(b, bob, f"/events/{picnic}/delete", {}, page=f"/events/{picnic}/delete")
    wait_until(lambda: page_of(a, ann, picnic_a).status_code == 404, timeout=30)
    wait_until(lambda: page_of(c, cat, picnic_c).status_code == 404, timeout=60)
