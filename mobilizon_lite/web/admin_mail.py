"""The outgoing mail that failed: administrators see what waits or was given up, and retry or discard it."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from .. import mail_queue
from .staff import admin_only, staff_blueprint

bp = staff_blueprint("admin_mail", __name__, "/admin/mail")
# The administration menu shows administrators how many mails were given up.
bp.add_app_template_global(mail_queue.given_up, "mail_given_up")


def masked(address):
    """An address shown in part (an…@example.org): enough to recognise it, not to copy it off the screen."""
    local, _at, domain = address.rpartition("@")
    return f"{local[:2]}…@{domain}" if local else f"{address[:2]}…"


@bp.route("/")
@admin_only
def index():
    return render_template("admin/mail.html", queue=mail_queue.troubles(), masked=masked)


@bp.route("/<id:mail_id>/retry", methods=["POST"])
@admin_only
def retry(mail_id):
    if not mail_queue.retry(mail_id):
        abort(404)
    flash(_("The mail is being sent again."), "success")
    return redirect(url_for("admin_mail.index"))


@bp.route("/<id:mail_id>/discard", methods=["POST"])
@admin_only
def discard(mail_id):
    if not mail_queue.discard(mail_id):
        abort(404)
    flash(_("The mail is discarded."), "success")
    return redirect(url_for("admin_mail.index"))
