"""Instance administration: who may sign up, and invitations.

Moderators and administrators both reach /admin; the pages only administrators may use say so with
`admin_only`."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services import instance, moderation_log, subscriptions
from .forms.accounts import AdminSettingsForm
from .forms.base import render_form
from .staff import admin_only, staff_blueprint

bp = staff_blueprint("admin", __name__, "/admin")


@bp.route("/", methods=["GET", "POST"])
@admin_only
def settings():
    form = AdminSettingsForm(mode=instance.registrations_mode(), instance_feeds=subscriptions.instance_feeds_enabled())
    if form.validate_on_submit():
        instance.set_registrations_mode(form.mode.data)
        subscriptions.set_instance_feeds(form.instance_feeds.data)
        flash(_("The settings are saved."), "success")
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
    number = max(request.args.get("page", 1, type=int), 1)
    lines, has_next = moderation_log.page(number)
    return render_template("admin/log.html", lines=lines, page=number, has_next=has_next)
