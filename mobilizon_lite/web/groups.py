"""Group pages: create a group, its settings and deletion, following it, and the list of this
instance's public groups (the group's own page, at /@<group>, is in group_page.py)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from ..page_cache import shared
from ..services import group_pages, group_roles, groups
from ..services.errors import Invalid
from ..urls import page_number
from .context import account_identities, chosen_identity, identity_choices
from .forms.base import add_error, confirmed_deletion, render_form
from .forms.groups import GroupSettingsForm, NewGroupForm
from .group_page import identity_form, nav_context
from .once import once

bp = Blueprint("groups", __name__)


@bp.route("/groups")
@shared
def index():
    page, per_page = page_number(request.args.get("page")), current_app.config["EVENTS_PER_PAGE"]
    cards = group_pages.public_groups(page, per_page)
    return render_template("groups/index.html", groups=cards[:per_page], page=page, has_next=len(cards) > per_page)


@bp.route("/groups/new", methods=["GET", "POST"])
@login_required
@once
def create():
    form = NewGroupForm()
    identity_choices(form.identity)
    if form.validate_on_submit():
        try:
            group = groups.create_group(chosen_identity(form.identity), form.username.data, **form.settings())
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("The group @%(username)s is created; you are its administrator.",
                    username=group.preferred_username), "success")
            return redirect(url_for("pages.profile", username=group.preferred_username))
    return render_form("groups/form.html", form, group=None)


def _acting_for(username, action):
    """The nav_context of the group when the account's identity acting in it may do action; else 403."""
    nav = nav_context(groups.local_group(username))
    group_roles.require(nav["group"], nav["acting"], action)
    return nav


@bp.route("/@<username>/settings", methods=["GET", "POST"])
@login_required
def settings(username):
    nav = _acting_for(username, "edit_group")
    group, acting = nav["group"], nav["acting"]
    form = GroupSettingsForm(data=dict(
        name=group.name, summary=group.summary_source, visibility=group.visibility, openness=group.openness,
        manually_approves_followers=group.manually_approves_followers,
        show_event_creator=not group.hide_event_creator, **group.address))
    if form.validate_on_submit():
        remove = [name for name in ("avatar", "banner") if getattr(form, f"remove_{name}").data]
        try:
            groups.update_group(group, acting, **form.settings(), remove=remove)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("The group's settings are saved."), "success")
            return redirect(url_for("pages.profile", username=username))
    return render_form("groups/form.html", form, **nav)


@bp.route("/@<username>/delete", methods=["GET", "POST"])
@login_required
def delete(username):
    nav = _acting_for(username, "delete_group")
    group, acting = nav["group"], nav["acting"]
    upcoming = groups.upcoming_events_count(group)
    lines = [ngettext("The group has %(num)d event to come: delete it, or wait until it is over, first.",
                      "The group has %(num)d events to come: delete them, or wait until they are over, first.",
                      upcoming)] if upcoming else []
    lines.append(_("Its page, its posts, discussions, resources and todo lists disappear, and its members are no "
                   "longer members. Its past events stay. The username @%(username)s will never be given to anyone "
                   "else. This cannot be undone.", username=group.preferred_username))
    return confirmed_deletion(
        lambda: groups.delete_group(group, acting),
        _("The group @%(username)s is deleted. Its username will not be given to anyone else.", username=username),
        url_for("groups.index"), title=_("Delete @%(username)s", username=group.preferred_username),
        heading=_("Delete the group @%(username)s?", username=group.preferred_username), lines=lines,
        button=_("Delete this group"), cancel=url_for("groups.settings", username=group.preferred_username))


@bp.route("/@<username>/followers/<id:follow_id>/<decision>", methods=["POST"])
@login_required
def decide_follower(username, follow_id, decision):
    if decision not in ("accept", "reject"):
        raise Invalid(_("Unknown action."))
    nav = _acting_for(username, "decide_requests")
    groups.decide_follower(nav["group"], nav["acting"], follow_id, decision == "accept")
    flash(_("Done: the follower is told."), "success")
    return redirect(url_for("pages.profile", username=username))


def _chosen(form):
    """The account's identity a posted identity form names; Invalid (400) for anything else."""
    if not form.validate():
        raise Invalid(_("Choose one of your identities."))
    return chosen_identity(form.identity)


@bp.route("/@<username>/follow", methods=["POST"])
@login_required
def follow(username):
    group = groups.local_group(username)
    identity = _chosen(identity_form(account_identities()))
    row = groups.follow_group(identity, group)
    flash(_("You follow this group as @%(username)s.", username=identity.preferred_username) if row.accepted else
          _("Your request to follow this group is sent; its moderators decide."), "success")
    return redirect(url_for("pages.profile", username=username))


@bp.route("/@<username>/unfollow", methods=["POST"])
@login_required
def unfollow(username):
    group = groups.local_group(username)
    identity = _chosen(identity_form(account_identities()))
    groups.unfollow_group(identity, group)
    flash(_("You no longer follow this group."), "success")
    return redirect(url_for("pages.profile", username=username))
