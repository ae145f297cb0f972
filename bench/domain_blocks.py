"""What domain blocks cost the inbox: signed Follows POSTed through app.test_client() (in this process,
no network, one thread) from --senders known remote actors whose keys the inbox already holds, in runs:

  no blocks       the domain_block table is empty;
  with blocks     --blocks suspended and --blocks // 10 silenced domains, none of them a sender's;
  refused         the same Follows from a suspended sender: each is answered 403 before its key is
                  looked at and before anything is stored.

The first two alternate, round after round (the machine's load and the growing inbox table weigh on
both alike). Each run prints ms per POST (median of --repeat rounds of --activities POSTs, each with
fresh ids) and the answers. Then what one check costs (blocklist.suspends of a host, the cached set
current: one read of the blocks' version) and what reading the set again costs after a change.

    .venv/bin/python bench/domain_blocks.py
    .venv/bin/python bench/domain_blocks.py --blocks 10000 --activities 500

Exit status 1 when an answer is not the one expected (202, or 403 in the refused run).
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter

from common import ROOT  # noqa: F401 - puts the project on sys.path

from mobilizon_lite import create_app
from mobilizon_lite.activitypub import blocklist
from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.activitypub.signatures import sign_headers
from mobilizon_lite.models import Actor, DomainBlock
from mobilizon_lite.models.moderation import blocks_version
from mobilizon_lite.services import accounts

BASE_URL = "http://bench.test"
PASSWORD = "a bench password, long enough"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--senders", type=int, default=10, help="remote actors sending (default 10)")
    parser.add_argument("--activities", type=int, default=300, help="POSTs per round (default 300)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per run; the median is kept (default 5)")
    parser.add_argument("--blocks", type=int, default=1000, help="suspended domains (default 1000)")
    return parser.parse_args(argv)


def signed_follows(senders, count):
    """count (headers, body) of distinct Follows of ann, round robin over senders, signed for the inbox."""
    signed = []
    for number in range(count):
        ap_id, private_pem = senders[number % len(senders)]
        host = ap_id.split("/")[2]
        body = json.dumps({"@context": "https://www.w3.org/ns/activitystreams",
                           "id": f"https://{host}/activities/{uuid.uuid4()}", "type": "Follow", "actor": ap_id,
                           "object": f"{BASE_URL}/@ann"}).encode()
        signed.append((sign_headers("POST", f"{BASE_URL}/inbox", f"{ap_id}#main-key", private_pem, body=body), body))
    return signed


def one_round(client, senders, count, answers):
    """ms per POST of count fresh Follows, their answers counted in answers."""
    requests = signed_follows(senders, count)
    started = time.perf_counter()
    for headers, body in requests:
        answers[client.post("/inbox", data=body, headers=headers,
                            content_type="application/activity+json").status_code] += 1
    return (time.perf_counter() - started) / count * 1000


def set_blocks(app, count):
    """count suspended and count // 10 silenced domains, none a sender's (none at all for 0)."""
    with app.app_context():
        DomainBlock.delete().execute()
        if count:
            DomainBlock.insert_many([{"domain": f"blocked-{n}.example", "severity": "suspend"} for n in range(count)]
                                    + [{"domain": f"quiet-{n}.example", "severity": "silence"}
                                       for n in range(count // 10)]).execute()


def per_call_us(function, calls=100_000):
    started = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - started) / calls * 1e6


def main(argv=None):
    args = parse_args(argv)
    folder = tempfile.mkdtemp(prefix="bench-blocks-")
    app = create_app({"SECRET_KEY": "bench", "BASE_URL": BASE_URL, "DATABASE": f"{folder}/db.sqlite3"},
                     instance_path=folder)
    senders = []
    with app.app_context():
        accounts.register("ann@example.org", PASSWORD, "ann", by_admin=True)
        for number in range(args.senders):
            private, public = generate_key_pair()
            ap_id = f"https://sender-{number}.example/users/s"
            Actor.create(preferred_username="s", domain=f"sender-{number}.example", ap_id=ap_id,
                         inbox=f"{ap_id}/inbox", public_key_pem=public)
            senders.append((ap_id, private))
    client = app.test_client()
    one_round(client, senders, len(senders), Counter())  # every key seen once, cached

    rounds = {0: [], args.blocks: []}
    answers = {0: Counter(), args.blocks: Counter()}
    for _ in range(args.repeat):
        for count in rounds:
            set_blocks(app, count)
            rounds[count].append(one_round(client, senders, args.activities, answers[count]))
    with app.app_context():
        DomainBlock.create(domain="sender-0.example", severity="suspend")
    refused = Counter()
    refused_ms = statistics.median(one_round(client, senders[:1], args.activities, refused)
                                   for _ in range(args.repeat))
    plain, blocked = statistics.median(rounds[0]), statistics.median(rounds[args.blocks])
    lines = [("no blocks", plain, answers[0]),
             (f"with {args.blocks} + {args.blocks // 10} blocks", blocked, answers[args.blocks]),
             ("refused (suspended sender)", refused_ms, refused)]
    failed = set(answers[0]) != {202} or set(answers[args.blocks]) != {202} or set(refused) != {403}

    print(f"inbox in-process, one thread, {args.activities} Follows x {args.repeat} rounds "
          f"from {args.senders} known senders:")
    for name, ms, answers in lines:
        print(f"  {name:32} {ms:6.3f} ms per POST   answers {dict(answers)}")
    print(f"  cost of the blocks per accepted POST: {blocked - plain:+.3f} ms")
    with app.app_context():
        check = per_call_us(lambda: blocklist.suspends("a.b.sender-5.example:8443"))
        version = per_call_us(blocks_version, 20_000)
        app.extensions.pop(blocklist.CACHE, None)

        def reread():
            app.extensions.pop(blocklist.CACHE, None)
            blocklist.current()
        rebuild = per_call_us(reread, 200) / 1000
    print(f"  one check (cached set): {check:.1f} us, of which reading the blocks' version {version:.1f} us; "
          f"reading {args.blocks + args.blocks // 10 + 1} blocks again after a change: {rebuild:.2f} ms")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
