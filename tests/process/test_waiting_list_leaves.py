"""A waiting list holds when many people leave a full event at the same moment on a real running server:
the seats freed go to the first in line, in order, each told once by email."""
from mobilizon_lite.models import Actor, Event, OutgoingMail, Participation
from mobilizon_lite.models.mail import SENT
from mobilizon_lite.services import participation

from ..harness import RunningInstance
from ..helpers import MailCatcher, all_at_once, logged_in, make_account, make_event, open_instance, wait_until

CAPACITY = 4
IN_LINE = 8
# Besides every participant, these leave the line at the same moment (0 is first in line).
LEAVING_THE_LINE = (1, 5)


def test_concurrent_leaves_seat_the_first_in_line_once_each(tmp_path, test_settings, instance_env):
    smtp = MailCatcher()
    smtp.controller.start()
    env = dict(instance_env, MOBILIZON_LITE_SMTP_HOST="127.0.0.1", MOBILIZON_LITE_SMTP_PORT=str(smtp.port))
    server = RunningInstance(tmp_path / "instance", env=env)
    app = open_instance(server.path, test_settings)
    make_account(app, "organiser@example.org", "organiser")
    seated = [f"p{number}" for number in range(CAPACITY)]
    line = [f"w{number}" for number in range(IN_LINE)]
    for name in seated + line:
        make_account(app, f"{name}@example.org", name)
    event = make_event(app, "organiser", capacity=CAPACITY, waiting_list=True)
    with app.app_context():
        ids = {actor.preferred_username: actor.id for actor in Actor.select()}
        for name in seated + line:  # one after the other: the order of the line
            participation.join(Event.get_by_id(event.id), Actor.get_by_id(ids[name]))
    leaving = seated + [line[index] for index in LEAVING_THE_LINE]

    base = server.start().base
    page = f"{base}/events/{event.uuid}"
    statuses = []

    def press_leave(session, token, identity):
        response = session.post(f"{page}/leave", allow_redirects=False, timeout=60,
                                data={"csrf_token": token, "identity": identity}, headers={"Referer": page})
        statuses.append(response.status_code)

    try:
        all_at_once(press_leave, [(*logged_in(base, f"{name}@example.org", page), ids[name]) for name in leaving])
        # Emails queued with the seats given leave from the server's mail job.
        with app.app_context():
            wait_until(lambda: not OutgoingMail.select().where(OutgoingMail.state != SENT).exists(), timeout=30)
    finally:
        output = server.stop()
        smtp.controller.stop()

    assert statuses == [302] * len(leaving), output[-3000:]
    remaining_line = [name for index, name in enumerate(line) if index not in LEAVING_THE_LINE]
    with app.app_context():
        rows = {row.actor.preferred_username: row.role for row in Participation.select().where(
            (Participation.event == event.id) & (Participation.role != "creator"))}
    assert rows == {**{name: "participant" for name in remaining_line[:CAPACITY]},
                    **{name: "waitlisted" for name in remaining_line[CAPACITY:]}}
    # Each person seated is told once; one who left the line may have been seated (and told) just before
    # their leave came.
    told = [message["To"].split("@")[0] for message in smtp.messages if "A seat for you" in message["Subject"]]
    assert len(told) == len(set(told))
    assert set(remaining_line[:CAPACITY]) <= set(told)
    assert set(told) - set(remaining_line[:CAPACITY]) <= {line[index] for index in LEAVING_THE_LINE}
