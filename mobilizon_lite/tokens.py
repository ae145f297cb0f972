"""Secret tokens handed out in links: generated with 256 bits, stored only as hashes."""
import hashlib
import secrets


def new_token():
    """Return (token, token_hash): give the token to the person, store only the hash."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token):
    """SHA-256 hex digest of a token, for lookups without storing the secret."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
