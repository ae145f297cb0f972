"""HTTP signatures: round trips, and every reason a signature must be refused."""
import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.activitypub.parse import ParseError, load_json
from mobilizon_lite.activitypub.signatures import (
    SignatureError,
    parse_signature_header,
    sign_headers,
    signing_string,
    verify_request,
)

KEY_ID = "https://a.example/@ann#main-key"
OWNER = "https://a.example/@ann"
BODY = b'{"type": "Follow"}'


@pytest.fixture(scope="module")
def keys():
    return generate_key_pair(), generate_key_pair()


def lower(headers):
    return {name.lower(): value for name, value in headers.items()}


def verify(headers, public_pem, body=BODY, target="/inbox", method="POST", now=None):
    return verify_request(method, target, lower(headers), body, lambda key_id, refresh: (public_pem, OWNER), now)


def test_sign_then_verify(keys):
    (private, public), _other = keys
    headers = sign_headers("POST", "https://b.example/inbox", KEY_ID, private, body=BODY)
    assert verify(headers, public) == (KEY_ID, OWNER)
    get = sign_headers("GET", "https://b.example/@bob?page=2", KEY_ID, private)
    assert "Digest" not in get
    assert verify(get, public, body=b"", target="/@bob?page=2", method="GET").owner == OWNER


@pytest.mark.parametrize("method, url, target, body", [("POST", "https://b.example/inbox", "/inbox", BODY),
                                                       ("GET", "https://b.example:8443/@bob?page=2", "/@bob?page=2",
                                                        None)])
def test_what_we_sign_is_what_the_verifier_rebuilds(keys, method, url, target, body):
    """The signature covers exactly signing_string() of the request as the verifier reads it, and the
    Signature header is the one httpsig's own header signer writes for the same request."""
    from httpsig import HeaderSigner

    (private, public), _other = keys
    headers = sign_headers(method, url, KEY_ID, private, body=body)
    params = parse_signature_header(headers["Signature"])
    names = params["headers"].split()
    rebuilt = signing_string(method, target, lower(headers), names)
    serialization.load_pem_public_key(public.encode()).verify(
        base64.b64decode(params["signature"]), rebuilt, padding.PKCS1v15(), hashes.SHA256())
    assert verify(headers, public, body=body or b"", target=target, method=method).owner == OWNER
    unsigned = {name: value for name, value in headers.items() if name != "Signature"}
    reference = HeaderSigner(KEY_ID, private, algorithm="rsa-sha256", headers=names, sign_header="signature")
    expected = reference.sign(unsigned, host=headers["Host"], method=method, path=target)["signature"]
    assert expected == headers["Signature"]
    assert params["algorithm"] == "rsa-sha256" and names[:3] == ["(request-target)", "host", "date"]


def test_pkcs1_keys_as_mobilizon_publishes_them(keys):
    (private, public), _other = keys
    key = serialization.load_pem_public_key(public.encode())
    pkcs1 = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()
    assert verify(sign_headers("POST", "https://b.example/inbox", KEY_ID, private, body=BODY), pkcs1)


def tampered(headers, **changes):
    return dict(headers, **changes)


@pytest.mark.parametrize("change, reason", [
    ("wrong_key", "does not verify"),
    ("flipped_body", "Digest"),
    ("flipped_signature", "does not verify"),
    ("wrong_digest", "Digest"),
    ("stale", "window"),
    ("future", "window"),
    ("bad_date", "unparseable"),
    ("no_signature", "lacks keyId"),
    ("no_digest_signed", "does not cover digest"),
    ("other_target", "does not verify"),
])
def test_refusals(keys, change, reason):
    (private, public), (_other_private, other_public) = keys
    now = datetime.now(UTC)
    body, target, pem = BODY, "/inbox", public
    headers = sign_headers("POST", "https://b.example/inbox", KEY_ID, private, body=BODY)
    if change == "wrong_key":
        pem = other_public
    elif change == "flipped_body":
        body = BODY.replace(b"Follow", b"Fellow")
    elif change == "flipped_signature":
        signature = headers["Signature"]
        value = signature.split('signature="')[1].split('"')[0]
        raw = bytearray(base64.b64decode(value))
        raw[10] ^= 1
        headers["Signature"] = signature.replace(value, base64.b64encode(bytes(raw)).decode())
    elif change == "wrong_digest":
        headers["Digest"] = "SHA-256=" + base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    elif change in ("stale", "future"):
        moment = now - timedelta(hours=2) if change == "stale" else now + timedelta(hours=2)
        headers = sign_headers("POST", "https://b.example/inbox", KEY_ID, private, body=BODY, now=moment)
    elif change == "bad_date":
        headers["Date"] = "yesterday"
    elif change == "no_signature":
        del headers["Signature"]
    elif change == "no_digest_signed":
        headers = sign_headers("GET", "https://b.example/inbox", KEY_ID, private)
        headers["Digest"] = "SHA-256=" + base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    elif change == "other_target":
        target = "/@bob/inbox"
    with pytest.raises(SignatureError, match=reason):
        verify(headers, pem, body=body, target=target, now=now)


def test_hmac_forgery_with_the_public_key_is_refused(keys):
    """httpsig's verifier lets the header pick HMAC keyed with the public PEM: anyone can forge that."""
    (_private, public), _other = keys
    headers = {"Host": "b.example", "Date": datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"),
               "Digest": "SHA-256=" + base64.b64encode(hashlib.sha256(BODY).digest()).decode()}
    message = "\n".join(["(request-target): post /inbox", f"host: {headers['Host']}", f"date: {headers['Date']}",
                         f"digest: {headers['Digest']}"]).encode()
    forged = base64.b64encode(hmac.new(public.encode(), message, hashlib.sha256).digest()).decode()
    headers["Signature"] = (f'keyId="{KEY_ID}",algorithm="hmac-sha256",'
                            f'headers="(request-target) host date digest",signature="{forged}"')
    with pytest.raises(SignatureError, match="not accepted"):
        verify(headers, public)
    # The same forgery claiming hs2019 fails the RSA check.
    headers["Signature"] = headers["Signature"].replace("hmac-sha256", "hs2019")
    with pytest.raises(SignatureError, match="does not verify"):
        verify(headers, public)


def test_a_rotated_key_is_refetched_once(keys):
    (private, public), (_other_private, other_public) = keys
    headers = sign_headers("POST", "https://b.example/inbox", KEY_ID, private, body=BODY)
    asked = []

    def key_for(key_id, refresh):
        asked.append(refresh)
        return (public if refresh else other_public), OWNER

    assert verify_request("POST", "/inbox", lower(headers), BODY, key_for).owner == OWNER
    assert asked == [False, True]


@pytest.mark.parametrize("body, message", [
    (b"{not json", "malformed"),
    (b"[" * 40 + b"]" * 40, "deeper"),
    (b"[" * 5000 + b"]" * 5000, "deeper"),
    (b'{"a": NaN}', "NaN"),
    (b'["a list"]', "object"),
    (b"\xff\xfe", "malformed"),
])
def test_defensive_json(body, message):
    with pytest.raises(ParseError, match=message):
        load_json(body)


def test_json_at_the_depth_limit_is_accepted():
    assert load_json(b'{"a":' * 31 + b"1" + b"}" * 31)


def sha256_b64(body):
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def resigned(private, names, extra):
    """Headers signed over names, with extra headers (a digest of another convention) included."""
    from httpsig import HeaderSigner

    headers = dict(sign_headers("GET", "https://b.example/inbox", KEY_ID, private), **extra)
    signer = HeaderSigner(KEY_ID, private, algorithm="rsa-sha256", headers=names, sign_header="signature")
    headers["Signature"] = signer.sign(headers, host="b.example", method="POST", path="/inbox")["Signature"]
    return headers


@pytest.mark.parametrize("name, value, accepted", [
    ("Digest", f"sha-256={sha256_b64(BODY)}", True),  # RFC 3230 names are case-insensitive
    ("Digest", f"Sha-256={sha256_b64(BODY)}, MD5=whatever", True),
    ("Digest", f"sha-256={sha256_b64(b'other')}", False),
    ("Digest", f"SHA-256={sha256_b64(b'other')}, SHA-256={sha256_b64(BODY)}", False),  # ambiguous
    ("Digest", "MD5=whatever", False),
    ("Content-Digest", f"sha-256=:{sha256_b64(BODY)}:", True),  # RFC 9530
    ("Content-Digest", f"sha-512=:AAAA:, sha-256=:{sha256_b64(BODY)}:", True),
    ("Content-Digest", f"sha-256=:{sha256_b64(b'other')}:", False),
    ("Content-Digest", f"sha-256={sha256_b64(BODY)}", False),  # not a byte sequence
])
def test_digest_conventions(keys, name, value, accepted):
    (private, public), _other = keys
    headers = resigned(private, ["(request-target)", "host", "date", name.lower()], {name: value})
    if accepted:
        assert verify(headers, public).owner == OWNER
    else:
        with pytest.raises(SignatureError, match=f"{name} does not match"):
            verify(headers, public)


def test_an_unsigned_content_digest_does_not_cover_the_body(keys):
    (private, public), _other = keys
    headers = resigned(private, ["(request-target)", "host", "date"],
                       {"Content-Digest": f"sha-256=:{sha256_b64(BODY)}:"})
    with pytest.raises(SignatureError, match="does not cover digest"):
        verify(headers, public)


@pytest.mark.parametrize("mangle, reason", [
    (lambda value: 'signature="Z2FyYmFnZQ==",' + value, "repeats the parameter signature"),
    (lambda value: value + ',signature="Z2FyYmFnZQ=="', "repeats the parameter signature"),
    (lambda value: value + ',KEYID="https://evil.example/k"', "repeats the parameter KEYID"),
    (lambda value: value.replace(",", ", garbage ,", 1), "malformed"),
    (lambda value: value.replace(",", " ", 1), "malformed"),
    (lambda value: value + ",", "malformed"),
    (lambda value: value.replace('"', "", 2), "malformed"),
    (lambda value: value + ", x=1" * 3000, "too long"),
])
def test_ambiguous_or_malformed_signature_headers_are_refused(keys, mangle, reason):
    (private, public), _other = keys
    headers = sign_headers("POST", "https://b.example/inbox", KEY_ID, private, body=BODY)
    assert verify(headers, public).owner == OWNER
    headers["Signature"] = mangle(headers["Signature"])
    with pytest.raises(SignatureError, match=reason):
        verify(headers, public)


def test_unquoted_numbers_and_spaces_between_parameters_are_read(keys):
    (private, public), _other = keys
    headers = sign_headers("POST", "https://b.example/inbox", KEY_ID, private, body=BODY)
    headers["Signature"] = "created=1700000000, " + headers["Signature"].replace(",", " ,  ")
    assert verify(headers, public).owner == OWNER


def test_threads_signing_at_once_import_a_key_once(keys):
    """The drain's workers sign for one actor together: the first one imports the key, the others wait for it."""
    from concurrent.futures import ThreadPoolExecutor

    from mobilizon_lite.activitypub import signatures

    (private_pem, _public), _other = keys
    signatures._signer.cache_clear()
    with ThreadPoolExecutor(4) as pool:
        signed = list(pool.map(lambda n: sign_headers("POST", f"https://b.example/{n}", KEY_ID, private_pem,
                                                       body=BODY), range(8)))
    assert len({headers["Signature"] for headers in signed}) == 8
    assert signatures._signer.cache_info().misses == 1
