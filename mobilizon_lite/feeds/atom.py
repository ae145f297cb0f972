"""Atom 1.0 documents, written as text entry by entry, escaped and laid out as xml.etree writes them
(a tree of a thousand entries would be built only to be written once)."""
from ..dates import utc_text
from ..text import clean_text

ATOM_NS = "http://www.w3.org/2005/Atom"
DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"


def _text(value):
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value):
    return (_text(value).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))


def _element(tag, text=None, **attributes):
    # A control character in a stored title would make the whole feed invalid XML.
    written = tag + "".join(f' {name}="{_attribute(clean_text(value))}"' for name, value in attributes.items())
    text = clean_text(text, multiline=True) if text is not None else ""
    return f"<{written}>{_text(text)}</{tag}>" if text else f"<{written} />"


def _entry(item):
    return "".join((
        "<entry>",
        _element("id", item["id"]),
        _element("title", item["title"]),
        _element("updated", utc_text(item["updated"])),
        _element("published", utc_text(item["published"])),
        _element("link", rel="alternate", type="text/html", href=item["url"]),
        "<author>", _element("name", item["author"]), _element("uri", item["author_url"]), "</author>",
        _element("content", item["html"], type="html"),
        *(_element("category", term=term) for term in item["categories"]),
        "</entry>",
    ))


def feed(title, author, self_url, page_url, updated, entries):
    """Atom bytes; entries are dicts with id, title, url, published, updated, author, author_url,
    html (sanitised) and categories."""
    head = "".join((
        DECLARATION, f'<feed xmlns="{ATOM_NS}">',
        _element("id", self_url),
        _element("title", title),
        _element("updated", utc_text(updated)),
        "<author>", _element("name", author), "</author>",
        _element("link", rel="self", type="application/atom+xml", href=self_url),
        _element("link", rel="alternate", type="text/html", href=page_url),
        _element("generator", "mobilizon_lite"),
    ))
    # xml.etree writes what UTF-8 cannot hold (a lone surrogate) as a character reference too.
    return b"".join((head.encode("utf-8", "xmlcharrefreplace"),
                     *(_entry(item).encode("utf-8", "xmlcharrefreplace") for item in entries), b"</feed>"))
