"""Hostile or unusual documents from other servers: huge arrays, impossible dates, control characters, every
location shape Mobilizon and Gancio send. Received through the inbox with real signed requests."""
import json

import pytest

from mobilizon_lite.activitypub.convert.event import event_from_ap
from mobilizon_lite.activitypub.parse import ParseError, load_json
from mobilizon_lite.activitypub.vocab import ITEMS_MAX, AS_PUBLIC
from mobilizon_lite.models import Event, InboxItem
from mobilizon_lite.models.events import CATEGORIES
from mobilizon_lite.services.event_input import LANGUAGES

from .conftest import ACTOR, REMOTE
from .test_remote_events import remote_event, send, stored


def read(**changes):
    return event_from_ap(remote_event(**changes), CATEGORIES, LANGUAGES)


# Huge arrays ------------------------------------------------------------------------------------

def test_an_event_with_20000_tags_is_accepted_with_few_of_them(fed, remote_keys):
    (private, _public), _other = remote_keys
    tags = [{"type": "Hashtag", "name": f"#tag{number}"} for number in range(20_000)]
    document = remote_event(tag=tags, cc=[f"{REMOTE}/users/u{number}" for number in range(2_000)])
    response = send(fed, private, "Create", document, 1)
    assert response.status_code in (202, 400)
    [event] = stored(fed)
    assert len(event.tags) <= 64 and event.tags[0] == "tag0"


def test_readers_never_look_past_the_first_items_of_an_array():
    junk = [{"type": "Mention", "href": f"{REMOTE}/users/u{n}"} for n in range(ITEMS_MAX)]
    assert read(tag=[*junk, {"type": "Hashtag", "name": "#late"}])["tags"] == []
    assert read(tag=[*junk[:3], {"type": "Hashtag", "name": "#early"}])["tags"] == ["early"]
    documents = [{"type": "Document", "url": f"{REMOTE}/media/{n}.jpg"} for n in range(ITEMS_MAX)]
    website = {"type": "Link", "name": "Website", "href": "https://meet.example/room"}
    assert read(attachment=[*documents, website])["online_url"] == ""
    assert read(attachment=[*documents[:3], website])["online_url"] == "https://meet.example/room"
    # The Public after the first entries of the audience is not read: the event stays out of listings.
    followers = [f"{REMOTE}/users/u{n}" for n in range(ITEMS_MAX)]
    assert read(to=[*followers, AS_PUBLIC])["visibility"] == "private"
    assert read(to=[*followers[:3], AS_PUBLIC])["visibility"] == "public"


def test_json_depth_limit_is_exact_and_wide_documents_pass():
    assert load_json(b'{"a":' * 32 + b"1" + b"}" * 32)
    with pytest.raises(ParseError, match="deeper"):
        load_json(b'{"a":' * 33 + b"1" + b"}" * 33)
    with pytest.raises(ParseError, match="deeper"):
        load_json(b'{"a": [1, {"b": 2}], "c": ' + b"[" * 40 + b"]" * 40 + b"}")
    assert load_json(json.dumps({"tag": [{"name": str(n)} for n in range(20_000)]}).encode())
