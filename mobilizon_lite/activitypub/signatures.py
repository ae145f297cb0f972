"""HTTP signatures (draft-cavage, as Mastodon and Mobilizon send them): sign with httpsig, verify
with cryptography and a pinned algorithm, never the one the request names."""
import base64
import hashlib
import re
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import NamedTuple
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from httpsig import HeaderSigner

# hs2019 names no algorithm: it is accepted as RSA-SHA256 because the key is checked to be RSA.
ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
POST_HEADERS = ("(request-target)", "host", "date", "digest")
GET_HEADERS = ("(request-target)", "host", "date")
PAST_WINDOW = timedelta(hours=1, minutes=5)
FUTURE_WINDOW = timedelta(hours=1)
PARAM_RE = re.compile(r'\s*([a-zA-Z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


class SignatureError(Exception):
    """The request's signature cannot be trusted; the message says why (for logs and 401 bodies)."""


class Verified(NamedTuple):
    key_id: str
    owner: str


def digest_header(body):
    """The Digest header value of a body: SHA-256, base64."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def sign_headers(method, url, key_id, private_pem, body=None, now=None):
    """Headers (Host, Date, Digest for a body, Signature) that sign a request to url."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers = {
        "Host": parts.netloc,
        "Date": format_datetime(now or datetime.now(timezone.utc), usegmt=True),
    }
    names = list(GET_HEADERS)
    if body is not None:
        headers["Digest"] = digest_header(body)
        names.append("digest")
    signed = _signer(key_id, private_pem, tuple(names)).sign(headers, host=parts.netloc, method=method.upper(),
                                                            path=target)
    return {name: signed[name] for name in ("Host", "Date", "Digest", "Signature") if name in signed}


@lru_cache(maxsize=256)
def _signer(key_id, private_pem, names):
    # Loading an RSA key costs tens of milliseconds (the primes are checked): once per key, not per request.
    return HeaderSigner(key_id, private_pem, algorithm="rsa-sha256", headers=list(names), sign_header="signature")


def parse_signature_header(value):
    """The parameters of a Signature header (keyId, algorithm, headers, signature)."""
    params = {}
    for match in PARAM_RE.finditer(value or ""):
        params[match.group(1)] = match.group(2)
    if not params.get("keyId") or not params.get("signature"):
        raise SignatureError("Signature header lacks keyId or signature")
    return params


def load_public_key(pem):
    """An RSA public key from SPKI (Mastodon) or PKCS#1 (Mobilizon) PEM; SignatureError otherwise."""
    try:
        key = serialization.load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError, AttributeError) as error:
        raise SignatureError(f"unreadable public key: {error}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("the key is not an RSA key")
    return key


def _check_date(value, now):
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        raise SignatureError("unparseable Date header") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        outside = moment < now - PAST_WINDOW or moment > now + FUTURE_WINDOW
    except OverflowError:
        outside = True
    if outside:
        raise SignatureError("Date header outside the accepted window")


def verify_request(method, target, headers, body, public_pem_for, now=None):
    """Check a request's signature; returns Verified(key_id, owner) or raises SignatureError.

    target is the path plus the query (if any); headers maps lower-case names to values;
    public_pem_for(key_id, refresh) returns (public_pem, owner) for a key, refetching it when asked.
    """
    params = parse_signature_header(headers.get("signature"))
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in ALGORITHMS:
        raise SignatureError(f"algorithm {algorithm!r} is not accepted")
    signed = params.get("headers", "date").lower().split()
    required = POST_HEADERS if method.upper() == "POST" else GET_HEADERS
    missing = [name for name in required if name not in signed]
    if missing:
        raise SignatureError(f"signature does not cover {', '.join(missing)}")
    _check_date(headers.get("date"), now or datetime.now(timezone.utc))
    if method.upper() == "POST":
        digest = headers.get("digest") or ""
        expected = digest_header(body)
        if not any(part.strip() == expected for part in digest.split(",")):
            raise SignatureError("Digest does not match the body")
    lines = []
    for name in signed:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            raise SignatureError(f"signed header {name!r} is missing")
    message = "\n".join(lines).encode("utf-8")
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except ValueError:
        raise SignatureError("signature is not base64") from None
    for refresh in (False, True):
        pem, owner = public_pem_for(params["keyId"], refresh)
        if pem is None:
            break
        try:
            load_public_key(pem).verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
            return Verified(params["keyId"], owner)
        except InvalidSignature:
            continue  # the key may have been rotated: try a fresh copy once
    raise SignatureError("signature does not verify")
