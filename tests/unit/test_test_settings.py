"""The settings that make tests fast: identities take keys from a pool, passwords get a cheap hash; both
refused on an instance others can reach, and hashes made under any setting keep verifying."""
import pytest
from cryptography.hazmat.primitives import serialization

from mobilizon_lite import create_app
from mobilizon_lite.activitypub.keys import pool_files
from mobilizon_lite.config import DEFAULT_PASSWORD_HASH, ConfigError
from mobilizon_lite.models import Account, Actor
from mobilizon_lite.services import accounts

from ..databases import instance_settings
from ..helpers import PASSWORD, make_account, run_cli


def pool_pairs(test_settings):
    return [path.read_text() for path in pool_files(test_settings["TEST_KEY_POOL"])]


def test_identities_take_distinct_keys_from_the_pool(app, test_settings):
    pool = pool_pairs(test_settings)
    for number in range(4):
        make_account(app, f"p{number}@example.org", f"p{number}")
    with app.app_context():
        pairs = [(actor.private_key_pem, actor.public_key_pem) for actor in Actor.select()]
    assert all(private + public in pool for private, public in pairs)
    assert len(set(pairs)) == 4
    # Each pair is whole: the public key is the private key's.
    for private, public in pairs:
        derived = serialization.load_pem_private_key(private.encode(), None).public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        assert derived.decode() == public


def test_without_a_pool_keys_are_generated(tmp_path, app_config, test_settings):
    app = create_app(dict(app_config, TEST_KEY_POOL=None), instance_path=str(tmp_path / "i"))
    make_account(app)
    with app.app_context():
        actor = Actor.get()
    assert actor.private_key_pem + actor.public_key_pem not in pool_pairs(test_settings)


@pytest.mark.parametrize("base_url", ["https://events.example.org", "http://127.0.0.2:5000", "http://[::1]:5000",
                                      "http://events.test", "https://www.example.com", "http://localhost:5000"])
def test_test_settings_work_on_test_addresses(tmp_path, app_config, base_url):
    create_app(dict(app_config, BASE_URL=base_url), instance_path=str(tmp_path / "i"))


@pytest.mark.parametrize("base_url", ["https://events.org", "http://pi.local:5000", "http://192.168.1.20:5000",
                                      "https://example.org.evil.net", "https://mytest.social"])
@pytest.mark.parametrize("name", ["TEST_KEY_POOL", "PASSWORD_HASH_METHOD"])
def test_test_settings_are_refused_on_an_address_others_can_reach(tmp_path, app_config, base_url, name):
    config = dict(app_config, BASE_URL=base_url, TEST_KEY_POOL=None, PASSWORD_HASH_METHOD=DEFAULT_PASSWORD_HASH)
    config[name] = app_config[name]
    with pytest.raises(ConfigError, match=f"{name} .* is for tests only, and refused for BASE_URL"):
        create_app(config, instance_path=str(tmp_path / "i"))


@pytest.mark.parametrize("method", ["scrypt:65536:8:1", DEFAULT_PASSWORD_HASH])
def test_a_password_hash_at_least_as_strong_is_fine_anywhere(tmp_path, app_config, method):
    config = dict(app_config, BASE_URL="https://events.org", TEST_KEY_POOL=None, PASSWORD_HASH_METHOD=method)
    create_app(config, instance_path=str(tmp_path / "i"))


@pytest.mark.parametrize("method", ["pbkdf2:sha256:600000", "scrypt:1000:8:1", "scrypt", "scrypt:1024:0:1", 7])
def test_a_password_hash_method_must_be_scrypt_with_its_parameters(tmp_path, app_config, method):
    with pytest.raises(ConfigError, match="PASSWORD_HASH_METHOD must be"):
        create_app(dict(app_config, PASSWORD_HASH_METHOD=method), instance_path=str(tmp_path / "i"))


def test_a_pool_without_keys_is_refused(tmp_path, app_config):
    with pytest.raises(ConfigError, match="is not a folder holding key pairs"):
        create_app(dict(app_config, TEST_KEY_POOL=str(tmp_path)), instance_path=str(tmp_path / "i"))


def test_passwords_hashed_under_either_setting_keep_working(app, test_settings):
    make_account(app)
    with app.app_context():
        cheap = Account.get().password_hash
        assert cheap.startswith(test_settings["PASSWORD_HASH_METHOD"] + "$")
        # The setting is raised to the default: the cheap hash still lets ann in, and new ones are strong.
        app.config["PASSWORD_HASH_METHOD"] = DEFAULT_PASSWORD_HASH
        assert accounts.authenticate("ann@example.org", PASSWORD) is not None
        account = accounts.change_password(Account.get(), PASSWORD, "a new password")
        assert account.password_hash.startswith(DEFAULT_PASSWORD_HASH + "$")
        # And back: the strong hash still verifies under the cheap setting.
        app.config["PASSWORD_HASH_METHOD"] = test_settings["PASSWORD_HASH_METHOD"]
        assert accounts.authenticate("ann@example.org", "a new password") is not None
        assert accounts.authenticate("ann@example.org", PASSWORD) is None


def test_run_py_takes_the_settings_from_its_environment(tmp_path, test_settings, instance_env):
    instance_path = tmp_path / "instance"
    result = run_cli(instance_path, "create-user", "ann@example.org", "--identity", "ann", "--password-stdin",
                     stdin=PASSWORD + "\n", env=instance_env)
    assert result.returncode == 0, result.stderr
    app = create_app(instance_settings(instance_path), instance_path=str(instance_path))
    with app.app_context():
        actor = Actor.get(Actor.preferred_username == "ann")
        assert actor.private_key_pem + actor.public_key_pem in pool_pairs(test_settings)
        assert Account.get().password_hash.startswith(test_settings["PASSWORD_HASH_METHOD"] + "$")
    # The same environment on an instance with a public address stops every command with a clear error.
    result = run_cli(tmp_path / "public", "init", "--base-url", "https://events.org", env=instance_env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is for tests only, and refused for BASE_URL 'https://events.org'" in result.stderr.splitlines()[-1]
