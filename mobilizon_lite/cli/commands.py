"""Command line: serve the instance (default) and the admin commands, for people and scripts."""
import argparse
import getpass
import logging
import os
import re
import sys
import time
from pathlib import Path

from .. import create_app, instance_lock
from ..config import BASE_URL_ENV, ConfigError, check_base_url, record_base_url
from ..db import utcnow
from ..memory import configure_malloc
from ..models import search_index
from ..models.moderation import SILENCE, SUSPEND
from ..services import (
    account_moderation,
    accounts,
    base_url,
    calendar_import,
    domain_blocks,
    ics_import,
    instance,
    instance_settings,
    link_import,
    places,
    thumbnails,
)
from ..services.errors import Invalid, ServiceError
from ..services.identities import validate_username
from ..services.pictures import upload_folder
from . import backups, demo, demo_groups, moving, serving, subscriptions, users

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


def _workers(text):
    """--workers: a whole number of processes, at least 1."""
    if not text.isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of processes, at least 1, not {text!r}")
    return int(text)


def build_parser():
    """The argument parser for run.py."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--host", default=argparse.SUPPRESS,
                        help=f"address to listen on (default {DEFAULT_HOST})")
    common.add_argument("--port", type=int, default=argparse.SUPPRESS,
                        help=f"port to listen on (default {DEFAULT_PORT})")
    common.add_argument("--instance-path", default=argparse.SUPPRESS,
                        help="folder holding config.py and the database (default ./instance)")
    common.add_argument("--base-url", default=argparse.SUPPRESS, metavar="URL",
                        help="public address in links and ids, written to config.py on first run "
                             "(default http://HOST:PORT); set-base-url changes it later")

    parser = argparse.ArgumentParser(
        prog="run.py", parents=[common],
        description="Run a mobilizon_lite instance, or administer it.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser("serve", parents=[common], help="serve the instance (the default)")
    for serving_parser in (parser, serve):
        serving_parser.add_argument("--workers", type=_workers, default=argparse.SUPPRESS, metavar="N",
                                    help="server processes sharing the port (default 1; see the README's "
                                         "\"Running several processes\")")
    commands.add_parser("init", parents=[common], help="create the instance folder and database, then exit")

    create_user = commands.add_parser("create-user", parents=[common], help="create an account")
    create_user.add_argument("email")
    create_user.add_argument("--admin", action="store_true", help="make the account an administrator")
    create_user.add_argument("--identity", metavar="USERNAME",
                             help="username of its first identity (default: from the email)")
    create_user.add_argument("--password-stdin", action="store_true",
                             help="read the password from the first line of standard input")

    registrations = commands.add_parser("set-registrations", parents=[common],
                                        help="choose who may sign up")
    registrations.add_argument("mode", choices=instance.REGISTRATION_MODES)
    registrations.add_argument("--domains", metavar="DOMAINS",
                               help="email domains that may sign up in allowlist mode, comma-separated "
                                    "(e.g. a.org,b.org; default: the list already set)")

    commands.add_parser("create-invite", parents=[common], help="print a single-use sign-up link")

    commands.add_parser("check", parents=[common],
                        help="report stored ids that disagree with BASE_URL (exit status 1 if any)")
    move = commands.add_parser(
        "set-base-url", parents=[common], help="change the public address and rewrite the ids made so far",
        description="Change BASE_URL in instance/config.py and rewrite every id made so far, in one "
                    "transaction. Refused once the instance has federated: other servers keep its ids. "
                    "Stop the server first, and start it again afterwards.",
    )
    move.add_argument("url", help="the new public address, e.g. https://events.example.org")

    block = commands.add_parser(
        "block-domain", parents=[common], help="suspend (or silence) another server and its subdomains",
        description="Suspend a server: its inbox posts are refused, nothing is sent to it, and its actors' "
                    "events, comments, participations, memberships and follows here are removed. "
                    "--silence keeps its content off public listings instead. Blocking it again changes the block.",
    )
    block.add_argument("domain", help="e.g. example.org")
    block.add_argument("--silence", action="store_true", help="silence rather than suspend")
    block.add_argument("--reject-media", action="store_true", help="show no pictures from it")
    block.add_argument("--reason", default="", help="why, for the moderation log")
    unblock = commands.add_parser("unblock-domain", parents=[common], help="lift the block of a server")
    unblock.add_argument("domain")

    users.add_parser(commands, common)

    export = commands.add_parser(
        "export-account", parents=[common], help="write an account's data (JSON and calendar) to a ZIP file",
        description="Write the ZIP an account's owner downloads at /settings/export: a JSON document of the "
                    "account, its identities, events organised, participations, comments, group memberships "
                    "and posts, and an .ics calendar of its events.")
    export.add_argument("email")
    export.add_argument("--output", metavar="PATH",
                        help="where to write the ZIP (default: NAME-export-DATE.zip in the current folder)")

    seed = commands.add_parser(
        "seed-demo", parents=[common],
        help="fill an empty instance with demo accounts, events, participants, comments and groups",
        description="Fill an empty instance with demo content. Every demo account's password is "
                    f"{demo.DEMO_PASSWORD!r}: never run this on a public instance.",
    )
    seed.add_argument("--events", type=whole_number(demo.EVENTS_MAX), default=200, metavar="N",
                      help="how many events to create (default 200)")
    seed.add_argument("--force", action="store_true",
                      help="add demo data even though the instance already has accounts")
    seed.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, metavar="S",
                      help=f"random seed: the same seed gives the same content (default {demo.DEFAULT_SEED})")
    seed.add_argument("--benchmark-event", action="store_true",
                      help=f"also create one event with {demo.BENCHMARK_PARTICIPANTS} participants and 50 "
                           "comments, and print its path and its organiser's email")
    seed.add_argument("--benchmark-participants", type=whole_number(demo.BENCHMARK_PARTICIPANTS_MAX), metavar="P",
                      help="how many people take part in the benchmark event (implies --benchmark-event; "
                           f"default {demo.BENCHMARK_PARTICIPANTS})")
    seed.add_argument("--benchmark-group", action="store_true",
                      help=f"also create a group with {demo_groups.BENCHMARK_MEMBERS} members and "
                           f"{demo_groups.BENCHMARK_GROUP_EVENTS} events, and print its path and a member's email")
    commands.add_parser("reindex", parents=[common],
                        help="build the search index of events, groups and people again, and reload the towns")
    commands.add_parser(
        "thumbnails", parents=[common], help="make the cards' thumbnails of pictures stored without one",
        description="Make the thumbnail event cards show of every stored picture that has none (pictures "
                    "stored before this version). Until then a picture's first card makes it; running this "
                    "once after upgrading spares the visitors that wait. Pictures with a thumbnail are skipped.")
    ics = commands.add_parser(
        "import-ics", parents=[common], help="import a calendar (.ics file or URL) into an identity or a group",
        description="Create the events of a calendar, as its identity (or in its group) would with the event "
                    "form; importing the same calendar again updates the events whose SEQUENCE or LAST-MODIFIED "
                    "is newer instead of making new ones.")
    ics.add_argument("source", metavar="FILE_OR_URL")
    link = commands.add_parser(
        "import-event", parents=[common], help="import the events of a link (an ActivityPub event, or a web page's "
                                               "schema.org or h-event data) into an identity or a group",
        description="Create the event a link leads to (a Mobilizon, Gancio or other ActivityPub event), or the "
                    "events a web page states as schema.org Event JSON-LD or h-event microformats (at most "
                    f"{link_import.EVENTS_MAX}); importing the same link again updates the events it made.")
    link.add_argument("source", metavar="URL")
    for command in (ics, link):
        owner = command.add_mutually_exclusive_group(required=True)
        owner.add_argument("--identity", metavar="USERNAME", help="the local identity that organises the events")
        owner.add_argument("--group", metavar="GROUP", help="the local group the events belong to (organised by "
                                                            "its first administrator)")
    subscriptions.add_parser(commands, common)
    backups.add_parser(commands, common)
    moving.add_parser(commands, common)
    return parser


def whole_number(high):
    """An argument type taking a whole number from 0 to high."""
    def parse(text):
        try:
            count = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not 0 <= count <= high:
            raise argparse.ArgumentTypeError(f"{count} is not between 0 and {high}")
        return count

    return parse


def username_from_email(email):
    """A username proposal made from the part of an address before the @."""
    local = email.split("@", 1)[0].lower()
    return re.sub(r"[^a-z0-9_]", "_", local)[:30] or "user"


def read_password(from_stdin):
    """The new account's password, from stdin or asked twice at the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise Invalid("No terminal to ask the password at: give it on standard input with --password-stdin, "
                      "e.g. printf 'a long password\\n' | run.py create-user EMAIL --password-stdin")
    try:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat the password: ") != password:
            raise Invalid("The two passwords differ.")
    except (EOFError, KeyboardInterrupt):
        raise Invalid("No password given: the account was not created.") from None
    return password


def create_user(args):
    """The create-user command: everything but the password is checked before asking for it."""
    email = accounts.normalize_email(args.email)
    username = args.identity or username_from_email(email)
    validate_username(username)
    accounts.refuse_used_email(email)
    account = accounts.register(email, read_password(args.password_stdin), username,
                                admin=args.admin, by_admin=True)
    role = "administrator" if account.is_admin else "user"
    print(f"Created {role} account {account.email} with identity @{username}.")


def seed_demo(args):
    """The seed-demo command: the content, then the accounts to log in with."""
    made = demo.seed_demo(events=args.events, force=args.force, seed=args.seed)
    groups = demo_groups.seed_groups(made["people"], seed=args.seed)
    print(f"Created {made['accounts']} accounts with {made['identities']} identities, "
          f"{made['events']} events, {made['participations']} participations and "
          f"{made['comments']} comments; every demo password is {demo.DEMO_PASSWORD!r}.")
    print("Created {groups} groups with {members} members, {events} group events, {posts} posts, "
          "{discussions} discussions with {comments} comments, {resources} resources and {todos} todos."
          .format(**groups))
    width = max(map(len, made["logins"]), default=0)
    print("Demo accounts (email, then its identities):")
    for email, usernames in made["logins"].items():
        print(f"  {email:<{width}}  {' '.join('@' + name for name in usernames)}")
    print("Demo groups (openness, visibility, administrator):")
    for username, openness, visibility, administrator in groups["list"]:
        print(f"  @{username}  {openness}, {visibility}, @{administrator}")
    participants = args.benchmark_participants
    if args.benchmark_event or participants is not None:
        event = demo.seed_benchmark_event(demo.BENCHMARK_PARTICIPANTS if participants is None else participants)
        print(f"Benchmark event: /events/{event.uuid}")
        print(f"Benchmark organiser: {event.organizer.account.email} @{event.organizer.preferred_username}")
    if args.benchmark_group:
        group, member = demo_groups.seed_benchmark_group()
        print(f"Benchmark group: /@{group.preferred_username}")
        print(f"Benchmark group member: {member.account.email} @{member.preferred_username}")


def export_account(app, args):
    """export-account: the ZIP, a line per section as it is written, then a summary."""
    account = account_moderation.account_by_email(args.email)
    output = Path(args.output or f"{account.email.partition('@')[0]}-export-{utcnow():%Y-%m-%d}.zip")
    print(f"Exporting {account.email} to {output}")
    counts = app.extensions["account_export"](account, output, progress=lambda line: print(f"  {line}", flush=True))
    rows = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
    print(f"Wrote {output} ({output.stat().st_size} bytes): {rows}.")


def report_stray_ids(app, out):
    """Print the stored ids that disagree with BASE_URL to out; returns how many there are."""
    with app.app_context():
        stray = base_url.stray_ids()
        federated = base_url.has_federated() if stray else False
    base = app.config["BASE_URL"]
    for (kind, used), count in sorted(stray.items()):
        print(f"{count} {kind} have ids under {used} instead of BASE_URL {base}", file=out)
    if stray:
        print("Other servers cannot follow these ids back to this instance. "
              + ("This instance has federated already: set BASE_URL back to the address its ids use."
                 if federated else f"Stop the server and run: run.py set-base-url {base}"), file=out)
    return sum(stray.values())


def set_base_url(app, url):
    """The set-base-url command: ids first (one transaction), then config.py."""
    new_base = check_base_url(url)
    with app.app_context():
        changed = base_url.move_ids(new_base)
    record_base_url(Path(app.instance_path) / "config.py", new_base)
    print(f"BASE_URL is now {new_base}; {changed} ids rewritten. Start the server again to use it.")
    if os.environ.get(BASE_URL_ENV, new_base).rstrip("/") != new_base:
        print(f"warning: {BASE_URL_ENV} is set to another address: change or unset it.", file=sys.stderr)


def serve(app, host, port, workers=1, make_app=None):
    """Serve app with waitress (workers > 1: in that many processes, each with an app from make_app());
    returns the exit status."""
    configure_malloc()  # before the threads start
    log = logging.getLogger(__name__)
    if report_stray_ids(app, sys.stderr):
        log.warning("stored ids disagree with BASE_URL: federation with other servers will fail")
    log.info("mobilizon_lite at %s", app.config["BASE_URL"])
    if workers == 1:
        serving.serve_here(app, host=host, port=port)
        return 0
    return serving.serve_workers(app, make_app, host, port, workers)


def _megabytes(size):
    return "unknown" if size is None else f"{size / 1e6:.1f} MB"


def reindex():
    """Index every event and actor again, and copy the towns from the bundled data again, showing progress."""
    started = time.monotonic()
    counts = {}
    for index in search_index.INDEXES:
        def show(done, total, table=index.table):
            print(f"\r{table}: {done}/{total}", end="", flush=True)
        counts[index.table] = search_index.rebuild(index, show)
        print(f"\r{index.table}: {counts[index.table]} indexed")
    names = places.load(lambda count: print(f"\rtowns: {count} names", end="", flush=True))
    print(f"\rtowns: {names} names")
    print(f"Indexed {counts['event']} events and {counts['actor']} people and groups; {names} town names; "
          f"index size {_megabytes(search_index.size_bytes())}; {time.monotonic() - started:.1f} s.")


def make_thumbnails():
    """thumbnails: the missing thumbnails made, showing progress, then what was done."""
    started = time.monotonic()

    def show(done, total):
        print(f"\rthumbnails: {done}/{total}", end="", flush=True)

    pictures, made, unreadable = thumbnails.make_missing(upload_folder(), show)
    if made or unreadable:
        print()
    print(f"{pictures} pictures stored: {made} thumbnails made, {pictures - made - unreadable} already there"
          + (f", {unreadable} unreadable" if unreadable else "") + f"; {time.monotonic() - started:.1f} s.")


def import_ics(args):
    """import-ics: read the calendar, then create or update its events showing progress, then a summary."""
    started = time.monotonic()
    identity, group = calendar_import.importer(args.identity, args.group)
    if re.match(r"https?://", args.source, re.IGNORECASE):
        data = ics_import.fetch(args.source).body
    else:
        try:
            # Read no further than the limit: a path like /dev/zero would never end.
            with open(args.source, "rb") as source:
                data = source.read(ics_import.FILE_MAX + 1)
        except OSError as error:
            print(f"error: {args.source}: {error.strerror}", file=sys.stderr)
            return 1
    return run_import(ics_import.read(data, instance_settings.default_timezone()), identity, group, started)


def import_event(args):
    """import-event: fetch the link, then create or update its events as import-ics does."""
    started = time.monotonic()
    identity, group = calendar_import.importer(args.identity, args.group)
    zone = instance_settings.default_timezone()
    found = link_import.events_of(link_import.fetch(args.source), zone)
    return run_import(link_import.items(found, zone), identity, group, started)


def run_import(items, identity, group, started):
    """Create or update the events of items showing progress, then what was skipped or noted and a summary."""
    steps = calendar_import.plan(items, identity, group)

    def show(done, total):
        print(f"\revents: {done}/{total}", end="", flush=True)

    counts = calendar_import.run(steps, identity, group, show)
    if steps:
        print()
    for step in steps:
        if step.action == calendar_import.SKIP:
            print(f"skipped {step.item.uid or '(no UID)'}: {step.reason}")
        for note in step.item.notes:
            print(f"note {step.item.uid}: {note}")
    print(f"{counts['new']} created, {counts['update']} updated, {counts['skip']} skipped; "
          f"{time.monotonic() - started:.1f} s.")
    return 0


def block_domain(args):
    """block-domain: block, then say what was removed."""
    severity = SILENCE if args.silence else SUSPEND
    row, removed = domain_blocks.block(args.domain, severity, reject_media=args.reject_media, reason=args.reason)
    media = ", pictures rejected" if row.reject_media else ""
    print(f"{row.domain} (and its subdomains) is {'silenced' if args.silence else 'suspended'}{media}.")
    if severity == SUSPEND:
        print(f"{removed.describe().capitalize()}.")


def unblock_domain(args):
    """unblock-domain: lift a block; exit status 1 when there was none."""
    if not domain_blocks.unblock(args.domain):
        print(f"{args.domain} was not blocked.", file=sys.stderr)
        return 1
    print(f"{args.domain} is no longer blocked (what its suspension removed stays removed).")
    return 0


def run_command(app, args):
    """Run one admin command inside the app; returns the exit status."""
    if args.command == "check":
        stray = report_stray_ids(app, sys.stdout)
        verdict = "fix the ids above." if stray else "every stored id agrees."
        print(f"BASE_URL is {app.config['BASE_URL']}; {verdict}")
        return 1 if stray else 0
    if args.command == "set-base-url":
        set_base_url(app, args.url)
        return 0
    with app.app_context():
        if args.command == "create-user":
            create_user(args)
        elif args.command == "set-registrations":
            instance_settings.set_registrations(args.mode, args.domains, None)
            allowlist = args.mode == instance.REGISTRATIONS_ALLOWLIST
            domains = f" ({', '.join(instance.allowed_domains())})" if allowlist else ""
            print(f"Registrations are now {args.mode}{domains}.")
        elif args.command == "create-invite":
            print(instance.create_invite())
        elif args.command == "seed-demo":
            seed_demo(args)
        elif args.command == "reindex":
            reindex()
        elif args.command == "thumbnails":
            make_thumbnails()
        elif args.command == "block-domain":
            block_domain(args)
        elif args.command == "unblock-domain":
            return unblock_domain(args)
        elif args.command == "export-account":
            export_account(app, args)
        elif args.command == "import-ics":
            return import_ics(args)
        elif args.command == "import-event":
            return import_event(args)
        elif args.command == "users":
            return users.run(args)
        elif args.command == "subscriptions":
            return subscriptions.run(args)
        elif args.command == "init":
            print(f"Instance ready in {app.instance_path}.")
    return 0


def main(argv=None, default_instance=None):
    """Entry point of run.py; returns the process exit status."""
    args = build_parser().parse_args(argv)
    host = getattr(args, "host", DEFAULT_HOST)
    port = getattr(args, "port", DEFAULT_PORT)
    instance_path = Path(getattr(args, "instance_path", None) or default_instance or "instance")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    url_host = f"[{host}]" if ":" in host else host
    default_base_url = f"http://{url_host}:{port}"
    try:
        if args.command in ("backup", "restore"):
            return backups.run(args, instance_path, default_base_url)
        if args.command == "move-to-postgres":
            return moving.run(args, instance_path, default_base_url)
        if args.command in (None, "serve"):
            # Held until the process ends: a restore refuses to replace the files of a running server.
            instance_lock.share(instance_path)
        def make_app():
            return create_app(default_base_url=default_base_url, instance_path=str(instance_path.resolve()),
                              base_url=getattr(args, "base_url", None), moving=args.command == "set-base-url")

        app = make_app()
        if args.command in (None, "serve"):
            return serve(app, host, port, getattr(args, "workers", 1), make_app)
        return run_command(app, args)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except ServiceError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
