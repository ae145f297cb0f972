"""A follow request sent many times at the same moment (the button pressed again and again) from one real
instance to another: each press is answered as if they came one after the other (sent, or already asked),
never with a server error; one request is stored, and bob gets one follower."""
import pytest

from ..helpers import all_at_once, logged_in, wait_until
from .live import identity_id

pytestmark = pytest.mark.slow

PRESSES = 6
ALREADY = "You already follow this account, or asked to."


def test_a_follow_pressed_many_times_at_once_is_one_request(instances):
    a, b = instances
    page = f"{a.base}/identities/"
    presses = [logged_in(a.base, "ann@example.org", page) for _press in range(PRESSES)]
    identity = identity_id(a, presses[0][0])
    answers = []

    def press_follow(session, token):
        response = session.post(f"{a.base}/identities/follow", allow_redirects=False, timeout=60, data={
            "csrf_token": token, "identity": identity, "handle": f"@bob@{b.host}:{b.port}"})
        answers.append((response.status_code, ALREADY in response.text))

    all_at_once(press_follow, presses)
    assert len(answers) == PRESSES and (302, False) in answers, (answers, a.output()[-3000:])
    assert set(answers) <= {(302, False), (400, True)}, (answers, a.output()[-3000:])
    assert a.query("SELECT count(*) AS n FROM follow") == [{"n": 1}]
    wait_until(lambda: b.collection_size("/@bob/followers") == 1, timeout=20)
    wait_until(lambda: a.collection_size("/@ann/following") == 1, timeout=20)  # bob's server accepted it
