"""People of every role in one group, their clients, and signed fetches: what the tests of group posts
and discussions share."""
import pytest

from mobilizon_lite.activitypub.signatures import sign_headers
from mobilizon_lite.models import Actor
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import groups

from ..helpers import BASE_URL, log_in, make_account, make_group

AS_JSON = {"Accept": "application/activity+json"}
# One person per place in the club (ann created it: administrator), and olga, who has none.
PEOPLE = {"ann": Role.ADMINISTRATOR, "mona": Role.MODERATOR, "bob": Role.MEMBER, "nina": Role.NOT_APPROVED,
          "ivan": Role.INVITED, "rita": Role.REJECTED, "olga": None}


@pytest.fixture(name="club")
def club_fixture(app):
    """The group @club with one person of each role (see PEOPLE)."""
    for username in PEOPLE:
        make_account(app, email=f"{username}@example.org", username=username)
    group = make_group(app)
    with app.app_context():
        for username, role in PEOPLE.items():
            if role not in (None, Role.ADMINISTRATOR):
                groups.new_member_row(group, Actor.get(Actor.preferred_username == username), role)
    return group


def client_of(app, username):
    """A client logged in as username's account (None: a visitor)."""
    client = app.test_client()
    if username is not None:
        log_in(client, email=f"{username}@example.org")
    return client


def signed_get(app, path, username):
    """GET path as ActivityStreams, signed with the key of username's identity (as its server would)."""
    with app.app_context():
        actor = Actor.get(Actor.preferred_username == username)
        headers = sign_headers("GET", f"{BASE_URL}{path}", f"{actor.ap_id}#main-key", actor.private_key_pem)
    return app.test_client().get(path, base_url=BASE_URL, headers={**headers, **AS_JSON})
