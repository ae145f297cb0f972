"""The report form behind every "Report" link, and the link that confirms a visitor's report."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..services import rate_limits, reportables, reports
from ..services.errors import TooMany
from .context import chosen_identity, identity_choices, private_page, viewer_ids
from .errors import retry_after
from .forms.base import add_error, refusals_on, render_form
from .forms.reports import ReportForm
from .item_pages import page_of

bp = Blueprint("reports", __name__)


def report_form(found):
    """The form as the viewer fills it: an identity to report as, or a visitor's address; the choice to
    tell the content's server only for another server's content."""
    form = ReportForm()
    if current_user.is_authenticated:
        del form.email
        identity_choices(form.identity)
    else:
        del form.identity
    if found.domain is None:
        del form.forward
    return form


@bp.route("/report", methods=["GET", "POST"])
def new():
    found = reportables.reportable(request.args.get("item"), viewer_ids())
    form = report_form(found)
    if form.validate_on_submit():
        forward = bool(form.forward.data) if "forward" in form else False
        try:
            with refusals_on(form):
                if current_user.is_authenticated:
                    identity = chosen_identity(form.identity)
                    rate_limits.check(identity, "reports")
                    reports.report_as(identity, found, form.reason.data, form.comment.data, forward)
                else:
                    reports.request_report(found, form.email.data, form.reason.data, form.comment.data, forward,
                                           str(get_locale()), request.remote_addr)
                return render_template("reports/sent.html", found=found, back=page_of(found),
                                       confirmed=current_user.is_authenticated)
        except TooMany as error:
            # The form is shown again, filled in, to be sent once the limit allows.
            add_error(form, error)
            return render_form("reports/new.html", form, found=found, back=page_of(found))[0], 429, retry_after(error)
    return render_form("reports/new.html", form, found=found, back=page_of(found))


@bp.route("/report/confirm/<token>", methods=["GET", "POST"])
@private_page
def confirm(token):
    # Mail scanners open links: confirming takes a click (POST), not just a visit.
    if request.method == "GET":
        return render_template("confirm.html", heading=_("Confirm your report"), button=_("Send the report"))
    reports.confirm_report(token)
    flash(_("Thank you: the moderators have your report."), "success")
    return redirect(url_for("pages.home"))
