"""Readable, unique addresses made from titles: ASCII only, accents folded, a number added when taken."""
import re
import unicodedata

from peewee import IntegrityError

from ..db import database

SLUG_MAX = 100  # leaves room for a "-<number>" suffix within the columns' 120
# Letters that Unicode does not decompose into an ASCII base letter and an accent.
_FOLDED = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O",
                         "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "ð": "d"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")
ATTEMPTS = 5


def slugify(title, fallback="post"):
    """title as lower-case ASCII words joined by dashes ("Été à l'Œuvre" -> "ete-a-l-oeuvre")."""
    # Accents split from their letters and dropped; any other character (’, a letter of another
    # script) separates words like a space.
    decomposed = unicodedata.normalize("NFKD", (title or "").translate(_FOLDED))
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    slug = _NOT_WORD.sub("-", letters.lower()).strip("-")[:SLUG_MAX].rstrip("-")
    return slug or fallback


def free_slug(base, taken):
    """base, or base-2, base-3 … : the first not in taken (a set of the slugs in use that start with base)."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def create_with_slug(title, slugs_in_use, create, fallback="post"):
    """create(slug) with a free slug made from title; slugs_in_use(base) -> set of the slugs starting
    with base. Two writers taking the same slug at once: the loser tries the next free one."""
    base = slugify(title, fallback)
    for _attempt in range(ATTEMPTS):
        try:
            with database.atomic():
                return create(free_slug(base, slugs_in_use(base)))
        except IntegrityError:
            continue
    raise IntegrityError(f"no free slug for {base!r}")
