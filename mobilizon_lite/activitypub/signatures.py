"""HTTP signatures (draft-cavage, as Mastodon and Mobilizon send them): one function builds the
signed string for both paths; httpsig signs it, and cryptography verifies it with a pinned
algorithm, never the one the request names."""
import base64
import hashlib
import re
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

from ..urls import host_of

# httpsig (with pycryptodome and pkg_resources) and cryptography are imported where a request is
# signed or verified, not with this module: a server that has not federated yet never pays their memory.

SIGN_ALGORITHM = "rsa-sha256"
# hs2019 names no algorithm: it is accepted as RSA-SHA256 because the key is checked to be RSA.
ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
GET_HEADERS = ("(request-target)", "host", "date")
# A POST's body is covered by a signed Digest (RFC 3230) or Content-Digest (RFC 9530): one is enough.
DIGEST_HEADERS = ("digest", "content-digest")
PAST_WINDOW = timedelta(hours=1, minutes=5)
FUTURE_WINDOW = timedelta(hours=1)
# name="quoted value" or name=digits (draft-cavage's created/expires); nothing else between the commas.
_PARAM = r'([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"([^"]*)"|([0-9]+))'
PARAM_RE = re.compile(_PARAM)
SIGNATURE_RE = re.compile(rf"\s*{_PARAM}(?:\s*,\s*{_PARAM})*\s*")
# Real ones stay under 1 KB; a long one is refused before any matching work.
SIGNATURE_MAX = 8192


class SignatureError(Exception):
    """The request's signature cannot be trusted; the message says why (for logs and 401 bodies)."""


class Verified(NamedTuple):
    key_id: str
    owner: str


def digest_header(body):
    """The Digest header value of a body: SHA-256, base64."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def signing_string(method, target, headers, names):
    """The bytes a signature covers: one `name: value` line per signed name, in order. target is the
    path plus the query (if any); headers maps lower-case names to values. Both the requests we sign
    and those we verify go through here, so the two can never disagree."""
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            raise SignatureError(f"signed header {name!r} is missing")
    return "\n".join(lines).encode("utf-8")


def sign_headers(method, url, key_id, private_pem, body=None, now=None):
    """Headers (Host, Date, Digest for a body, Signature) that sign a request to url."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers = {
        "Host": parts.netloc,
        "Date": format_datetime(now or datetime.now(UTC), usegmt=True),
    }
    names = list(GET_HEADERS)
    if body is not None:
        headers["Digest"] = digest_header(body)
        names.append("digest")
    message = signing_string(method, target, {name.lower(): value for name, value in headers.items()}, names)
    from httpsig.utils import build_signature_template

    template = build_signature_template(key_id, SIGN_ALGORITHM, names, sign_header="signature")
    # Threads delivering at once for one actor would each import its key while the cache is cold.
    with _SIGNER_LOCK:
        signer = _signer(private_pem)
    headers["Signature"] = template % signer.sign(message)
    return headers


_SIGNER_LOCK = threading.Lock()


@lru_cache(maxsize=256)
def _signer(private_pem):
    from httpsig.sign import Signer

    # Loading an RSA key costs tens of milliseconds (the primes are checked): once per key, not per request.
    return Signer(private_pem, algorithm=SIGN_ALGORITHM)


def parse_signature_header(value):
    """The parameters of a Signature header (keyId, algorithm, headers, signature).

    Strict: anything but comma-separated parameters, or a parameter given twice, is refused, since
    two readers picking different copies of a repeated signature would disagree on what was signed.
    """
    params, seen = {}, set()
    if value and len(value) > SIGNATURE_MAX:
        raise SignatureError("Signature header too long")
    if value and not SIGNATURE_RE.fullmatch(value):
        raise SignatureError("malformed Signature header")
    # The whole header matched above, and quoted values hold no quote: these are exactly its parameters.
    for name, quoted, number in PARAM_RE.findall(value or ""):
        if name.lower() in seen:
            raise SignatureError(f"Signature header repeats the parameter {name}")
        seen.add(name.lower())
        params[name] = quoted or number
    if not params.get("keyId") or not params.get("signature"):
        raise SignatureError("Signature header lacks keyId or signature")
    return params


def load_public_key(pem):
    """An RSA public key from SPKI (Mastodon) or PKCS#1 (Mobilizon) PEM; SignatureError otherwise."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError, AttributeError) as error:
        raise SignatureError(f"unreadable public key: {error}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("the key is not an RSA key")
    return key


def _sha256_values(value, content_digest):
    """The base64 SHA-256 values of a Digest (RFC 3230: SHA-256=b64) or Content-Digest (RFC 9530:
    sha-256=:b64:) header; algorithm names are case-insensitive. None stands for an unreadable value."""
    values = []
    for member in (value or "").split(","):
        name, _equals, encoded = member.partition("=")
        if name.strip().lower() != "sha-256":
            continue
        encoded = encoded.strip()
        if content_digest:
            encoded = encoded[1:-1] if len(encoded) >= 2 and encoded[0] == encoded[-1] == ":" else None
        values.append(encoded)
    return values


def _check_digest(headers, name, body):
    """Every SHA-256 value of the named digest header must be the body's (at least one, so
    `sha-256=<garbage>, sha-256=<valid>` is refused like any other ambiguity)."""
    values = _sha256_values(headers.get(name), content_digest=name == "content-digest")
    expected = hashlib.sha256(body).digest()
    for value in values or [None]:
        try:
            matches = value is not None and base64.b64decode(value, validate=True) == expected
        except ValueError:
            matches = False
        if not matches:
            label = "Content-Digest" if name == "content-digest" else "Digest"
            raise SignatureError(f"{label} does not match the body")


def _check_date(value, now):
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        raise SignatureError("unparseable Date header") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        outside = moment < now - PAST_WINDOW or moment > now + FUTURE_WINDOW
    except OverflowError:
        outside = True
    if outside:
        raise SignatureError("Date header outside the accepted window")


def signed_for(headers, base_url):
    """True when the request's Host names the server at base_url: a signature made for another
    server (replayed here) proves nothing. Hosts compare as hosts: "x" and "x:443" are one."""
    return host_of(f"{urlsplit(base_url).scheme}://{headers.get('host') or ''}") == host_of(base_url)


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
    missing = [name for name in GET_HEADERS if name not in signed]
    post = method.upper() == "POST"
    if post and not any(name in signed for name in DIGEST_HEADERS):
        missing.append("digest")
    if missing:
        raise SignatureError(f"signature does not cover {', '.join(missing)}")
    _check_date(headers.get("date"), now or datetime.now(UTC))
    for name in DIGEST_HEADERS if post else ():
        if name in signed:
            _check_digest(headers, name, body)
    message = signing_string(method, target, headers, signed)
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except ValueError:
        raise SignatureError("signature is not base64") from None
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

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
