"""run.py subscriptions: add subscribes an identity or a group to a calendar served on loopback (and
syncs it once, showing progress), list shows each subscription's state, sync fetches those due (or
all) with a line each and a summary; refusals are a message and exit status 1."""
from datetime import timedelta

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import CalendarSubscription, Event

from ..helpers import CalendarFeed, Feed, loopback_server, make_account, make_group, open_instance, run_cli
from ..ics_samples import NEXTCLOUD, calendar, vevent


def test_subscriptions_add_list_and_sync(tmp_path, instance_env):
    path = tmp_path / "instance"
    app = open_instance(path)
    make_account(app)
    make_group(app, "club")
    env = dict(instance_env, MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS="127.0.0.0/8")
    feed = Feed(NEXTCLOUD)
    with loopback_server(CalendarFeed, feed=feed) as url:
        added = run_cli(path, "subscriptions", "add", f"{url}/nextcloud.ics", "--identity", "ann", env=env)
        assert added.returncode == 0, added.stderr
        assert "events: 3/3" in added.stdout and "Subscribed." in added.stdout
        assert "@ann" in added.stdout and "3 created" in added.stdout

        club = Feed(calendar(vevent("night@club", "Club night")))
        with loopback_server(CalendarFeed, feed=club) as club_url:
            group = run_cli(path, "subscriptions", "add", f"{club_url}/club.ics", "--group", "club", "--every", "6",
                            env=env)
            assert group.returncode == 0, group.stderr
            listed = run_cli(path, "subscriptions", "list", env=env)
            assert listed.returncode == 0, listed.stderr
            assert f"@club {club_url}/club.ics every 6 h; ok;" in listed.stdout
            assert f"@ann {url}/nextcloud.ics every 1 h; ok;" in listed.stdout
            assert "2 subscriptions." in listed.stdout

            nothing = run_cli(path, "subscriptions", "sync", env=env)
            assert nothing.returncode == 0, nothing.stderr
            assert "0 subscriptions fetched, 0 failed" in nothing.stdout

            # The club's calendar is due and has a new event; ann's is not due.
            with app.app_context():
                CalendarSubscription.update(next_due=utcnow() - timedelta(minutes=1)).where(
                    CalendarSubscription.url == f"{club_url}/club.ics").execute()
            club.serve(calendar(vevent("night@club", "Club night"), vevent("quiz@club", "Quiz")))
            due = run_cli(path, "subscriptions", "sync", env=env)
            assert due.returncode == 0, due.stderr
            assert "[1/1]" in due.stdout and "ok (1 created, 0 updated, 0 removed)" in due.stdout
            assert "1 subscription fetched, 0 failed; events: 1 created, 0 updated, 0 removed" in due.stdout

        # The club's server is gone now; ann's calendar did not change (the server answers 304).
        every = run_cli(path, "subscriptions", "sync", "--all", env=env)
        assert every.returncode == 0, every.stderr
        assert "nextcloud.ics: not_modified" in every.stdout and "club.ics: fetch_failed: " in every.stdout
        assert "2 subscriptions fetched, 1 failed" in every.stdout
        assert "If-None-Match" in feed.requests[-1]

        unknown = run_cli(path, "subscriptions", "add", f"{url}/x.ics", "--identity", "nobody", env=env)
        assert unknown.returncode == 1 and "No local identity is called nobody." in unknown.stderr
        ftp = run_cli(path, "subscriptions", "add", "ftp://example.org/x.ics", "--identity", "ann", env=env)
        assert ftp.returncode == 1 and "http:// or https:// address" in ftp.stderr
    private = run_cli(path, "subscriptions", "add", "http://127.0.0.1:9/x.ics", "--identity", "ann",
                      env=instance_env)
    assert private.returncode == 1 and "forbidden address" in private.stderr
    with app.app_context():
        assert CalendarSubscription.select().count() == 2
        assert Event.select().count() == 5
