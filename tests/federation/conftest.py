"""Fixtures shared by the federation tests: remote keys, an instance that knows a few remote actors, a
loopback server of actor documents, running instances that federate, a bovine peer beside one, and the
captured payloads of other software."""
import os

import pytest

from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.models import Actor

from ..harness import RunningInstance
from ..helpers import loopback_server, make_account
from .captured import FIXTURES
from .live import FEDERATING
from .peer import Peer
from .remote import ACTOR, EVE, REMOTE, ActorServer


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


@pytest.fixture(scope="session")
def remote_keys():
    """Two RSA key pairs (private PEM, public PEM): alice's, and another one. Fresh ones, not from the key
    pool, so they differ from every key the app gives its own actors."""
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


@pytest.fixture
def actor_server():
    """The base URL of an ActorServer on 127.0.0.2, its documents, redirects and hits emptied."""
    ActorServer.documents, ActorServer.redirects, ActorServer.hits = {}, {}, []
    with loopback_server(ActorServer, "127.0.0.2") as url:
        yield url


@pytest.fixture(scope="session")
def federating(instance_env):
    """A factory of RunningInstances (not started) named name in folder, on host, with accounts for
    usernames, that reach each other on loopback and retry deliveries within seconds."""
    def make(folder, host, name, *usernames):
        instance = RunningInstance(folder / name, host, env={**instance_env, **FEDERATING}, name=name)
        for username in usernames:
            instance.create_user(username)
        return instance

    return make


@pytest.fixture
def instances(tmp_path, federating):
    """Two running instances for the test: alpha with ann on 127.0.0.2, beta with bob on 127.0.0.3
    (modules may define their own)."""
    a, b = federating(tmp_path, "127.0.0.2", "alpha", "ann"), federating(tmp_path, "127.0.0.3", "beta", "bob")
    a.start()
    b.start()
    yield a, b
    for instance in (a, b):
        instance.stop()


@pytest.fixture(scope="module")
def instance(tmp_path_factory, federating):
    """A running instance with ann, on 127.0.0.5, for the module (modules may define their own)."""
    with federating(tmp_path_factory.mktemp("peer"), "127.0.0.5", "ours", "ann") as server:
        yield server


@pytest.fixture(scope="module")
def peer():
    """A server built on bovine (see peer.py) on 127.0.0.6, for the module."""
    server = Peer("127.0.0.6").start()
    yield server
    server.stop()
