"""The server's resident memory step by step, and where it lives, in a minute rather than the pages
benchmark's ten.

The script seeds a fresh temporary instance with `run.py seed-demo --events N
--benchmark-participants 500` (as bench/pages.py does), serves it with `run.py` (waitress, as in
production) and, after each step of bench/pages.py's sequence, reads the server's VmRSS and VmHWM
and sums the resident sizes of its mappings from /proc/<pid>/smaps, by kind: the main heap (brk),
anonymous maps (Python's object arenas, the other malloc arenas, thread stacks), and each library.
The steps:

  start      right after the port opens, before any request;
  pages      --rounds requests to each page bench/pages.py measures (anonymous, logged in,
             federation documents), one client at a time;
  picture    a JPEG of a few MB uploaded through the benchmark event's edit form;
  calendars  the instance calendar and the organiser's private calendar built (the end of
             bench/pages.py, whose goal is 80 MB);
  atom       the instance Atom feed and the organiser's identity calendar and Atom feed built.

    .venv/bin/python bench/memory.py                      # 1000 events, 50 requests per page
    .venv/bin/python bench/memory.py --events 10000 --rounds 200

Linux only (it reads /proc).
"""
import argparse
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import HOST, Client, memory_mb
from pages import (
    SETTLE_SECONDS,
    START_TIMEOUT,
    QuietInstance,
    build_feeds,
    jpeg,
    log_in,
    pages,
    seed,
    upload_picture,
)

from tests.harness import free_port

MAPPING_RE = re.compile(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$")
LIBRARIES_SHOWN = 6


def mappings_mb(pid):
    """Resident MiB of the process's mappings by kind: [heap], [anon], [stack] and each file's name."""
    sizes, name = Counter(), None
    with open(f"/proc/{pid}/smaps") as smaps:
        for text in smaps:
            mapping = MAPPING_RE.match(text)
            if mapping:
                name = Path(mapping.group(1)).name if mapping.group(1).startswith("/") else mapping.group(1) or "[anon]"
            elif text.startswith("Rss:"):
                sizes[name] += int(text.split()[1]) / 1024
    return sizes


def report(pid, step):
    """Print the server's memory after a step."""
    rss, hwm = memory_mb(pid)
    sizes = mappings_mb(pid)
    libraries = Counter({name: size for name, size in sizes.items() if not name.startswith("[")})
    print(f"   {step:<10} RSS {rss:6.1f} MB  peak {hwm:6.1f}  heap {sizes['[heap]']:5.1f}  anonymous "
          f"{sizes['[anon]']:5.1f}  files {sum(libraries.values()):5.1f} ("
          + ", ".join(f"{name} {size:.1f}" for name, size in libraries.most_common(LIBRARIES_SHOWN)) + ")",
          flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1000, help="demo events to seed (default 1000)")
    parser.add_argument("--rounds", type=int, default=50, help="requests to each page (default 50)")
    parser.add_argument("--threads", type=int, default=None, help="waitress threads (default: the server's)")
    args = parser.parse_args(argv)
    if not 0 < args.events <= 100_000 or not 0 <= args.rounds <= 100_000:
        parser.error("--events must be between 1 and 100000, --rounds between 0 and 100000")
    folder = Path(tempfile.mkdtemp(prefix="mobilizon_memory_"))
    port = free_port()
    try:
        print(f"   seeding {args.events} events …", flush=True)
        _seconds, event_path, email, username, _group = seed(folder / "instance", args.events, port)
        env = {"MOBILIZON_LITE_WAITRESS_THREADS": str(args.threads)} if args.threads else {}
        server = QuietInstance(folder / "instance", HOST, port=port, log=folder / "server.log", env=env)
        server.start(timeout=START_TIMEOUT)
        try:
            time.sleep(SETTLE_SECONDS)
            pid = server.process.pid
            report(pid, "start")
            organiser, visitor = log_in(port, email), Client(port)
            for page in pages(event_path, username, f"{HOST}:{port}"):
                client = organiser if page.logged_in else visitor
                for _ in range(args.rounds):
                    client.request("GET", page.path, headers=page.headers)
            report(pid, "pages")
            upload_picture(organiser, event_path, jpeg())
            report(pid, "picture")
            build_feeds(organiser)
            report(pid, "calendars")
            for path in ("/feed/instance/atom", f"/@{username}/feed/ics", f"/@{username}/feed/atom"):
                status = organiser.request("GET", path)[0]
                if status != 200:
                    sys.exit(f"GET {path} answered {status}")
            report(pid, "atom")
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
