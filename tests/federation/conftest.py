"""Fixtures shared by the federation tests: remote keys, and an instance that knows a few remote actors."""
import pytest

from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.models import Actor

from ..helpers import make_account

REMOTE = "https://remote.example"
ACTOR = f"{REMOTE}/users/alice"
EVE = "https://elsewhere.example/users/eve"


@pytest.fixture(scope="session")
def remote_keys():
    """Two RSA key pairs (private PEM, public PEM): alice's, and another one."""
    return generate_key_pair(), generate_key_pair()


@pytest.fixture
def fed(app, remote_keys):
    """An instance with the account ann and three remote actors: alice and mallory (remote.example, alice's key
    and the other one) and eve (elsewhere.example, the other key)."""
    (_private, public), (_other, other_public) = remote_keys
    make_account(app)
    with app.app_context():
        Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR, public_key_pem=public,
                     inbox=f"{ACTOR}/inbox", shared_inbox=f"{REMOTE}/inbox")
        Actor.create(preferred_username="mallory", domain="remote.example", ap_id=f"{REMOTE}/users/mallory",
                     public_key_pem=other_public, inbox=f"{REMOTE}/users/mallory/inbox")
        Actor.create(preferred_username="eve", domain="elsewhere.example", ap_id=EVE,
                     public_key_pem=other_public, inbox=f"{EVE}/inbox")
    return app
