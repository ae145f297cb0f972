"""The subscriptions command: subscribe an identity or a group to an outside calendar, list the
subscriptions, and fetch those due now (as the scheduler's job does, all of them at once)."""
import time

from ..models import Actor
from ..services import calendar_import, calendar_subscriptions
from ..services.calendar_subscriptions import FAILED, HOUR, INTERVALS, OK


def add_parser(commands, common):
    """The subscriptions command and its subcommands, added to run.py's commands."""
    subscriptions = commands.add_parser("subscriptions", parents=[common],
                                        help="subscribe identities or groups to outside calendars, list and sync them")
    actions = subscriptions.add_subparsers(dest="subscriptions_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", parents=[common], help="subscribe an identity or a group to a calendar's address (.ics)",
        description="Subscribe, then fetch the calendar once: its events are created as its identity (or in its "
                    "group) would with the event form. Afterwards it is fetched every --every hours: new events "
                    "created, changed ones updated, those gone from it cancelled (or deleted without participants).")
    add.add_argument("url", metavar="URL")
    owner = add.add_mutually_exclusive_group(required=True)
    owner.add_argument("--identity", metavar="USERNAME", help="the local identity that organises the events")
    owner.add_argument("--group", metavar="GROUP", help="the local group the events belong to (organised by "
                                                        "its first administrator)")
    add.add_argument("--every", type=int, choices=[seconds // HOUR for seconds in INTERVALS], default=1,
                     metavar="HOURS", help="hours between fetches: 1 (the default), 3, 6, 12 or 24")
    actions.add_parser("list", parents=[common], help="list the subscriptions, their status and next fetch")
    sync = actions.add_parser("sync", parents=[common], help="fetch every subscription that is due, now")
    sync.add_argument("--all", action="store_true", help="fetch every active subscription, due or not")


def _line(subscription, owners):
    fetched = subscription.fetched_at.strftime("%Y-%m-%d %H:%M") if subscription.fetched_at else "never"
    counts = (f"{subscription.created} created, {subscription.updated} updated, {subscription.removed} removed, "
              f"{subscription.unchanged} unchanged, {subscription.skipped} skipped")
    state = "" if subscription.active else " (stopped)"
    error = f": {subscription.error}" if subscription.error else ""
    return (f"#{subscription.id} @{owners[subscription.owner_id]} {subscription.url} every "
            f"{subscription.interval // HOUR} h; {subscription.status}{state}{error}; last fetch {fetched}, "
            f"next {subscription.next_due:%Y-%m-%d %H:%M}; {counts}")


def _owners(subscriptions):
    ids = {subscription.owner_id for subscription in subscriptions}
    return {actor.id: actor.preferred_username for actor in Actor.select().where(Actor.id.in_(list(ids)))}


def run(args):
    """Run one subscriptions subcommand; returns the exit status."""
    if args.subscriptions_command == "add":
        identity, group = calendar_import.importer(args.identity, args.group)

        def show(done, total):
            print(f"\revents: {done}/{total}", end="", flush=True)

        subscription = calendar_subscriptions.subscribe(identity, args.url, args.every * HOUR, group, show)
        print(f"\nSubscribed.\n{_line(subscription, _owners([subscription]))}")
        return 0
    if args.subscriptions_command == "list":
        found = calendar_subscriptions.subscriptions_of()
        owners = _owners(found)
        for subscription in found:
            print(_line(subscription, owners))
        print(f"{len(found)} subscription{'' if len(found) == 1 else 's'}.")
        return 0
    started = time.monotonic()

    def report(number, total, subscription):
        detail = (f": {subscription.error}" if subscription.error else
                  f" ({subscription.created} created, {subscription.updated} updated, {subscription.removed} removed)"
                  if subscription.status == OK else "")
        print(f"[{number}/{total}] #{subscription.id} {subscription.url}: {subscription.status}{detail}", flush=True)

    synced = calendar_subscriptions.sync_due(limit=None, every=args.all, report=report)
    failed = sum(1 for subscription in synced if subscription.status in FAILED)
    # The others' counts are those of an earlier fetch: not modified since, or held by another sync.
    read = [subscription for subscription in synced if subscription.status == OK]
    print(f"{len(synced)} subscription{'' if len(synced) == 1 else 's'} fetched, {failed} failed; events: "
          f"{sum(s.created for s in read)} created, {sum(s.updated for s in read)} updated, "
          f"{sum(s.removed for s in read)} removed; {time.monotonic() - started:.1f} s.")
    return 0
