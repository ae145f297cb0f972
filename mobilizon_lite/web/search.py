"""The search page: words and filters find events, groups and people (tabs); a link to an event, or the
link or @name@server of a profile or group elsewhere, opens it here."""
from datetime import datetime

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from ..models import Event
from ..models.actors import TYPE_GROUP, TYPE_PERSON
from ..services import search, search_query
from .context import viewer_ids
from .forms.events import CATEGORY_LABELS

bp = Blueprint("search", __name__)
GROUPS_SHOWN = 5


def _look_up(query):
    """The page of what a link or @name@server names (fetched from its server when unknown here)."""
    # Fetching from another server on a visitor's behalf is for people with an account here.
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path))
    found = search.look_up(query)
    if isinstance(found, Event):
        return redirect(url_for("events.show", uuid=found.uuid))
    if found.is_group:
        return redirect(url_for("pages.profile", username=found.handle))
    return redirect(url_for("identities.index", follow=found.ap_id, _anchor="follow"))


@bp.route("/search")
def results():
    query = search_query.read(request.args)
    if search.is_address(query.words):
        return _look_up(query.words)
    groups, more_groups = [], False
    if query.tab == "groups":
        found, has_next = search.find_actors(query, TYPE_GROUP)
    elif query.tab == "people":
        found, has_next = search.find_actors(query, TYPE_PERSON)
    else:
        found, has_next = search.find_events(query, viewer_ids())
        # The events' tab names the groups the words find too, so a group is found from the first page.
        groups, more_groups = search.find_actors(query, TYPE_GROUP)
    today = datetime.now(query.zone()).date()
    return render_template("pages/search.html", query=query, found=found, has_next=has_next,
                           groups=groups[:GROUPS_SHOWN], more_groups=more_groups or len(groups) > GROUPS_SHOWN,
                           presets=search_query.presets(today), categories=CATEGORY_LABELS,
                           radii=search_query.RADII_SHOWN), 400 if query.errors else 200
