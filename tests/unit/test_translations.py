"""Every user-facing string ships in French, and the compiled catalogue matches its source."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "mobilizon_lite/translations/fr/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
METHODS = [
    ("mobilizon_lite/**.py", "python"),
    ("mobilizon_lite/templates/**.html", "jinja2"),
    ("mobilizon_lite/templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "pgettext": ((1, "c"), 2)}


def extracted_messages():
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        found.add((context, message if isinstance(message, str) else message[0]))
    return found


def test_every_message_has_a_french_translation():
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    translated = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}
    def complete(message):
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        return all(strings) and not message.fuzzy

    missing = sorted((msg for msg in extracted_messages() if msg not in translated or not complete(translated[msg])),
                     key=lambda msg: (msg[0] or "", msg[1]))
    assert missing == [], f"untranslated (run pybabel extract/update, translate, compile): {missing!r}"


def _pairs(messages):
    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    # One English phrase may have several French ones, told apart by their context (pgettext).
    return {(m.context, key(m.id)): key(m.string) for m in messages if m.id and not m.fuzzy}


def test_compiled_catalogue_matches_the_po_file():
    with PO.open("rb") as handle:
        po = _pairs(read_po(handle, locale="fr"))
    with MO.open("rb") as handle:
        mo = _pairs(read_mo(handle))
    assert mo == po, "run: pybabel compile -d mobilizon_lite/translations"
