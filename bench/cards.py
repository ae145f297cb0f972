"""The home page's 20 event cards, built anew at every request (a write empties the page cache first, as
any change does): time per page, its SQL statements, and the picture bytes the cards make a browser fetch
(thumbnails) against the banners' original files.

The instance is seeded in-process on a temporary folder: one organiser, 20 events with a photo banner
(--picture-size, a JPEG) and --participants each. The figures are medians over --pages requests of the
Flask test client (no server, no network: the page's own cost).

    .venv/bin/python bench/cards.py
    .venv/bin/python bench/cards.py --pages 500 --participants 50

To compare with an older version, run this file from a checkout of it (it uses only what every version
has: create_app, the events and participation services, the test client).
"""
import argparse
import io
import logging
import statistics
import sys
import tempfile
import time
from datetime import date
from datetime import time as dt_time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from mobilizon_lite import create_app  # noqa: E402
from mobilizon_lite.db import database  # noqa: E402
from mobilizon_lite.models import Actor  # noqa: E402
from mobilizon_lite.services import accounts, events, identities, participation  # noqa: E402
from mobilizon_lite.services.pictures import upload_folder  # noqa: E402

CARDS = 20
PASSWORD = "correct horse battery staple"


def banner(size):
    """A photo-like JPEG (noise compresses as badly as a photo does)."""
    data = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(data, "JPEG", quality=90)
    return data.getvalue()


def seed(app, participants, picture_size):
    """20 events of one organiser, each with a banner and participants."""
    photo = banner(picture_size)
    with app.app_context():
        account = accounts.register("ann@example.org", PASSWORD, "ann", by_admin=True)
        ann = Actor.get(Actor.preferred_username == "ann")
        crowd = [identities.create_identity(account, f"guest_{number}") for number in range(participants)]
        for number in range(CARDS):
            event = events.create_event(ann, {
                "title": f"Concert {number}", "description": "A concert.", "timezone": "Europe/Paris",
                "start_date": date(2030, 3, 1 + number), "start_time": dt_time(20, 0), "end_date": None,
                "end_time": None,
                "status": "confirmed", "visibility": "public", "join_mode": "free", "capacity": 100,
                "show_remaining_seats": True, "comment_mode": "allow_all", "place_name": "Salle des fêtes",
                "locality": "Lyon", "country": "France", "category": "MUSIC", "language": "fr", "links": [],
            }, picture=io.BytesIO(photo))
            for identity in crowd:
                participation.join(event, identity)


def measure(app, pages):
    """(median ms per page, statements per page, the page) of the home page built anew each time."""
    client = app.test_client()
    statements = []
    handler = logging.Handler()
    handler.emit = statements.append
    logger = logging.getLogger("peewee")
    times, counts, page = [], [], ""
    client.get("/")
    for _ in range(pages):
        with app.app_context():
            database.execute_sql("UPDATE content_version SET version = version + 1")  # as any write does
        statements.clear()
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        started = time.perf_counter()
        page = client.get("/").get_data(as_text=True)
        times.append(time.perf_counter() - started)
        logger.removeHandler(handler)
        logger.setLevel(logging.WARNING)
        counts.append(len(statements))
    return statistics.median(times) * 1000, statistics.median(counts), page


def picture_bytes(app, page):
    """(bytes of the pictures the page shows, bytes of the banners' original files)."""
    with app.app_context():
        folder = upload_folder()
    shown = sum((folder / name).stat().st_size for name in set(_sources(page)))
    originals = sum(path.stat().st_size for path in folder.iterdir() if ".thumb." not in path.name)
    return shown, originals


def _sources(page):
    marker = 'src="/uploads/'
    return [part.split('"', 1)[0] for part in page.split(marker)[1:]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200, help="requests measured (default 200)")
    parser.add_argument("--participants", type=int, default=10, help="participants of each event (default 10)")
    parser.add_argument("--picture-size", default="1920x1280", help="banner size, WxH (default 1920x1280)")
    args = parser.parse_args()
    size = tuple(int(side) for side in args.picture_size.split("x"))
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "DATABASE": str(Path(folder) / "bench.sqlite3")},
                         instance_path=str(Path(folder) / "instance"))
        started = time.perf_counter()
        seed(app, args.participants, size)
        print(f"Seeded {CARDS} events with {args.participants} participants each in "
              f"{time.perf_counter() - started:.1f} s.")
        milliseconds, statements, page = measure(app, args.pages)
        shown, originals = picture_bytes(app, page)
        cards = page.count('class="card event-card')
        print(f"home page, {cards} cards, built anew: {milliseconds:.2f} ms (median of {args.pages}), "
              f"{statements:.0f} SQL statements, {len(page.encode()) / 1000:.1f} kB of HTML")
        print(f"pictures the cards load: {shown / 1000:.0f} kB "
              f"(the {CARDS} banners' original files: {originals / 1000:.0f} kB)")


if __name__ == "__main__":
    main()
