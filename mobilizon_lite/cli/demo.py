"""Demo content, made through the ordinary services: people, events, participants and comments."""
import logging
import random
from datetime import time, timedelta
from typing import NamedTuple

from ..activitypub.keys import new_key_pair
from ..db import database, utcnow
from ..models import Account, Actor
from ..models.actors import TYPE_PERSON
from ..models.events import CommentMode, JoinMode, Status, Visibility
from ..services.accounts import register
from ..services.comments import comment_on
from ..services.errors import Invalid, PermissionDenied, ServiceError
from ..services.events import create_event
from ..services.identities import create_identity, update_identity
from ..services.participation import join
from ..services.participation import participants as participations_of
from .demo_data import (
    ACCOUNTS,
    ACTIVITIES,
    CAPACITIES,
    CITIES,
    COMMENTED_SHARE,
    COMMENTS_CLOSED_SHARE,
    COMMENTS_EN,
    COMMENTS_FR,
    EXTRAS_EN,
    EXTRAS_FR,
    JOIN_SHARES,
    ONLINE_SHARE,
    PARTICIPANT_COUNTS,
    PARTICIPANTS_SHARE,
    REPLIES_EN,
    REPLIES_FR,
    STATUS_SHARES,
    VISIBILITY_SHARES,
)

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo password"
DEMO_EMAIL_DOMAIN = "example.org"
DEFAULT_SEED = 1
EVENTS_MAX = 100_000
# One transaction per batch of events rather than per write: fewer commits saved ~10 % on an
# SSD, and save more on slow storage such as SD cards.
BATCH_SIZE = 250
# Below this many events, rare kinds (cancelled, private…) could round down to none at all.
RARE_KIND_THRESHOLD = 20
DAYS_BEFORE, DAYS_AFTER = 60, 300
BENCHMARK_PARTICIPANTS = 50
BENCHMARK_PARTICIPANTS_MAX = 5000


def _plan(rng, count, shares, default):
    """count values with exact shares of each rare value, shuffled; default elsewhere."""
    plan = []
    for value, share in shares.items():
        wanted = round(count * share)
        if wanted == 0 and count >= RARE_KIND_THRESHOLD:
            wanted = 1
        plan += [value] * wanted
    plan += [default] * (count - len(plan))
    rng.shuffle(plan)
    return plan


def _free_username(base):
    # With force=True the demo names may already exist, so suffix them rather than fail.
    candidate, number = base, 2
    while Actor.select().where(Actor.domain.is_null() & (Actor.preferred_username == candidate)).exists():
        candidate, number = f"{base[:26]}_{number}", number + 1
    return candidate


def _free_email(local):
    candidate, number = f"{local}@{DEMO_EMAIL_DOMAIN}", 2
    while Account.select().where(Account.email == candidate).exists():
        candidate, number = f"{local}{number}@{DEMO_EMAIL_DOMAIN}", number + 1
    return candidate


class Person(NamedTuple):
    identity: Actor
    city: str
    group: bool  # a club or association's identity, which organises more than a person does


def _create_people():
    """The demo accounts and every identity they hold."""
    people = []
    for local, locale, faces in ACCOUNTS:
        (username, name, city, bio), *groups = faces
        username = _free_username(username)
        account = register(_free_email(local), DEMO_PASSWORD, username, name=name, locale=locale,
                           by_admin=True)
        first = Actor.get((Actor.account == account) & (Actor.preferred_username == username))
        people.append(Person(update_identity(first, name, bio), city, False))
        for username, name, city, bio in groups:
            people.append(Person(create_identity(account, _free_username(username), name, bio), city, True))
    return people


def _logins(people):
    """{email: [usernames]} of the demo accounts, in the order they were made."""
    logins = {}
    for person in people:
        logins.setdefault(person.identity.account.email, []).append(person.identity.preferred_username)
    return logins


def _event_data(rng, activity, city_key, online, today):
    """Form data for one event, as the event form would give it."""
    city = CITIES[city_key]
    french = city.language == "fr"
    title = activity.title_fr if french else activity.title_en
    flavour = rng.random()
    if online:
        title = f"{title} (en ligne)" if french else f"{title} (online)"
    elif flavour < 0.3:
        title = f"{title} – {city.locality}"
    elif flavour < 0.5:
        title = f"{title} #{rng.randint(2, 40)}"
    extras = EXTRAS_FR if french else EXTRAS_EN
    description = "\n\n".join([activity.about_fr if french else activity.about_en,
                                *rng.sample(extras, rng.randint(0, 2))])
    # Starting between 9:00 and 19:30 and ending by 23:30 keeps clear of clock changes
    # (made at night) and of midnight.
    start = time(rng.randint(9, 19), rng.choice((0, 30)))
    end_minutes = start.hour * 60 + start.minute + rng.choice((60, 90, 120, 180, 240))
    day = today + timedelta(days=rng.randint(-DAYS_BEFORE, DAYS_AFTER))
    data = {
        "title": title,
        "description": description,
        "timezone": "UTC" if online and rng.random() < 0.3 else city.zone,
        "start_date": day,
        "start_time": start,
        "end_date": None,
        "end_time": time(end_minutes // 60, end_minutes % 60),
        "capacity": None if activity.crowd else rng.choice(CAPACITIES),
        "show_remaining_seats": rng.random() < 0.8,
        "tags": activity.tags_fr if french else activity.tags_en,
        "category": activity.category,
        "language": city.language,
        "links": [],
    }
    if online:
        slug = "-".join(activity.title_en.lower().replace(":", "").split())
        data["online_url"] = f"https://meet.example.org/{slug}-{rng.randint(100, 999)}"
    else:
        place = rng.choice(city.places)
        data.update(place_name=place.name, street=place.street, postal_code=place.postal_code,
                    locality=city.locality, region=city.region, country=city.country,
                    latitude=place.latitude, longitude=place.longitude)
    # Rehearsals and clubs come back: the choir every week for a season, the book club each month on the
    # weekday of its first date (no draw from rng, so the same seed gives the same events as before).
    if activity.title_en == "Choir rehearsal":
        data.update(repeat="WEEKLY", repeat_ends="count", repeat_count=12)
    elif activity.title_en == "Book club":
        data.update(repeat="MONTHLY", repeat_monthly="nth" if day.day <= 28 else "last")
    if rng.random() < 0.2:
        data["links"].append({"type": rng.choice(("chat", "pad")),
                              "url": f"https://pad.example.org/p/{rng.randint(10_000, 99_999)}",
                              "label": rng.choice(("Notes", ""))})
    return data


def _create_event(organizer, data, group=None):
    try:
        return create_event(organizer, data, group=group)
    except ServiceError as error:
        # The demo data is fixed: a refusal is a bug in this module, and should say which field.
        raise RuntimeError(f"demo event refused: {getattr(error, 'errors', error.message)}") from error


def _add_participants(rng, event, people):
    """Join the event as a few people from other accounts than the organiser's; returns how many."""
    others = [p.identity for p in people if p.identity.account_id != event.organizer.account_id]
    joined = 0
    for identity in rng.sample(others, min(rng.choice(PARTICIPANT_COUNTS), len(others))):
        try:
            join(event, identity)
        except PermissionDenied:
            break  # the event is full: everyone after would be refused too
        joined += 1
    return joined


def _commenters(event, people, joined):
    """Who plausibly comments: participants, else anyone on a public event, else the organiser."""
    if joined:
        return [p.actor for p in participations_of(event) if p.actor_id is not None]
    if event.is_public:
        return [p.identity for p in people]
    return [event.organizer]


def _add_comments(rng, event, authors, french):
    """A short thread, some comments answered by the organiser; returns how many were written."""
    said, answers = (COMMENTS_FR, REPLIES_FR) if french else (COMMENTS_EN, REPLIES_EN)
    written = 0
    for _turn in range(rng.randint(1, 4)):
        top = comment_on(event, rng.choice(authors), rng.choice(said))
        written += 1
        if rng.random() < 0.4:
            comment_on(event, event.organizer, rng.choice(answers), in_reply_to=top.id)
            written += 1
    return written


def seed_demo(events=200, force=False, seed=DEFAULT_SEED):
    """Fill an empty instance with demo accounts, events, participants and comments.

    Returns counts of what was made, the accounts' logins and the people (Person) made; the same seed
    on the same day gives the same content.
    """
    if not 0 <= events <= EVENTS_MAX:
        raise Invalid(f"The number of demo events must be between 0 and {EVENTS_MAX}.", "events")
    if not force and Account.select().exists():
        raise PermissionDenied(
            "This instance already has accounts: demo data only goes into an empty instance, "
            "unless forced (run.py seed-demo --force)."
        )
    rng = random.Random(seed)
    people = _create_people()
    organizers = [p for p in people for _weight in range(3 if p.group else 1)]
    statuses = _plan(rng, events, STATUS_SHARES, Status.CONFIRMED)
    visibilities = _plan(rng, events, VISIBILITY_SHARES, Visibility.PUBLIC)
    join_modes = _plan(rng, events, JOIN_SHARES, JoinMode.FREE)
    online = _plan(rng, events, {True: ONLINE_SHARE}, False)
    comment_modes = _plan(rng, events, {CommentMode.CLOSED: COMMENTS_CLOSED_SHARE}, CommentMode.ALLOW_ALL)
    now = utcnow()
    summary = {"accounts": len(ACCOUNTS), "identities": len(people), "events": 0,
               "participations": 0, "comments": 0, "logins": _logins(people), "people": people}
    for batch_start in range(0, events, BATCH_SIZE):
        batch_end = min(batch_start + BATCH_SIZE, events)
        with database.atomic():
            for index in range(batch_start, batch_end):
                organizer, city, _group = rng.choice(organizers)
                if rng.random() < 0.15:
                    city = rng.choice(list(CITIES))  # people travel, and so do their events
                activity = rng.choice([a for a in ACTIVITIES if a.online] if online[index] else ACTIVITIES)
                data = _event_data(rng, activity, city, online[index], now.date())
                data.update(status=statuses[index], visibility=visibilities[index],
                            join_mode=join_modes[index], comment_mode=comment_modes[index],
                            anonymous_participation=visibilities[index] == Visibility.PUBLIC and rng.random() < 0.2)
                if data["join_mode"] == JoinMode.EXTERNAL:
                    data["external_participation_url"] = f"https://tickets.example.org/e/{seed}-{index}"
                event = _create_event(organizer, data)
                summary["events"] += 1
                joined = 0
                # Asking to join a restricted or invite-only event emails people, and private events
                # take invitees only: those stay empty.
                if (event.join_mode == JoinMode.FREE and not event.is_private and not event.is_cancelled
                        and event.begins_on > now and rng.random() < PARTICIPANTS_SHARE):
                    joined = _add_participants(rng, event, people)
                    summary["participations"] += joined
                if not event.comments_closed and rng.random() < COMMENTED_SHARE:
                    authors = _commenters(event, people, joined)
                    summary["comments"] += _add_comments(rng, event, authors, event.language == "fr")
        if batch_end % 1000 < BATCH_SIZE or batch_end == events:
            log.info("demo data: %d of %d events created", batch_end, events)
    return summary


def _benchmark_crowd(size):
    """size live local identities, oldest first, creating a crowd account when too few exist."""
    crowd = list(
        Actor.select()
        .where(Actor.domain.is_null() & Actor.account.is_null(False) & Actor.deleted_at.is_null()
               & ~Actor.suspended & (Actor.type == TYPE_PERSON))
        .order_by(Actor.id)
        .limit(size)
    )
    if len(crowd) < size:
        username = _free_username("crowd")
        account = register(_free_email("crowd"), DEMO_PASSWORD, username, name="Crowd 1",
                           by_admin=True)
        crowd.append(Actor.get((Actor.account == account) & (Actor.preferred_username == username)))
        # The crowd never federates: one key pair for all keeps a crowd of 500 from taking ~20 s of
        # key generation.
        key_pair = new_key_pair()
        while len(crowd) < size:
            number = len(crowd) + 1
            crowd.append(create_identity(account, _free_username(f"crowd_{number}"), f"Crowd {number}",
                                         key_pair=key_pair))
    return crowd


BENCHMARK_DESCRIPTION = """\
Once a year the whole street becomes a party: **music**, food stalls run by neighbours and a
giant *repair café*.

## Programme

- 14:00 – bike repair workshop and second-hand market
- 16:00 – choir concert in the square
- 18:30 – shared dinner: bring a dish
- 21:00 – folk dance with a live band

## Practical

The street is closed to cars. Step-free access from both ends; toilets at the community centre.
See the [volunteer pad](https://pad.example.org/p/street-party) if you can help set up.
"""


def seed_benchmark_event(participants=BENCHMARK_PARTICIPANTS, comments=50):
    """Create one public upcoming event with that many participants and comments; returns the event.

    Participants are distinct identities (made as needed), not counting the organiser, who is the
    oldest local identity (a demo account's, whose password is DEMO_PASSWORD).
    """
    if participants < 0 or comments < 0:
        raise Invalid("Participants and comments are counted from zero up.")
    rng = random.Random(participants * 1_000 + comments)
    organizer, *crowd = _benchmark_crowd(participants + 1)
    day = utcnow().date() + timedelta(days=14)
    event = create_event(organizer, {
        "title": "Neighbourhood street party (benchmark event)",
        "description": BENCHMARK_DESCRIPTION,
        "timezone": "Europe/Paris",
        "start_date": day, "start_time": time(14, 0),
        "end_date": None, "end_time": time(23, 30),
        "capacity": None, "show_remaining_seats": True, "anonymous_participation": True,
        "place_name": "Rue des Vinaigriers", "street": "Rue des Vinaigriers", "postal_code": "75010",
        "locality": "Paris", "region": "Île-de-France", "country": "France",
        "latitude": 48.8738, "longitude": 2.3607,
        "links": [{"type": "pad", "url": "https://pad.example.org/p/street-party", "label": "Volunteers"},
                  {"type": "chat", "url": "https://chat.example.org/#/street-party", "label": ""}],
        "tags": "street party, music, repair", "category": "COMMUNITY", "language": "en",
    })
    authors = crowd or [organizer]
    with database.atomic():
        for identity in crowd:
            join(event, identity)
        threads = []
        for number in range(comments):
            text = " ".join(rng.sample(COMMENTS_EN, rng.randint(1, 3)))
            # A quarter are replies, so the page renders threads as well as top-level comments.
            parent = rng.choice(threads).id if threads and number % 4 == 3 else None
            comment = comment_on(event, authors[number % len(authors)], text, in_reply_to=parent)
            if parent is None:
                threads.append(comment)
    log.info("benchmark event: %d participants and %d comments", len(crowd), comments)
    return event
