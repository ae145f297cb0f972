"""Making events from a calendar read by ics_import: what each VEVENT will do (new, update, skip and
why; for a subscribed calendar, also the events whose UID it no longer holds: removed), then doing it
through the event services the form uses, so checks, federation, search and participants' mail apply."""
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..db import database, utcnow
from ..models import Actor, Event, ImportedEvent, Member, Participation
from ..models.actors import TYPE_GROUP, TYPE_PERSON
from ..models.events import Status
from ..models.groups import Role
from ..models.participation import NOT_APPROVED, PARTICIPANT, WAITLISTED
from . import actors, events, group_roles
from .errors import NotFound, ServiceError

NEW, UPDATE, SKIP, REMOVE = "new", "update", "skip", "remove"
# How long a calendar read for a preview is kept for its confirmation.
HELD_SECONDS = 3600
# The columns an import sets on an event it made before; the organisers' other choices stay.
IMPORTED = ("title", "description_source", "description", "begins_on", "ends_on", "timezone", "rrule", "exdates",
            "status", "place_name", "street", "postal_code", "locality", "region", "country", "latitude",
            "longitude", "links", "tags")


@dataclass
class Step:
    """What importing one Item does: action NEW, UPDATE (event) or SKIP (reason); or, item None, REMOVE
    (event) for a subscribed calendar's event gone from it. Once done, event is the one made or changed
    (None once deleted) and reason says what a removal did."""

    item: object
    action: str
    event: Event | None = None
    reason: str = ""


def owner_of(identity, group):
    """The actor imported UIDs belong to: the group when importing into one, else the identity."""
    return group if group is not None else identity


def plan(items, identity, group=None, subscription=None):
    """The Step of each Item, for identity (acting for group, when given); with subscription, then a
    REMOVE step for each event it made whose UID items no longer hold (see removable)."""
    if group is not None:
        group_roles.require(group, identity, "manage_events")
    owner = owner_of(identity, group)
    uids = [item.uid for item in items if item.uid]
    known = {row.uid: row for row in ImportedEvent.select(ImportedEvent, Event).join(Event).where(
        (ImportedEvent.owner == owner) & ImportedEvent.uid.in_(uids))} if uids else {}
    steps = []
    for item in items:
        row = known.get(item.uid)
        if item.problem:
            steps.append(Step(item, SKIP, reason=item.problem))
        elif row is None:
            steps.append(Step(item, NEW))
        elif not newer(item, row):
            steps.append(Step(item, SKIP, row.event, _("Already imported, and not changed since.")))
        else:
            steps.append(Step(item, UPDATE, row.event))
    if subscription is not None:
        steps.extend(Step(None, REMOVE, row.event) for row in removable(subscription, set(uids)))
    return steps


def removable(subscription, uids):
    """The ImportedEvent rows (with their event) of subscription whose UID is not among uids, their event
    neither over nor cancelled: a calendar that lists only what is ahead drops past events, which stay."""
    now = utcnow()
    return [row for row in ImportedEvent.select(ImportedEvent, Event).join(Event).where(
        (ImportedEvent.subscription == subscription) & (Event.status != Status.CANCELLED)
        & events.ends_since(now)).order_by(ImportedEvent.id) if row.uid not in uids]


def newer(item, row):
    """Whether item is a later version than the one imported in row: a higher SEQUENCE, or the same one
    modified later (an older version never overwrites a newer)."""
    if item.sequence != row.sequence:
        return item.sequence > row.sequence
    return item.modified is not None and (row.modified is None or item.modified > row.modified)


def run(steps, identity, group=None, progress=None, subscription=None):
    """Do the steps: events created, updated or removed by identity (for group), those made or updated
    then kept by subscription when given; {action: count}. A step the event service refuses becomes a
    skip with its reason. progress(done, total) is called after each."""
    owner = owner_of(identity, group)
    counts = {NEW: 0, UPDATE: 0, SKIP: 0, REMOVE: 0}
    for number, step in enumerate(steps, start=1):
        try:
            if step.action == NEW:
                step.event = _create(step.item, identity, group, owner, subscription)
            elif step.action == UPDATE:
                step.event = _update(step.item, step.event, identity, owner, subscription)
            elif step.action == REMOVE:
                step.event, step.reason = remove(step.event, identity)
        except ServiceError as error:
            # Refused by the event service (a check, the group role since lost): the others go on.
            step.action, step.reason = SKIP, error.message
        counts[step.action] += 1
        if progress:
            progress(number, len(steps))
    return counts


def _create(item, identity, group, owner, subscription):
    with database.atomic():
        event = events.create_event(identity, item.data, group=group)
        ImportedEvent.create(owner=owner, uid=item.uid, event=event, sequence=item.sequence, modified=item.modified,
                             subscription=subscription)
    return event


def _update(item, event, identity, owner, subscription):
    values = {name: item.values[name] if name in IMPORTED else getattr(event, name) for name in item.values}
    kept = {"subscription": subscription} if subscription is not None else {}
    with database.atomic():
        event = events.change_event(event, identity, values)
        # A subscribed calendar takes over the events a one-off import (or another calendar) made of its UIDs.
        ImportedEvent.update(sequence=item.sequence, modified=item.modified, **kept).where(
            (ImportedEvent.owner == owner) & (ImportedEvent.uid == item.uid)).execute()
    return event


def remove(event, identity):
    """(event or None, what was done) for an imported event its calendar no longer holds: deleted when
    nobody but its organisers takes part, else cancelled (its participants are told, as when an organiser
    cancels) and no longer kept by the calendar, whose UID, if it comes back, makes a new event."""
    taking_part = Participation.role.in_([PARTICIPANT, NOT_APPROVED, WAITLISTED])
    if not Participation.select().where((Participation.event == event.id) & taking_part).exists():
        events.delete_event(event, identity)
        return None, _("Deleted: no longer in the calendar.")
    with database.atomic():
        event = events.set_status(event, identity, Status.CANCELLED)
        ImportedEvent.delete().where(ImportedEvent.event == event.id).execute()
    return event, _("Cancelled: no longer in the calendar, and people take part.")


def _local(username, kind):
    return (Actor.select().where(actors.live_local() & (Actor.preferred_username == (username or ""))
                                 & (Actor.type == kind)).first())


def importer(username, group_name=None):
    """(identity, group or None) for the command line: the local identity named, or the local group named
    with its first administrator acting; NotFound for anything else."""
    if group_name is None:
        identity = _local(username, TYPE_PERSON)
        if identity is None:
            raise NotFound(_("No local identity is called %(name)s.", name=username))
        return identity, None
    group = _local(group_name, TYPE_GROUP)
    if group is None:
        raise NotFound(_("No local group is called %(name)s.", name=group_name))
    admin = group_admin(group)
    if admin is None:
        raise NotFound(_("The group %(name)s has no local administrator.", name=group_name))
    return admin, group


def group_admin(group):
    """The group's first local administrator (who acts for it from the command line), or None."""
    return (Actor.select().join(Member, on=(Member.actor == Actor.id))
            .where((Member.group == group) & (Member.role == Role.ADMINISTRATOR) & Actor.domain.is_null())
            .order_by(Member.id).first())


def _held_folder():
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def purge_held():
    """The hourly job: forget the calendars held longer than HELD_SECONDS (previews never confirmed); how many."""
    expired = 0
    for path in _held_folder().glob("*.ics"):
        try:
            if path.stat().st_mtime < time.time() - HELD_SECONDS:
                path.unlink()
                expired += 1
        except FileNotFoundError:
            continue  # confirmed, or purged by another process, meanwhile
    return expired


def hold(data):
    """Keep calendar bytes until the import is confirmed (or HELD_SECONDS pass); the token naming them."""
    purge_held()
    token = secrets.token_urlsafe(24)
    (_held_folder() / f"{token}.ics").write_bytes(data)
    return token


def held(token):
    """The calendar bytes kept under token; NotFound once released or expired."""
    path = _held_folder() / f"{token}.ics"
    if not re.fullmatch(r"[A-Za-z0-9_-]{32}", token or "") or not path.exists() or (
            path.stat().st_mtime < time.time() - HELD_SECONDS):
        raise NotFound(_("This import has expired: send the calendar again."))
    return path.read_bytes()


def release(token):
    """Forget the calendar kept under token."""
    if re.fullmatch(r"[A-Za-z0-9_-]{32}", token or ""):
        (_held_folder() / f"{token}.ics").unlink(missing_ok=True)
