"""Secret tokens handed out in links: random ones stored only as hashes, or signed ones not stored."""
import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer


def new_token():
    """Return (token, token_hash): give the token to the person, store only the hash."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token):
    """SHA-256 hex digest of a token, for lookups without storing the secret."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def sign(value, purpose):
    """A link token that proves value came from us, for this purpose only."""
    return URLSafeSerializer(current_app.secret_key, salt=purpose).dumps(value)


def unsign(token, purpose):
    """The value a signed token carries, or None when it was not made by sign() for purpose."""
    try:
        return URLSafeSerializer(current_app.secret_key, salt=purpose).loads(token)
    except BadSignature:
        return None
