"""RSA key pairs that sign an actor's federation requests, and the pool tests draw them from."""
import fcntl
from pathlib import Path

from flask import current_app

KEY_SIZE = 2048
PRIVATE_END = "-----END PRIVATE KEY-----\n"
# Holds the number of pairs drawn so far, shared by every process using the pool.
POOL_COUNTER = "drawn"


def generate_key_pair():
    """Return a new RSA-2048 key pair as (private_pem, public_pem) text."""
    # Imported here: only creating an actor needs cryptography, not starting the server.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem.decode("ascii"), public_pem.decode("ascii")


def new_key_pair():
    """The key pair of a new local actor: a fresh one, or the next of TEST_KEY_POOL when set (tests only)."""
    pool = current_app.config["TEST_KEY_POOL"]
    return _draw(Path(pool)) if pool else generate_key_pair()


def write_key_pool(folder, count):
    """Fill folder with count fresh pairs, one file each (private PEM, then public PEM), for TEST_KEY_POOL."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (folder / f"{number:03d}.pem").write_text("".join(generate_key_pair()))


def pool_files(folder):
    """The pair files of a pool folder, in the order they are drawn."""
    return sorted(Path(folder).glob("*.pem"))


def _draw(folder):
    """The pairs are handed out in turn across every process of a test session (a counter under a file
    lock), so any len(pool) actors made one after the other get different keys."""
    files = pool_files(folder)
    with open(folder / POOL_COUNTER, "a+") as counter:
        fcntl.flock(counter, fcntl.LOCK_EX)
        counter.seek(0)
        drawn = int(counter.read() or 0)
        counter.seek(0)
        counter.truncate()
        counter.write(str(drawn + 1))
    private_pem, public_pem = files[drawn % len(files)].read_text().split(PRIVATE_END)
    return private_pem + PRIVATE_END, public_pem
