"""Distrusting readers of JSON received from other servers."""
import json

MAX_DEPTH = 32


class ParseError(ValueError):
    """The document cannot be accepted; the message says why."""


def _reject_constant(name):
    raise ParseError(f"{name} is not valid JSON")


def _depth(value):
    """Nesting depth of parsed JSON, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return deepest


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
