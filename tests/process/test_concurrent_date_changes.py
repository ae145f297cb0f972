"""One date of a series cancelled by many requests at the same moment on a real running server: each is
answered as if they came one after the other (cancelled, or no longer a date to cancel: 404), never with a
server error, and the date holds one override, whichever database holds it."""
from datetime import UTC, datetime, time, timedelta

from mobilizon_lite import create_app
from mobilizon_lite.models import EventOccurrence, OccurrenceOverride

from .. import databases
from ..harness import RunningInstance
from ..helpers import all_at_once, logged_in, make_account, make_event

PRESSES = 8


def test_concurrent_cancels_of_one_date_all_succeed(tmp_path, test_settings, instance_env):
    server = RunningInstance(tmp_path / "instance", env=instance_env)
    app = create_app({**test_settings, **databases.instance_settings(server.path)}, instance_path=str(server.path))
    make_account(app, "organiser@example.org", "organiser")
    start = datetime.now(UTC).date() + timedelta(days=7)
    event = make_event(app, "organiser", start_date=start, start_time=time(19), end_time=time(21), repeat="WEEKLY",
                       repeat_weekdays=[("MO", "TU", "WE", "TH", "FR", "SA", "SU")[start.weekday()]])
    with app.app_context():
        date = (EventOccurrence.select().where(EventOccurrence.event == event.id)
                .order_by(EventOccurrence.begins_on).offset(1).first())

    base = server.start().base
    page = f"{base}/events/{event.uuid}"
    action = f"{page}/dates/{date.id}/cancel"
    statuses = []

    def press_cancel(session, token):
        response = session.post(action, allow_redirects=False, timeout=60, data={"csrf_token": token},
                                headers={"Referer": action})
        statuses.append(response.status_code)

    try:
        all_at_once(press_cancel, [logged_in(base, "organiser@example.org", action) for _press in range(PRESSES)])
    finally:
        output = server.stop()

    assert len(statuses) == PRESSES and 302 in statuses and set(statuses) <= {302, 404}, (statuses, output[-3000:])
    with app.app_context():
        overrides = list(OccurrenceOverride.select().where(OccurrenceOverride.event == event.id))
    assert [(row.recurrence_id, row.cancelled) for row in overrides] == [(date.begins_on, True)]
