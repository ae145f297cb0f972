"""A group's events at /@<group>/events: the page of those the viewer may see, and the collection of
its public events for ActivityStreams clients."""
from flask import Blueprint, current_app, render_template, request

from ..negotiation import activity_response, negotiated, wants_activity_json
from ..page_cache import shared
from ..services import group_events
from ..services.groups import local_group
from ..urls import page_number
from .context import viewer_ids

bp = Blueprint("group_events", __name__)


@bp.route("/@<username>/events")
@negotiated
@shared
def index(username):
    group = local_group(username)
    if wants_activity_json():
        # As the other collections: without ?page the collection itself, which links to its first page.
        page = page_number(request.args["page"]) if "page" in request.args else None
        return activity_response(group_events.events_collection(group, page))
    past, page = request.args.get("past") == "1", page_number(request.args.get("page"))
    per_page = current_app.config["EVENTS_PER_PAGE"]
    rows = group_events.events_of_group(group, viewer_ids(), past, page, per_page)
    return render_template("groups/events.html", group=group, events=rows[:per_page], past=past, page=page,
                           has_next=len(rows) > per_page)
