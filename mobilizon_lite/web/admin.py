"""Instance administration: the instance's settings, invitations, deliveries and the moderation log.

Moderators and administrators both reach /admin; the pages only administrators may use say so with
`admin_only`."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..services import instance, instance_settings, moderation_log, time_zones
from ..urls import page_number
from .forms.base import refusals_on, render_form
from .forms.instance import AdminSettingsForm
from .staff import admin_only, staff_blueprint

bp = staff_blueprint("admin", __name__, "/admin")


@bp.route("/", methods=["GET", "POST"])
@admin_only
def settings():
    form = AdminSettingsForm(data=None if request.method == "POST" else instance_settings.current())
    form.offer_choices(time_zones.common_zones())
    if form.validate_on_submit():
        with refusals_on(form):
            values = {name: form[name].data for name in instance_settings.EVERY_SETTING}
            changed = instance_settings.save(values, current_user)
            flash(_("The settings are saved.") if changed else _("Nothing has changed."), "success")
            return redirect(url_for("admin.settings"))
    return render_form("admin/settings.html", form)


@bp.route("/invites", methods=["POST"])
@admin_only
def create_invite():
    link = instance.create_invite()
    return render_template("admin/invite.html", link=link)


@bp.route("/deliveries")
def deliveries():
    """The deliveries page joined the instances page: old links and bookmarks lead there."""
    return redirect(url_for("instances.index"), 301)


@bp.route("/log")
def log():
    number = page_number(request.args.get("page"))
    lines, has_next = moderation_log.page(number)
    return render_template("admin/log.html", lines=lines, page=number, has_next=has_next,
                           action_label=moderation_log.action_label, target_label=moderation_log.target_label)
