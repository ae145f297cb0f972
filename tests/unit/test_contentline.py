"""Our content lines are written without icalendar's object model and folded on bytes for speed; they must
read exactly as the icalendar library writes the same property."""
import random

from icalendar import Component

from mobilizon_lite.feeds.contentline import component, line, text

ALPHABET = "abc é€😀\\;,:\"'^\n\r\t’"


def written_by_icalendar(name, value):
    calendar = Component()
    calendar.name = "VEVENT"
    calendar.add(name, value)
    return calendar.to_ical()


def test_text_lines_are_escaped_and_folded_as_icalendar_writes_them():
    rng = random.Random(5545)
    for _ in range(3000):
        value = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 400)))
        assert component("VEVENT", [line("DESCRIPTION", text(value))]) == written_by_icalendar("DESCRIPTION", value)

