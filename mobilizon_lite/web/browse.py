"""Browsing without words: the upcoming events of a tag or of a category, and the indexes of both; each
list is the search of that tag or category (its privacy, its feeds)."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..page_cache import shared
from ..services import categories, search, tags
from ..services.errors import NotFound
from ..services.search_query import SearchQuery
from ..urls import page_number
from .context import viewer_ids
from .forms.events import CATEGORY_LABELS

bp = Blueprint("browse", __name__)


def _listing(query, heading, empty, endpoint, **link):
    found, has_next = search.find_events(query, viewer_ids())
    return render_template("pages/browse.html", query=query, heading=heading, events=found, page=query.page,
                           has_next=has_next, empty=empty, endpoint=endpoint, pager_args=link)


def _moved(endpoint, **link):
    """Where a link written otherwise than its page's own name moves for good (keeping its page)."""
    return redirect(url_for(endpoint, **link, page=request.args.get("page")), 301)


@bp.route("/tags")
@shared
def tag_index():
    return render_template("pages/tags.html", tags=tags.counted())


@bp.route("/tags/<path:tag>")
@shared
def tag_page(tag):
    name = tags.from_link(tag)
    if name is None:
        raise NotFound(_("This is not a tag."))
    # The spelling the events carry: "Cinema" and "#cinéma" lead to "cinéma" when only that one is used.
    name = tags.spelling(name) or name
    if name != tag:
        return _moved(".tag_page", tag=name)
    query = SearchQuery(tags=(name,), page=page_number(request.args.get("page")))
    return _listing(query, f"#{name}", _("No upcoming event carries this tag."), ".tag_page", tag=name)


@bp.route("/categories")
@shared
def category_index():
    counts = categories.counted()
    shown = sorted(((categories.slug(code), str(label), counts.get(code, 0))
                    for code, label in CATEGORY_LABELS.items()), key=lambda row: row[1].casefold())
    return render_template("pages/categories.html", categories=shown)


@bp.route("/categories/<name>")
@shared
def category_page(name):
    code = categories.from_slug(name)
    if code is None:
        raise NotFound(_("This category does not exist."))
    if name != categories.slug(code):
        return _moved(".category_page", name=categories.slug(code))
    query = SearchQuery(category=code, page=page_number(request.args.get("page")))
    return _listing(query, CATEGORY_LABELS[code], _("No upcoming event in this category."), ".category_page",
                    name=name)
