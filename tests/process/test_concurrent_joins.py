"""Capacity holds when many people press "join" at the same moment on a real running server."""
from mobilizon_lite.models import Actor, Participation

from ..harness import RunningInstance
from ..helpers import all_at_once, logged_in, make_account, make_event, open_instance

CAPACITY = 3
PEOPLE = 12


def test_concurrent_joins_never_exceed_capacity(tmp_path, test_settings, instance_env):
    server = RunningInstance(tmp_path / "instance", env=instance_env)
    instance_path = server.path
    app = open_instance(instance_path, test_settings)
    make_account(app, "organiser@example.org", "organiser")
    for number in range(PEOPLE):
        make_account(app, f"p{number}@example.org", f"p{number}")
    event = make_event(app, "organiser", capacity=CAPACITY)
    with app.app_context():
        ids = {a.preferred_username: a.id for a in Actor.select()}

    base = server.start().base
    page = f"{base}/events/{event.uuid}"
    statuses = []

    def press_join(session, token, identity):
        response = session.post(f"{page}/join", allow_redirects=False, timeout=60,
                                data={"csrf_token": token, "identity": identity}, headers={"Referer": page})
        # A refusal is said on the event's page the redirect leads to.
        shown = session.get(base + response.headers.get("Location", ""), timeout=60).text
        statuses.append((response.status_code, "This event is full." in shown))

    try:
        all_at_once(press_join, [(*logged_in(base, f"p{number}@example.org", page), ids[f"p{number}"])
                                 for number in range(PEOPLE)])
    finally:
        output = server.stop()

    assert sorted(statuses) == [(302, False)] * CAPACITY + [(302, True)] * (PEOPLE - CAPACITY), output[-3000:]
    with app.app_context():
        assert Participation.select().where(
            (Participation.event == event.id) & (Participation.role == "participant")).count() == CAPACITY
