"""The search page: words find events and groups; a link to an event, or the link or @name@server of a
profile or group elsewhere, opens it here."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from ..models import Event
from ..services import search
from .context import viewer_ids

bp = Blueprint("search", __name__)


@bp.route("/search")
def results():
    query = " ".join(request.args.get("q", "").split())[:search.QUERY_MAX]
    if search.is_address(query):
        # Fetching from another server on a visitor's behalf is for people with an account here.
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        found = search.look_up(query)
        if isinstance(found, Event):
            return redirect(url_for("events.show", uuid=found.uuid))
        if found.is_group:
            return redirect(url_for("pages.profile", username=found.handle))
        return redirect(url_for("identities.index", follow=found.ap_id, _anchor="follow"))
    return render_template("pages/search.html", query=query, events=search.find_events(query, viewer_ids()),
                           groups=search.find_groups(query))
