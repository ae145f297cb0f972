"""What one signed Create{Event} with a huge array costs the inbox (foreign arrays must be bounded).

A temporary instance (SQLite in a temporary folder) knows one remote actor and its key. For each
shape below, this script signs --repeat Creates of a public Event, each with its own id and one
array of --items entries, and POSTs them to /inbox through app.test_client() in this process, so
the figure is the time the instance spends handling the request (signature, JSON, storage, the
event reader), without network or client costs:

  tags        --items Hashtags in `tag` (as `{"type": "Hashtag", "name": "#tagN"}`)
  attachment  --items Links in `attachment`
  audience    --items actor URLs in the Event's `cc`
  location    --items Places in `location`
  plain       a usual event with one of each, for comparison

With 20,000 items every body stays under the inbox's 1 MiB limit (with more, the script says
which did not: the inbox refuses those unread). It prints, per shape, the body size, the answers,
the median and worst time to handle one request, the most tags and links a stored event got and
the place of the first one, then exits with status 1 when an answer was neither 202 nor 400 or a
stored event holds more than 64 tags.

    .venv/bin/python bench/arrays.py                  # 20000 items, 5 requests per shape
    .venv/bin/python bench/arrays.py --items 5000 --repeat 20
"""
import argparse
import json
import statistics
import sys
import tempfile
import time

from common import check_ranges, fmt, print_table

ACTOR = "https://remote.example/users/alice"
TAGS_CONTRACT = 64
SHAPES = ("tags", "attachment", "audience", "location", "plain")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000, metavar="N",
                        help="entries of the huge array (default 20000)")
    parser.add_argument("--repeat", type=int, default=5, metavar="R",
                        help="requests per shape, each a new event (default 5)")
    args = parser.parse_args(argv)
    check_ranges(parser, args, items=(1, 100_000), repeat=(1, 1000))
    return args


def event(shape, number, items):
    """A public Event numbered number with one array of items entries, according to shape."""
    event_id = f"https://remote.example/events/{shape}-{number}"
    document = {
        "id": event_id, "type": "Event", "name": f"Event {shape} {number}", "attributedTo": ACTOR,
        "startTime": "2027-06-21T18:00:00+02:00", "endTime": "2027-06-21T23:00:00+02:00",
        "timezone": "Europe/Paris", "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [],
        "location": {"type": "Place", "name": "Square du Temple", "address": "64 rue de Bretagne, Paris"},
        "tag": [{"type": "Hashtag", "name": "#fete"}],
        "attachment": [{"type": "Link", "name": "Website", "href": "https://meet.example/fete"}],
    }
    if shape == "tags":
        document["tag"] = [{"type": "Hashtag", "name": f"#tag{n}"} for n in range(items)]
    elif shape == "attachment":
        document["attachment"] = [{"type": "Link", "href": f"https://x.ex/{n}"} for n in range(items)]
    elif shape == "audience":
        document["cc"] = [f"https://remote.example/u/{n}" for n in range(items)]
    elif shape == "location":
        document["location"] = [{"type": "Place", "name": f"Room {n}"} for n in range(items)]
    return document


def run(args):
    with tempfile.TemporaryDirectory(prefix="bench-arrays-") as folder:
        return _run(args, folder)


def _run(args, folder):
    from mobilizon_lite import create_app
    from mobilizon_lite.activitypub.keys import generate_key_pair
    from mobilizon_lite.activitypub.signatures import sign_headers
    from mobilizon_lite.models import Actor, Event

    app = create_app({"SECRET_KEY": "bench", "BASE_URL": "http://events.test",
                      "DATABASE": f"{folder}/bench.sqlite3"}, instance_path=f"{folder}/instance")
    private_pem, public_pem = generate_key_pair()
    with app.app_context():
        Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR, public_key_pem=public_pem,
                     inbox=f"{ACTOR}/inbox")
    client = app.test_client()
    rows, ok = [], True
    for shape in SHAPES:
        timings, answers, sizes = [], {}, []
        for number in range(args.repeat):
            document = event(shape, number, args.items)
            activity = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Create", "actor": ACTOR,
                        "id": f"https://remote.example/activities/{shape}-{number}", "object": document,
                        "to": document["to"]}
            body = json.dumps(activity).encode()
            sizes.append(len(body))
            headers = sign_headers("POST", "http://events.test/inbox", f"{ACTOR}#main-key", private_pem, body=body)
            started = time.perf_counter()
            response = client.post("/inbox", data=body, headers=headers, content_type="application/activity+json")
            timings.append(time.perf_counter() - started)
            answers[response.status_code] = answers.get(response.status_code, 0) + 1
        with app.app_context():
            stored = list(Event.select().where(Event.ap_id.startswith(f"https://remote.example/events/{shape}-")))
        most_tags = max((len(e.tags) for e in stored), default=0)
        most_links = max((len(e.links) for e in stored), default=0)
        ok = ok and set(answers) <= {202, 400} and most_tags <= TAGS_CONTRACT
        rows.append([shape, f"{max(sizes) / 1024:.0f}", " ".join(f"{k}×{v}" for k, v in sorted(answers.items())),
                     fmt(statistics.median(timings) * 1000), fmt(max(timings) * 1000), str(len(stored)),
                     str(most_tags), str(most_links), stored[0].place_name if stored else ""])
        if max(sizes) > 1 << 20:
            print(f"   ({shape}: the body is over 1 MiB, so the inbox refuses it unread)")
    print(f"One signed Create{{Event}} per request, arrays of {args.items} entries, {args.repeat} requests per shape,"
          f" python {sys.version.split()[0]}")
    print_table(["shape", "KiB", "answers", "median ms", "worst ms", "stored", "tags", "links", "place"], rows,
                left=(0, 2, 8))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(run(parse_args()))
