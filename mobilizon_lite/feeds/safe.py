"""Text as feeds may carry it: rows stored before input was checked may hold control characters."""
import re

# What XML 1.0 allows, less carriage return and DEL (iCalendar forbids controls other than tab).
_UNSAFE = re.compile("[^\t\n\x20-\x7e\x80-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def printable(text):
    """The text without the characters a feed must not carry (tab and newline stay)."""
    return _UNSAFE.sub("", text) if text else text


def one_line(text):
    """The text as one printable line, for a name in a header or an iCalendar parameter."""
    return " ".join(printable(text).split()) if text else text
