"""The users command: list accounts, suspend, unsuspend or delete one, change its role (the command
line acts as the host's administrator: the moderation log says "command line")."""
from ..models.accounts import ROLES
from ..services import account_deletion, account_moderation
from ..services.account_moderation import STATES
from ..services.errors import Invalid

LIST_MAX = 10_000


def add_parser(commands, common):
    """The users command and its subcommands, added to run.py's commands."""
    users = commands.add_parser("users", parents=[common], help="list, suspend, unsuspend or delete accounts, "
                                                                "or change their role")
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[common], help="list accounts (newest first)")
    listing.add_argument("--role", choices=ROLES)
    listing.add_argument("--state", choices=STATES)
    listing.add_argument("--search", metavar="Q", default="", help="part of an email address or a username")
    suspend = actions.add_parser("suspend", parents=[common],
                                 help="suspend an account: no log-in, its identities gone, its events unlisted")
    suspend.add_argument("email")
    suspend.add_argument("--reason", default="", help="kept in the moderation log")
    unsuspend = actions.add_parser("unsuspend", parents=[common], help="lift an account's suspension")
    unsuspend.add_argument("email")
    unsuspend.add_argument("--reason", default="", help="kept in the moderation log")
    delete = actions.add_parser("delete", parents=[common],
                                help="delete an account, its events and identities (other servers are told)")
    delete.add_argument("email")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.add_argument("--events-to", metavar="GROUP", default="",
                        help="hand the events only this account organises to this group it administers "
                             "(by username), rather than deleting them")
    delete.add_argument("--reason", default="", help="kept in the moderation log")
    role = actions.add_parser("set-role", parents=[common], help="make an account a user, moderator or admin")
    role.add_argument("email")
    role.add_argument("role", choices=ROLES)


def list_accounts(args):
    """Print the accounts matching, one a line, and how many."""
    rows, _more = account_moderation.find_accounts(args.search, args.role, args.state, per_page=LIST_MAX)
    width = max((len(account.email) for account, _names in rows), default=0)
    for account, names in rows:
        login = account.last_login_at.strftime("%Y-%m-%d %H:%M") if account.last_login_at else "never"
        print(f"{account.email:<{width}}  {account.role:<9}  {account_moderation.state_of(account):<11}  "
              f"last log-in {login:<16}  {' '.join('@' + name for name in names)}")
    print(f"{len(rows)} account{'' if len(rows) == 1 else 's'}.")


def _confirmed(question, yes):
    """Whether the person at the terminal (or --yes) agrees."""
    if yes:
        return True
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _event_fate(plan, group_name):
    """The fate of the events the account organises alone: DELETE, or the id of the group named."""
    if not group_name:
        return account_deletion.DELETE
    for _event, groups in plan.alone:
        for group in groups:
            if group.preferred_username == group_name.lstrip("@"):
                return str(group.id)
    raise Invalid(f"@{group_name.lstrip('@')} cannot take this account's events: it must be a group here that "
                  "one of its identities administers, with another organiser of this server.")


def delete(account, args):
    """Show what deleting the account does, ask, and delete it; the exit status."""
    email, names = account.email, account_moderation.handles(account)
    plan = account_deletion.plan(account)
    for group in plan.groups_to_hand_over:
        print(f"Last administrator of @{group.preferred_username}: make another member administrator first.")
    if plan.blocked:
        return 1
    fate = _event_fate(plan, args.events_to)
    for event, heir in plan.handed_on:
        print(f"Event “{event.title}” goes to @{heir.preferred_username}.")
    for event, _groups in plan.alone:
        print(f"Event “{event.title}” " + ("is deleted (its participants are told)." if fate == account_deletion.DELETE
                                          else f"goes to the group @{args.events_to.lstrip('@')}."))
    if not _confirmed(f"Delete {email} ({names or 'no identity'})?", args.yes):
        print("Nothing deleted.")
        return 1
    account_moderation.delete_account(account, None, args.reason, default=fate)
    print(f"Deleted {email} ({names or 'no identity'}): {len(plan.handed_on) + len(plan.alone)} event(s) "
          "settled; its usernames stay taken.")
    return 0


def run(args):
    """Run one users subcommand; returns the exit status."""
    if args.users_command == "list":
        list_accounts(args)
        return 0
    account = account_moderation.account_by_email(args.email)
    email = account.email
    if args.users_command == "suspend":
        account_moderation.suspend(account, None, args.reason)
        print(f"Suspended {email}: it can no longer log in, its identities answer 410 and other servers "
              "are told they were deleted.")
    elif args.users_command == "unsuspend":
        account_moderation.unsuspend(account, None, args.reason)
        print(f"Unsuspended {email}: it can log in again.")
    elif args.users_command == "delete":
        return delete(account, args)
    elif args.users_command == "set-role":
        account_moderation.set_role(account, args.role, None)
        print(f"{email} is now {args.role}.")
    return 0
