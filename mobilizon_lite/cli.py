"""Command line: serve the instance (default) and the admin commands, for people and scripts."""
import argparse
import getpass
import logging
import re
import sys
from pathlib import Path

from . import create_app
from .config import ConfigError
from .services import accounts, demo, instance
from .services.errors import ServiceError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


def build_parser():
    """The argument parser for run.py."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--host", default=argparse.SUPPRESS,
                        help=f"address to listen on (default {DEFAULT_HOST})")
    common.add_argument("--port", type=int, default=argparse.SUPPRESS,
                        help=f"port to listen on (default {DEFAULT_PORT})")
    common.add_argument("--instance-path", default=argparse.SUPPRESS,
                        help="folder holding config.py and the database (default ./instance)")

    parser = argparse.ArgumentParser(
        prog="run.py", parents=[common],
        description="Run a mobilizon_lite instance, or administer it.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", parents=[common], help="serve the instance (the default)")
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

    commands.add_parser("create-invite", parents=[common], help="print a single-use sign-up link")

    seed = commands.add_parser(
        "seed-demo", parents=[common],
        help="fill an empty instance with demo accounts, events, participants and comments",
        description="Fill an empty instance with demo content. Every demo account's password is "
                    f"{demo.DEMO_PASSWORD!r}: never run this on a public instance.",
    )
    seed.add_argument("--events", type=event_count, default=200, metavar="N",
                      help="how many events to create (default 200)")
    seed.add_argument("--force", action="store_true",
                      help="add demo data even though the instance already has accounts")
    seed.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, metavar="S",
                      help=f"random seed: the same seed gives the same content (default {demo.DEFAULT_SEED})")
    seed.add_argument("--benchmark-event", action="store_true",
                      help="also create one event with 50 participants and 50 comments, and print its path")
    return parser


def event_count(text):
    """The --events value: a whole number from 0 to demo.EVENTS_MAX."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= count <= demo.EVENTS_MAX:
        raise argparse.ArgumentTypeError(f"{count} is not between 0 and {demo.EVENTS_MAX}")
    return count


def username_from_email(email):
    """A username proposal made from the part of an address before the @."""
    local = email.split("@", 1)[0].lower()
    return re.sub(r"[^a-z0-9_]", "_", local)[:30] or "user"


def read_password(from_stdin):
    """The new account's password, from stdin or asked twice at the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != password:
        raise ServiceError("The two passwords differ.")
    return password


def serve(app, host, port):
    """Serve app with waitress, with the scheduler running in this same process."""
    import waitress

    from .scheduler import build_scheduler

    scheduler = build_scheduler(app)
    scheduler.start()
    logging.getLogger(__name__).info("mobilizon_lite at %s", app.config["BASE_URL"])
    try:
        waitress.serve(app, host=host, port=port, threads=app.config["WAITRESS_THREADS"],
                       ident="mobilizon_lite")
    finally:
        scheduler.shutdown(wait=False)


def run_command(app, args):
    """Run one admin command inside the app; returns the exit status."""
    with app.app_context():
        if args.command == "create-user":
            username = args.identity or username_from_email(args.email)
            account = accounts.register(
                args.email, read_password(args.password_stdin), username,
                admin=args.admin, by_admin=True,
            )
            role = "administrator" if account.is_admin else "user"
            print(f"Created {role} account {account.email} with identity @{username}.")
        elif args.command == "set-registrations":
            instance.set_registrations_mode(args.mode)
            print(f"Registrations are now {args.mode}.")
        elif args.command == "create-invite":
            print(instance.create_invite())
        elif args.command == "seed-demo":
            made = demo.seed_demo(events=args.events, force=args.force, seed=args.seed)
            print(f"Created {made['accounts']} accounts with {made['identities']} identities, "
                  f"{made['events']} events, {made['participations']} participations and "
                  f"{made['comments']} comments; every demo password is {demo.DEMO_PASSWORD!r}.")
            if args.benchmark_event:
                print(f"Benchmark event: /events/{demo.seed_benchmark_event()}")
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
    try:
        app = create_app(default_base_url=f"http://{url_host}:{port}",
                         instance_path=str(instance_path.resolve()))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.command in (None, "serve"):
        serve(app, host, port)
        return 0
    try:
        return run_command(app, args)
    except ServiceError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
