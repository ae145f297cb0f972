"""iCalendar content lines (RFC 5545 §3.1–3.3), escaped by the icalendar library's own functions but
without its object model: a feed of a thousand events is then a thousand strings, not a thousand trees
of objects that a small server has to allocate, free and keep the fragments of. Lines are folded here,
as icalendar folds them, on bytes: its own folding walks each character in Python, six times slower."""
from datetime import UTC

from icalendar import vText
from icalendar.parser import param_value

FOLD_AT = 75  # octets: each physical line stays below it, its leading space aside
FOLD = b"\r\n "
NOT_SPLIT = b"\\^"  # an escape's first character starts the next line, as icalendar does (issue #1501)


def text(value):
    """A TEXT value, escaped (RFC 5545 §3.3.11); line breaks of any kind become \\n."""
    return vText(value).to_ical().decode()


def uri(value):
    """A URI or CAL-ADDRESS value, which has no escapes: a line break in one would end its line."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"a URI holds a line break: {value!r}")
    return value


def parameter(value, quote_when=""):
    """A parameter value with RFC 6868's ^ escapes, in double quotes when it holds what would end it
    (or one of the characters quote_when lists)."""
    return param_value(value, always_quote=any(c in value for c in quote_when))


def moment(when):
    """A DATE-TIME as its wall-clock time says it (no time zone: the TZID parameter or Z does)."""
    return f"{when.year:04}{when.month:02}{when.day:02}T{when.hour:02}{when.minute:02}{when.second:02}"


def utc(when):
    """A DATE-TIME in UTC, with its Z."""
    return moment(when.astimezone(UTC)) + "Z"


def offset(seconds):
    """A UTC-OFFSET (+HHMM, or +HHMMSS when it has seconds)."""
    sign, seconds = ("-", -seconds) if seconds < 0 else ("+", seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02}{minutes:02}" + (f"{seconds:02}" if seconds else "")


def line(name, value, parameters=""):
    """One content line, folded, with its CRLF: name, parameters (';NAME=value…') and the written value."""
    data = f"{name}{parameters}:{value}".encode()
    if len(data) < FOLD_AT:
        return data + b"\r\n"
    parts, start = [], 0
    while len(data) - start >= FOLD_AT:
        end = start + FOLD_AT - 1
        while data[end] & 0xC0 == 0x80:  # never inside a UTF-8 character
            end -= 1
        if data[end - 1] in NOT_SPLIT:
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return FOLD.join(parts) + b"\r\n"


def component(name, lines):
    """BEGIN, the content lines (bytes), END."""
    return b"".join((b"BEGIN:", name.encode(), b"\r\n", *lines, b"END:", name.encode(), b"\r\n"))

