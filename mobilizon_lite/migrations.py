"""Schema migrations, applied in order; the version is SQLite's user_version, or a one-row table on
PostgreSQL."""
import logging

from . import geo
from .config import ConfigError
from .db import database, on_postgres
from .models import (
    Account,
    Activity,
    Actor,
    CalendarSubscription,
    Comment,
    Delivery,
    Discussion,
    DiscussionComment,
    DomainBlock,
    DomainHealth,
    Event,
    EventInvitation,
    EventMessage,
    EventOccurrence,
    FeedToken,
    Follow,
    FormSubmission,
    GroupDigest,
    ImportedEvent,
    InboxHealth,
    InboxItem,
    Invite,
    Lease,
    Member,
    ModerationLog,
    NotificationSetting,
    OccurrenceOverride,
    OutgoingMail,
    Participation,
    PasswordResetToken,
    Place,
    Post,
    RateLimitHit,
    Reminder,
    Report,
    ReportItem,
    ReportNote,
    Resource,
    Setting,
    Throttle,
    Todo,
    TodoList,
    Tombstone,
    changes,
    moderation,
    processes,
    search_index,
)

log = logging.getLogger(__name__)


def _add_column(table, column, definition, index=None):
    """ALTER TABLE … ADD COLUMN unless a database made from the current models has it already."""
    if column not in {existing.name for existing in database.get_columns(table)}:
        database.execute_sql(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        if index:
            database.execute_sql(index)


def _initial_schema():
    database.create_tables([Account, Actor, PasswordResetToken, Invite, Setting])


def _events():
    database.create_tables([Event, Participation, EventInvitation, Comment])


def _feeds():
    database.create_tables([FeedToken])


def _federation():
    database.create_tables([InboxItem, Follow, Activity, Delivery, InboxHealth, DomainHealth, Tombstone])
    _add_column("actor", "public_key_id", "VARCHAR(2048)",
                "CREATE INDEX IF NOT EXISTS actor_public_key_id ON actor (public_key_id)")


def _remote_participation():
    _add_column("participation", "ap_id", "VARCHAR(2048)",
                "CREATE UNIQUE INDEX IF NOT EXISTS participation_ap_id ON participation (ap_id)")
    _add_column("event", "remote_participant_count", "INTEGER")


def _activity_objects():
    _add_column("activity", "object_ap_id", "VARCHAR(2048)",
                "CREATE INDEX IF NOT EXISTS activity_object_ap_id ON activity (object_ap_id)")
    # Activities published before: later changes of their objects must rewrite them too.
    if on_postgres():
        database.execute_sql(
            "UPDATE activity SET object_ap_id = CASE json_typeof(body::json -> 'object') "
            "WHEN 'string' THEN body::json ->> 'object' ELSE body::json -> 'object' ->> 'id' END "
            "WHERE type IN ('Create', 'Update', 'Delete') AND object_ap_id IS NULL")
        return
    database.execute_sql(
        "UPDATE activity SET object_ap_id = CASE json_type(body, '$.object') "
        "WHEN 'text' THEN json_extract(body, '$.object') ELSE json_extract(body, '$.object.id') END "
        "WHERE type IN ('Create', 'Update', 'Delete') AND object_ap_id IS NULL AND json_valid(body)")


def _listed_activities():
    _add_column("activity", "listed", "INTEGER NOT NULL DEFAULT 0")
    # Only activities with the Public in `to` stay in outboxes; unlisted ones have it in `cc` only.
    # A Delete was addressed to `to` + `cc` in one list: the Public came first only when listed.
    public = "'https://www.w3.org/ns/activitystreams#Public'"
    if on_postgres():
        database.execute_sql(
            "UPDATE activity SET listed = TRUE WHERE public AND CASE type "
            f"WHEN 'Delete' THEN body::jsonb -> 'to' ->> 0 = {public} ELSE body::jsonb -> 'to' ? {public} END")
        return
    database.execute_sql(
        "UPDATE activity SET listed = 1 WHERE public AND json_valid(body) AND CASE type "
        f"WHEN 'Delete' THEN json_extract(body, '$.to[0]') = {public} "
        f"ELSE EXISTS (SELECT 1 FROM json_each(body, '$.to') WHERE value = {public}) END")


def _server_software():
    _add_column("domain_health", "software", "VARCHAR(64) NOT NULL DEFAULT ''")
    _add_column("domain_health", "software_checked_at", "DATETIME")


def _account_confirmation():
    _add_column("account", "confirmed_at", "DATETIME")
    # Accounts made before sign-up asked for a confirmation keep working.
    database.execute_sql("UPDATE account SET confirmed_at = created_at WHERE confirmed_at IS NULL")


def _content_version():
    changes.create_version_table()
    # What the cached pages and documents show: events and their people, comments, profiles and
    # their follows, the instance's settings, accounts (counted by NodeInfo), deleted objects.
    changes.track("event", "participation", "comment", "actor", "follow", "setting", "account", "tombstone")
    # A remote event's page says whether its server takes registrations from others (its software).
    changes.track_columns("domain_health", "software")


def _inbox_queue():
    _add_column("inbox_item", "next_attempt_at", "DATETIME",
                "CREATE INDEX IF NOT EXISTS inbox_item_next_attempt_at ON inbox_item (next_attempt_at)")
    database.execute_sql("CREATE INDEX IF NOT EXISTS inbox_item_actor_id_next_attempt_at "
                         "ON inbox_item (actor_id, next_attempt_at)")
    # Items still waiting to be handled, or retried, are taken up by the handling job.
    database.execute_sql("UPDATE inbox_item SET next_attempt_at = received_at WHERE next_attempt_at IS NULL "
                         "AND (state = 'received' OR (state = 'failed' AND attempts < 5))")


def _groups():
    _add_column("actor", "visibility", "VARCHAR(16) NOT NULL DEFAULT 'public'")
    _add_column("actor", "openness", "VARCHAR(16) NOT NULL DEFAULT 'moderated'")
    _add_column("actor", "avatar", "VARCHAR(100)")
    _add_column("actor", "banner", "VARCHAR(100)")
    _add_column("actor", "address", "TEXT NOT NULL DEFAULT '{}'")
    database.create_tables([Member, Post, Discussion, DiscussionComment, Resource, TodoList, Todo])
    # Group pages show members' counts, posts and events; members-only pages are never kept, but a
    # discussion's or a resource's change still reaches the group page's "latest" lists.
    changes.track("member", "post", "discussion", "discussion_comment", "resource", "todo_list", "todo")
    database.execute_sql("CREATE INDEX IF NOT EXISTS event_attributed_to_begins_on "
                         "ON event (attributed_to_id, begins_on)")


def _group_digests():
    database.create_tables([GroupDigest])


def _perf_indexes():
    # My events reads an account's participations by identity and role: by role alone, SQLite went
    # through every participant of the instance (4.6 ms a list at 10,000 events, 1.9 ms with this one).
    database.execute_sql("CREATE INDEX IF NOT EXISTS participation_actor_id_role_event_id "
                         "ON participation (actor_id, role, event_id)")


def _group_hide_creator():
    _add_column("actor", "hide_event_creator", "INTEGER NOT NULL DEFAULT 0")


def _perf_lists():
    # Every page and part the page cache keeps holds until the next moment an event begins or ends
    # (changes.next_event_moment): without these, each rebuild read every event to find it (0.8 ms at
    # 1,200 events, about 8 ms at 10,000).
    database.execute_sql("CREATE INDEX IF NOT EXISTS event_begins_on ON event (begins_on)")
    database.execute_sql("CREATE INDEX IF NOT EXISTS event_ends_on ON event (ends_on)")


def _perf_event_pages():
    # A logged-in person's event page is kept for them (web/events.py show): an invitation changes what
    # it offers (join an invite-only event, see a private one).
    changes.track("event_invitation")
    # My events walks the events in time order for an account taking part in many of them (see
    # services/my_events.py): the times alone, read without the rows. It serves lookups by beginning too.
    database.execute_sql("CREATE INDEX IF NOT EXISTS event_begins_on_ends_on ON event (begins_on, ends_on)")
    database.execute_sql("DROP INDEX IF EXISTS event_begins_on")


def _remote_groups():
    # A group of elsewhere is shown with the count its own document gives (nobody here holds its list).
    _add_column("actor", "member_count", "INTEGER")


def _moderation():
    _add_column("account", "suspended_at", "DATETIME")
    database.create_tables([ModerationLog])


def _reports():
    database.create_tables([Report, ReportItem, ReportNote])


def _relay_follows():
    _add_column("follow", "refused_at", "DATETIME")


def _domain_blocks():
    database.create_tables([DomainBlock])
    moderation.create_blocks_version()
    # A block changes which events public listings show, so pages kept by the page cache are rebuilt.
    changes.track("domain_block")
    _add_column("domain_health", "software_version", "VARCHAR(64) NOT NULL DEFAULT ''")


def _account_moderation():
    _add_column("account", "last_login_at", "DATETIME")
    _add_column("account", "deleted_at", "DATETIME")
    # Public listings leave out the events of suspended organisers: the few suspended actors, found by
    # this index rather than by reading every actor.
    database.execute_sql("CREATE INDEX IF NOT EXISTS actor_suspended ON actor (id) WHERE suspended")
    # Pages show only these columns of accounts: a log-in (last_login_at, the session version) must not
    # make every kept page be built again.
    changes.untrack_updates("account")
    changes.track_columns("account", "email", "role", "locale", "confirmed_at", "suspended_at", "deleted_at")


def _abuse_limits():
    database.create_tables([Throttle, RateLimitHit])


def _group_content_pending():
    for table in ("discussion_comment", "resource", "todo_list", "todo"):
        _add_column(table, "pending", "INTEGER NOT NULL DEFAULT 0")


def _remote_images():
    _add_column("actor", "avatar_url", "VARCHAR(2048)")
    _add_column("actor", "banner_url", "VARCHAR(2048)")


def _mail_queue():
    database.create_tables([OutgoingMail])


def _event_messages():
    database.create_tables([EventMessage])
    _add_column("participation", "messages_off", "INTEGER NOT NULL DEFAULT 0")
    # Event pages list the messages to their participants.
    changes.track("event_message")


def _anonymous_contact():
    _add_column("participation", "name", "VARCHAR(100) NOT NULL DEFAULT ''")
    _add_column("participation", "email_shown", "INTEGER NOT NULL DEFAULT 0")


def _search_index():
    # The gazetteer is filled on first use (services/places.py): reading it takes seconds.
    database.create_tables([Place])
    search_index.create_indexes()
    for index in search_index.INDEXES:
        search_index.rebuild(index)
    if on_postgres():
        # SQLite calls the Python function, which db.py registers on each connection.
        database.execute_sql(geo.DISTANCE_KM_SQL)
    # Search near a place reads the events in a box of latitudes first (then their distance).
    database.execute_sql("CREATE INDEX IF NOT EXISTS event_latitude_longitude ON event (latitude, longitude) "
                         "WHERE latitude IS NOT NULL")


def _reminders():
    database.create_tables([Reminder])
    _add_column("participation", "reminders_off", "INTEGER NOT NULL DEFAULT 0")
    _add_column("account", "reminder_offsets", "VARCHAR(64) NOT NULL DEFAULT '1440,60'")


def _notification_settings():
    database.create_tables([NotificationSetting])


def _waiting_lists():
    _add_column("event", "waiting_list", "INTEGER NOT NULL DEFAULT 0")
    _add_column("participation", "waiting_since", "DATETIME")


def _recurring_events():
    _add_column("event", "rrule", "VARCHAR(200) NOT NULL DEFAULT ''")
    _add_column("event", "exdates", "TEXT NOT NULL DEFAULT '[]'")
    _add_column("event", "series_begins_on", "DATETIME")
    _add_column("event", "series_ends_on", "DATETIME")
    database.create_tables([EventOccurrence])
    # Event pages list a series' next dates.
    changes.track("event_occurrence")


def _place_regions():
    # Towns offered to choose from on the event form are told apart by their region, and chosen by id.
    _add_column("place", "geonameid", "INTEGER NOT NULL DEFAULT 0")
    _add_column("place", "region", "VARCHAR(100) NOT NULL DEFAULT ''")
    # Filled again, with both, on first use (services/places.py).
    database.execute_sql("DELETE FROM place")


def _occurrence_overrides():
    database.create_tables([OccurrenceOverride])
    # Event pages show a series' changed and cancelled dates.
    changes.track("occurrence_override")


def _imported_events():
    # Importing a calendar again changes the events it made before, found by the calendar's UID. Today's
    # model points at the table of a later step, which PostgreSQL wants to exist already.
    database.create_tables([CalendarSubscription, ImportedEvent] if on_postgres() else [ImportedEvent])


def _federated_dates():
    # A changed date of another server's series is found by the id of the Event it came as (its Delete).
    _add_column("occurrence_override", "ap_id", "VARCHAR(2048)",
                "CREATE INDEX IF NOT EXISTS occurrence_override_ap_id ON occurrence_override (ap_id)")


def _calendar_subscriptions():
    # Calendars fetched on a schedule; the events each made, so that its removals touch only those.
    database.create_tables([CalendarSubscription])
    _add_column("imported_event", "subscription_id",
                "INTEGER REFERENCES calendar_subscription (id) ON DELETE SET NULL",
                "CREATE INDEX IF NOT EXISTS imported_event_subscription_id ON imported_event (subscription_id)")


def _date_participations():
    # A participation names one date of a series, or (NULL, as every one so far) all of its dates.
    _add_column("participation", "recurrence_id", "DATETIME")
    for old in ("participation_event_id_actor_id", "participation_event_id_email"):
        database.execute_sql(f'DROP INDEX IF EXISTS "{old}"')
    for index in Participation._meta.fields_to_index():
        database.execute_sql(*database.get_sql_context().sql(index).query())


def _several_processes():
    # What server processes share: the scheduler's lease (its row made here, held by nobody yet) and the
    # create forms already posted.
    database.create_tables([Lease, FormSubmission])
    Lease.insert(name=processes.SCHEDULER).on_conflict_ignore().execute()


# Append new steps; never edit or reorder the ones already released.
STEPS = [_initial_schema, _events, _feeds, _federation, _remote_participation, _activity_objects,
         _listed_activities, _server_software, _account_confirmation, _content_version,
         _inbox_queue, _groups, _group_digests, _perf_indexes, _group_hide_creator, _perf_lists,
         _perf_event_pages, _remote_groups, _moderation, _reports, _relay_follows, _domain_blocks,
         _account_moderation, _abuse_limits, _group_content_pending, _remote_images, _mail_queue,
         _event_messages, _anonymous_contact, _search_index, _reminders,
         _notification_settings, _waiting_lists, _recurring_events, _place_regions,
         _occurrence_overrides, _imported_events, _federated_dates, _calendar_subscriptions,
         _date_participations, _several_processes]


class SchemaTooNew(ConfigError):
    """The database was brought to a schema this code does not know, by a newer release."""


def check_version(version, where):
    """SchemaTooNew when version (of the database at where) is ahead of this code's last step."""
    if version > len(STEPS):
        raise SchemaTooNew(
            f"the database {where} is at schema version {version}, but this version of mobilizon_lite "
            f"knows only up to {len(STEPS)}: a newer release has used it. Install that release again "
            "(or a later one), or restore a backup made by this one (run.py restore PATH).")


# PostgreSQL's table of the version (SQLite keeps it in the file's header).
VERSION_TABLE = "schema_version"
# Any number, the same in every process: the key of the lock that lets one process at a time migrate.
MIGRATION_LOCK = 0x6D6C6974


def schema_version(db=None):
    """The schema version of db (by default the current app's database): 0 for a new one."""
    db = database if db is None else db
    if not on_postgres(db):
        return db.execute_sql("PRAGMA user_version").fetchone()[0]
    if not db.table_exists(VERSION_TABLE):
        return 0
    return db.execute_sql(f"SELECT version FROM {VERSION_TABLE}").fetchone()[0]  # noqa: S608 - our name


def set_schema_version(number):
    """Record that the current app's database is at schema version number."""
    if not on_postgres():
        database.execute_sql(f"PRAGMA user_version = {number:d}")
        return
    database.execute_sql(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} "
                         "(id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)")
    database.execute_sql(f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, %s) "  # noqa: S608 - our name
                         "ON CONFLICT (id) DO UPDATE SET version = excluded.version", (number,))


def migrate(up_to=None):
    """Bring the current app's database to the latest schema version (or to step up_to, as an earlier
    release left it); refuse one newer than the code."""
    with database.atomic():
        if on_postgres():
            # Processes started together: the others wait, then find the work done (SQLite's
            # transactions take the write lock at once already).
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        version = schema_version()
        check_version(version, database.database)
        for number, step in enumerate(STEPS[version:up_to], start=version + 1):
            log.info("applying schema migration %d (%s)", number, step.__name__)
            step()
            set_schema_version(number)
