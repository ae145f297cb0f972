"""Groups on a real run.py server: made and joined through its pages, found by WebFinger, served as a
Group actor and as a calendar, and their members' list kept from everyone else."""
import re

import icalendar
import requests

from ..harness import RunningInstance, form_token

OPTION_RE = re.compile(r'<option[^>]*value="(\d+)"')


def first_identity(session, url):
    """The id of the first identity offered by the form at url."""
    return OPTION_RE.search(session.get(url, timeout=10).text).group(1)


def test_a_group_made_and_joined_on_a_running_server(tmp_path, instance_env):
    server = RunningInstance(tmp_path / "instance", env=instance_env)
    server.create_user("ann")
    server.create_user("bob")
    with server:
        base, host = server.base, server.base.split("//")[1]
        ann = server.session("ann@example.org")
        made = ann.post(f"{base}/groups/new", timeout=10, data={
            "csrf_token": form_token(ann, f"{base}/groups/new"), "identity": first_identity(ann, f"{base}/groups/new"),
            "username": "velo", "name": "Vélo club", "summary": "Rides on **Sundays**",
            "visibility": "public", "openness": "open"})
        assert made.status_code == 200 and "Vélo club" in made.text, made.text[-500:]

        bob = server.session("bob@example.org")
        joined = bob.post(f"{base}/@velo/join", timeout=10, data={
            "csrf_token": form_token(bob, f"{base}/@velo/join"), "identity": first_identity(bob, f"{base}/@velo/join")})
        assert joined.status_code == 200
        members = bob.get(f"{base}/@velo/members", timeout=10)
        assert members.status_code == 200 and "@ann" in members.text and "@bob" in members.text
        # Who belongs to the group is for its members only.
        assert requests.get(f"{base}/@velo/members", timeout=10).status_code == 404

        finger = requests.get(f"{base}/.well-known/webfinger", params={"resource": f"acct:velo@{host}"}, timeout=10)
        assert finger.status_code == 200
        actor_url = next(link["href"] for link in finger.json()["links"] if link.get("rel") == "self")
        actor = requests.get(actor_url, headers={"Accept": "application/activity+json"}, timeout=10).json()
        assert actor["type"] == "Group" and actor["openness"] == "open" and actor["memberCount"] == 2
        assert actor["endpoints"]["members"] == f"{actor_url}/members"

        assert "Vélo club" in requests.get(f"{base}/groups", timeout=10).text
        feed = requests.get(f"{base}/@velo/feed/ics", timeout=10)
        assert feed.status_code == 200
        assert "Vélo club" in str(icalendar.Calendar.from_ical(feed.content).get("X-WR-CALNAME"))
