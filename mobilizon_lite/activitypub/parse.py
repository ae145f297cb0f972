"""Distrusting readers of JSON received from other servers."""
import json

MAX_DEPTH = 32
# What json.loads makes of objects and arrays (exact types: this walk is the hot part of a large body).
_CONTAINERS = (dict, list)


class ParseError(ValueError):
    """The document cannot be accepted; the message says why."""


def _reject_constant(name):
    raise ParseError(f"{name} is not valid JSON")


def _depth(value):
    """Nesting depth of parsed JSON (MAX_DEPTH + 1 at most), walked level by level without recursion.

    Only containers are queued, and the walk stops one level past MAX_DEPTH: a document of many
    small objects (20,000 tags) costs milliseconds here.
    """
    depth, level = 0, [value] if type(value) in _CONTAINERS else []
    while level and depth <= MAX_DEPTH:
        depth += 1
        below = []
        for node in level:
            below += [child for child in (node.values() if type(node) is dict else node)
                      if type(child) in _CONTAINERS]
        level = below
    return depth


def load_json(body):
    """Parse bytes as a JSON object: no NaN/Infinity, nesting at most MAX_DEPTH, an object at the top."""
    try:
        value = json.loads(body, parse_constant=_reject_constant)
    except RecursionError:
        raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ParseError(f"malformed JSON: {error}") from None
    if _depth(value) > MAX_DEPTH:
        raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels")
    if not isinstance(value, dict):
        raise ParseError("an ActivityStreams document is a JSON object")
    return value
