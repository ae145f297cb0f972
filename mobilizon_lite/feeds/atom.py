"""Atom 1.0 documents, written with a real XML library."""
import xml.etree.ElementTree as ET

from ..dates import utc_text
from ..text import clean_text

ATOM_NS = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM_NS)


def _sub(parent, tag, text=None, **attributes):
    # A control character in a stored title would make the whole feed invalid XML.
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}",
                            {name: clean_text(value) for name, value in attributes.items()})
    if text is not None:
        element.text = clean_text(text, multiline=True)
    return element


def feed(title, author, self_url, page_url, updated, entries):
    """Atom bytes; entries are dicts with id, title, url, published, updated, author, author_url,
    html (sanitised) and categories."""
    root = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(root, "id", self_url)
    _sub(root, "title", title)
    _sub(root, "updated", utc_text(updated))
    _sub(_sub(root, "author"), "name", author)
    _sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=page_url)
    _sub(root, "generator", "mobilizon_lite")
    for item in entries:
        entry = _sub(root, "entry")
        _sub(entry, "id", item["id"])
        _sub(entry, "title", item["title"])
        _sub(entry, "updated", utc_text(item["updated"]))
        _sub(entry, "published", utc_text(item["published"]))
        _sub(entry, "link", rel="alternate", type="text/html", href=item["url"])
        author = _sub(entry, "author")
        _sub(author, "name", item["author"])
        _sub(author, "uri", item["author_url"])
        _sub(entry, "content", item["html"], type="html")
        for term in item["categories"]:
            _sub(entry, "category", term=term)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
