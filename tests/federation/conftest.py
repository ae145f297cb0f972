"""Fixtures shared by the federation tests: remote keys, an instance that knows a few remote actors, and the
captured payloads of other software."""
import os
from pathlib import Path

import pytest

from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.models import Actor

from ..helpers import make_account

REMOTE = "https://remote.example"
ACTOR = f"{REMOTE}/users/alice"
EVE = "https://elsewhere.example/users/eve"
# Real payloads from other software, kept beside the project (CI lays shared/ out the same way).
FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "activitypub"


@pytest.fixture(scope="session")
def shared_fixtures():
    """The captured payloads' folder. When it is missing its tests skip on a developer's machine, but fail
    when CI is set: a clean clone in CI must run them, never report them skipped."""
    if not FIXTURES.is_dir():
        message = f"fixtures not found at {FIXTURES}"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"{message}, and CI is set: the tests that need them must run")
        pytest.skip(message)
    return FIXTURES


# Session-scoped, so the check runs before any instance a module would start for nothing.
needs_fixtures = pytest.mark.usefixtures("shared_fixtures")


def fixture_names(pattern):
    """Paths (relative to FIXTURES) of the payloads matching pattern. A placeholder stands in when the folder
    is missing, so that the tests are still collected and meet shared_fixtures instead of being dropped as an
    empty parameter set."""
    if not FIXTURES.is_dir():
        return [f"missing/{pattern}"]
    return sorted(str(path.relative_to(FIXTURES)) for path in FIXTURES.glob(pattern))


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
