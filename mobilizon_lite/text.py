"""Text people type or other servers send: control characters removed, Markdown made safe HTML."""
import re
from html.parser import HTMLParser

from markupsafe import Markup

# Never part of text anyone means to show: the C0 controls but tab, line feed and carriage return
# (XML 1.0, hence Atom, forbids them), DEL and the C1 controls; the bidi embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069), which reorder what follows them (a name or title ending
# in U+202E turns the text after it backwards; right-to-left scripts display correctly without
# them); lone surrogates and U+FFFE/U+FFFF, which are not characters (and not valid UTF-8 or XML).
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                       "\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile("\r\n?")
_WHITESPACE_CONTROL = re.compile("[\t\n\r]")


def clean_text(value, multiline=False):
    """value without unwanted characters; multi-line text keeps tabs and line feeds (CR LF made LF),
    single-line text gets a space for each. Anything but a string is returned as it is."""
    if not isinstance(value, str):
        return value
    # Pages pass every value they write through here: most have nothing to remove, found in one search.
    if "\r" not in value and not _UNWANTED.search(value) and (multiline or not _WHITESPACE_CONTROL.search(value)):
        return value
    cleaned = _LINE_BREAK.sub("\n", _UNWANTED.sub("", value))
    if not multiline:
        cleaned = _WHITESPACE_CONTROL.sub(" ", cleaned)
    if cleaned == value:
        return value
    return Markup(cleaned) if isinstance(value, Markup) else cleaned  # removing characters adds no markup


def tag_has_a_page(tag):
    """Whether /tags/<tag> leads to tag's page: no comma (tags in links are comma-separated), and no part
    between slashes empty, "." or ".." (a browser would rewrite or cut such an address)."""
    return "," not in tag and all(part not in ("", ".", "..") for part in tag.split("/"))


def text_line(value, limit):
    """One line of foreign text: controls removed, whitespace collapsed, cut at limit; "" for a non-string."""
    return " ".join(clean_text(value).split())[:limit] if isinstance(value, str) else ""


ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html):
    """Keep only an allow-list of tags, attributes and link schemes."""
    # Imported on first use, as Markdown is below: text being written or received needs them, pages
    # being shown do not, and a small server keeps the memory.
    import nh3

    return nh3.clean(
        clean_text(html, multiline=True),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


def markdown_to_html(source):
    """Render Markdown written by a person to sanitised HTML."""
    import markdown as markdown_lib

    return sanitize_html(markdown_lib.markdown(source or "", extensions=["sane_lists"]))


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "div", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:]).strip()
            if href and href != label:
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        # Whitespace between tags is layout of the HTML source, not text.
        self.parts.append(data if data.strip() else " ")


def html_to_text(html):
    """Plain text of sanitised HTML, keeping paragraphs, list items and link targets."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    text = "".join(extractor.parts)
    lines = [("- " if line.lstrip().startswith("- ") else "") + " ".join(line.strip().removeprefix("- ").split())
             for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
