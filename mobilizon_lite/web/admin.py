"""Instance administration: who may sign up, and invitations."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..activitypub import delivery
from ..services import instance, subscriptions
from .forms.accounts import AdminSettingsForm
from .forms.base import render_form

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_admin():
    """Only admins see these pages."""
    if not current_user.is_admin:
        abort(403)


@bp.route("/", methods=["GET", "POST"])
def settings():
    form = AdminSettingsForm(mode=instance.registrations_mode(), instance_feeds=subscriptions.instance_feeds_enabled())
    if form.validate_on_submit():
        instance.set_registrations_mode(form.mode.data)
        subscriptions.set_instance_feeds(form.instance_feeds.data)
        flash(_("The settings are saved."), "success")
        return redirect(url_for("admin.settings"))
    return render_form("admin/settings.html", form)


@bp.route("/invites", methods=["POST"])
def create_invite():
    link = instance.create_invite()
    return render_template("admin/invite.html", link=link)


@bp.route("/deliveries")
def deliveries():
    return render_template("admin/deliveries.html", domains=delivery.summary())


@bp.route("/deliveries/<domain>/available", methods=["POST"])
def mark_available(domain):
    delivery.mark_domain_alive(domain)
    flash(_("%(domain)s will be tried again.", domain=domain), "success")
    return redirect(url_for("admin.deliveries"))
