"""A group's calendar and Atom feeds: its public events and public posts, read back by real parsers."""
from datetime import date, timedelta

import feedparser
import pytest

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Actor, Event, Member, Post
from mobilizon_lite.services import posts as post_service
from mobilizon_lite.services.groups import new_member_row

from ..calendar_readers import by_three, parse_both, utc_seconds, vevents
from ..helpers import log_in, make_account, make_event, make_group, submit


@pytest.fixture
def club(app):
    """ann administers the group @club; bob is one of its members."""
    make_account(app)
    make_account(app, "bob@example.org", "bob")
    group = make_group(app)
    with app.app_context():
        new_member_row(group, Actor.get(Actor.preferred_username == "bob"), "member")
    return group


def make_post(app, group, title, visibility="public", draft=False, body="Hello *all*"):
    """A group's post written by ann, its administrator, through the posts service."""
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        fields = {"title": title, "body": body, "visibility": visibility, "draft": draft}
        return post_service.create_post(group, ann, fields)


def group_content(app, group):
    """One event and one post of every kind: only the public ones may reach a public feed."""
    events = {visibility: make_event(app, group=group, title=f"{visibility} meeting", visibility=visibility)
              for visibility in ("public", "unlisted", "private")}
    make_event(app, title="ann's own picnic")  # ann's, not the group's
    posts = {"public": make_post(app, group, "Public news"),
             "members": make_post(app, group, "Members only", "members"),
             "draft": make_post(app, group, "Draft", draft=True)}
    return events, posts


def test_group_calendar_has_only_its_public_events_for_every_reader(app, club, client):
    events, _posts = group_content(app, club)
    response = client.get("/@club/feed/ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300" and response.headers["ETag"]
    cal, vcal = parse_both(response.data)
    assert str(cal["X-WR-CALNAME"]) == "club (@club)"
    [vevent] = vevents(cal)
    assert str(vevent["SUMMARY"]) == "public meeting"
    assert str(vevent["URL"]) == f"http://events.test/events/{events['public'].uuid}"
    assert [e.summary.value for e in vcal.vevent_list] == ["public meeting"]
    public = events["public"]
    expected = {f"{public.uuid}@events.test": (utc_seconds(public.begins_on), utc_seconds(public.ends_on))}
    assert {name: found for name, found in by_three(response.data).items()} == {
        "icalendar": expected, "vobject": expected, "ical.js": expected}


def test_group_atom_has_public_events_and_published_public_posts_only(app, club, client):
    _events, posts = group_content(app, club)
    response = client.get("/@club/feed/atom")
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.id == "http://events.test/@club/feed/atom" and parsed.feed.title == "club (@club)"
    assert sorted(entry.title for entry in parsed.entries) == ["Public news", "public meeting"]
    [post] = [entry for entry in parsed.entries if entry.title == "Public news"]
    assert post.id == posts["public"].ap_id and post.link == f"http://events.test/p/{posts['public'].slug}"
    assert post.author == "club" and "<em>all</em>" in post.content[0].value
    for hidden in (b"Members only", b"Draft", b"private meeting", b"unlisted meeting", b"picnic", b"bob"):
        assert hidden not in response.data


def test_a_member_sees_no_more_in_the_public_feeds(app, club):
    group_content(app, club)
    member = app.test_client()
    log_in(member, "bob@example.org")
    anonymous = app.test_client()
    for path in ("/@club/feed/ics", "/@club/feed/atom"):
        assert member.get(path).data == anonymous.get(path).data


@pytest.mark.parametrize("path", ["/@club/feed/ics", "/@club/feed/atom"])
def test_a_new_group_event_changes_the_etag(app, club, client, path):
    group_content(app, club)
    etag = client.get(path).headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    make_event(app, group=club, title="Another meeting", start_date=date.today() + timedelta(days=3))
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200 and b"Another meeting" in response.data
    # Its private events change nothing anyone outside sees.
    etag = response.headers["ETag"]
    make_event(app, group=club, title="Board meeting", visibility="private")
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_editing_or_publishing_a_post_changes_the_atom_etag(app, club, client):
    _events, posts = group_content(app, club)
    etag = client.get("/@club/feed/atom").headers["ETag"]
    with app.app_context():
        Post.update(title="Public news, corrected", updated_at=utcnow() + timedelta(seconds=1)).where(
            Post.id == posts["public"].id).execute()
    response = client.get("/@club/feed/atom", headers={"If-None-Match": etag})
    assert response.status_code == 200 and b"Public news, corrected" in response.data
    etag = response.headers["ETag"]
    with app.app_context():
        Post.update(draft=False, published_at=utcnow()).where(Post.id == posts["draft"].id).execute()
    response = client.get("/@club/feed/atom", headers={"If-None-Match": etag})
    assert response.status_code == 200 and b"Draft" in response.data


def test_an_unlisted_group_serves_its_feeds_by_link(app, club, client):
    make_group(app, "quiet", visibility="unlisted")
    with app.app_context():
        quiet = Actor.get(Actor.preferred_username == "quiet")
    make_event(app, group=quiet, title="Quiet walk")
    assert b"Quiet walk" in client.get("/@quiet/feed/ics").data
    assert client.get("/@quiet/feed/atom").status_code == 200


def test_a_missing_or_deleted_group_has_no_feed(app, club, client):
    assert client.get("/@nobody/feed/ics").status_code == 404
    with app.app_context():
        Actor.update(deleted_at=utcnow()).where(Actor.id == club.id).execute()
        Event.delete().execute()
    assert client.get("/@club/feed/ics").status_code == 410
    assert client.get("/@club/feed/atom").status_code == 410


def private_feed_path(client):
    """The path of the logged-in account's private calendar, issued through its settings page."""
    submit(client, "/settings/feeds/all/issue", {}, page="/settings/feeds")
    page = client.get("/settings/feeds").get_data(as_text=True)
    url = page.split('id="ics-all" type="text" readonly value="')[1].split('"')[0]
    return url.replace("http://events.test", "")


def test_a_members_private_feed_has_its_groups_events_and_no_one_elses(app, club):
    make_account(app, "cat@example.org", "cat")
    group_content(app, club)
    closed = make_event(app, group=club, title="Closed call", join_mode="restricted",
                        online_url="https://meet.example.org/closed-call")
    bob, cat = app.test_client(), app.test_client()
    log_in(bob, "bob@example.org")
    log_in(cat, "cat@example.org")
    path = private_feed_path(bob)
    response = bob.get(path)
    cal, vcal = parse_both(response.data)
    summaries = sorted(str(e["SUMMARY"]) for e in vevents(cal))
    assert summaries == ["Closed call", "private meeting", "public meeting", "unlisted meeting"]
    assert sorted(e.summary.value for e in vcal.vevent_list) == summaries
    # bob belongs to the group but does not take part: confirmed, and no restricted online address.
    [entry] = [e for e in vevents(cal) if str(e["SUMMARY"]) == "Closed call"]
    assert str(entry["STATUS"]) == "CONFIRMED" and b"closed-call" not in response.data
    assert closed.online_url
    # Leaving the group takes its events out of the feed (a new ETag).
    etag = response.headers["ETag"]
    with app.app_context():
        bob_identity = Actor.get(Actor.preferred_username == "bob")
        Member.delete().where((Member.group == club) & (Member.actor == bob_identity)).execute()
    response = bob.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200 and vevents(parse_both(response.data)[0]) == []
    assert vevents(parse_both(cat.get(private_feed_path(cat)).data)[0]) == []
