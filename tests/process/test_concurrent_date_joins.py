"""The seats of one date of a series hold when many people join that date at the same moment on a real
running server: as many as its seats left get in, the others stand in its line, never more."""
from datetime import UTC, datetime, time, timedelta

from mobilizon_lite import create_app
from mobilizon_lite.models import Actor, EventOccurrence, Participation

from .. import databases
from ..harness import RunningInstance
from ..helpers import all_at_once, logged_in, make_account, make_event

CAPACITY = 3
PEOPLE = 10


def test_concurrent_joins_of_one_date_never_exceed_its_seats(tmp_path, test_settings, instance_env):
    server = RunningInstance(tmp_path / "instance", env=instance_env)
    app = create_app({**test_settings, **databases.instance_settings(server.path)}, instance_path=str(server.path))
    make_account(app, "organiser@example.org", "organiser")
    make_account(app, "whole@example.org", "whole")
    for number in range(PEOPLE):
        make_account(app, f"p{number}@example.org", f"p{number}")
    start = datetime.now(UTC).date() + timedelta(days=7)
    event = make_event(app, "organiser", capacity=CAPACITY, waiting_list=True, start_date=start,
                       start_time=time(19), end_time=time(21), repeat="WEEKLY",
                       repeat_weekdays=[("MO", "TU", "WE", "TH", "FR", "SA", "SU")[start.weekday()]])
    with app.app_context():
        ids = {actor.preferred_username: actor.id for actor in Actor.select()}
        date = (EventOccurrence.select().where(EventOccurrence.event == event.id)
                .order_by(EventOccurrence.begins_on).offset(1).first())
        # One person on every date: the date has one seat fewer than the event has.
        Participation.create(event=event.id, actor=ids["whole"], role="participant")

    base = server.start().base
    page = f"{base}/events/{event.uuid}"
    statuses = []

    def press_join(session, token, identity):
        response = session.post(f"{page}/dates/{date.id}/join", allow_redirects=False, timeout=60,
                                data={"csrf_token": token, "identity": identity}, headers={"Referer": page})
        statuses.append(response.status_code)

    try:
        all_at_once(press_join, [(*logged_in(base, f"p{number}@example.org", page), ids[f"p{number}"])
                                 for number in range(PEOPLE)])
    finally:
        output = server.stop()

    assert statuses == [302] * PEOPLE, output[-3000:]
    with app.app_context():
        rows = list(Participation.select().where((Participation.event == event.id)
                                                 & (Participation.recurrence_id == date.begins_on)))
    roles = sorted(row.role for row in rows)
    assert roles == ["participant"] * (CAPACITY - 1) + ["waitlisted"] * (PEOPLE - CAPACITY + 1)
