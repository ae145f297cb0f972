"""The other servers this instance knows, their delivery health, and the domains it blocks.

Moderators block and unblock domains as administrators do: a report's author may come from a server
that must be stopped at once, and the moderation queue is theirs. Resetting a dead server's deliveries
is an administrator's."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..activitypub import delivery
from ..services import domain_blocks
from ..services.errors import Invalid
from ..services.known_servers import known_servers
from .forms.base import refusals_on, render_form
from .forms.instances import DomainBlockForm
from .staff import admin_only, staff_blueprint

bp = staff_blueprint("instances", __name__, "/admin/instances")


def _page(form):
    return render_form("admin/instances.html", form, servers=known_servers(), blocks=domain_blocks.listing())


@bp.route("/")
def index():
    form = DomainBlockForm(domain=request.args.get("domain", ""))
    return _page(form)


@bp.route("/blocks", methods=["POST"])
def block():
    form = DomainBlockForm()
    if form.validate_on_submit():
        with refusals_on(form):
            row, removed = domain_blocks.block(form.domain.data, form.severity.data, form.reject_media.data,
                                               current_user, form.reason.data)
            flash(_("%(domain)s is blocked: %(removed)s.", domain=row.domain, removed=removed.describe()), "success")
            return redirect(url_for("instances.index"))
    return _page(form)


@bp.route("/blocks/<domain>/delete", methods=["POST"])
def unblock(domain):
    try:
        lifted = domain_blocks.unblock(domain, current_user)
    except Invalid as error:
        lifted, message = False, error.message
    else:
        message = _("%(domain)s was not blocked.", domain=domain)
    if lifted:
        flash(_("%(domain)s is no longer blocked.", domain=domain), "success")
    else:
        flash(message, "warning")
    return redirect(url_for("instances.index"))


@bp.route("/<domain>/available", methods=["POST"])
@admin_only
def mark_available(domain):
    delivery.mark_domain_alive(domain)
    flash(_("%(domain)s will be tried again.", domain=domain), "success")
    return redirect(url_for("instances.index"))
