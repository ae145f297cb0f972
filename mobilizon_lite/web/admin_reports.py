"""The moderators' report queue (/admin/reports): open, resolved and closed reports, each with what it
names, its notes and its history."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..models.reports import OPEN
from ..services import moderation_log, report_actions, reportables, reports
from ..services.reports import KIND_LABELS, REASON_LABELS
from ..urls import page_number
from .forms.base import require_valid
from .forms.instances import DomainBlockForm
from .forms.moderation import ReasonForm
from .forms.reports import STATE_LABELS, NoteForm, StateForm
from .item_pages import page_of
from .staff import staff_blueprint

bp = staff_blueprint("admin_reports", __name__, "/admin/reports")

REPORT_ID = "<id:report_id>"


@bp.route("")
def index():
    state = request.args.get("state") or OPEN
    page = page_number(request.args.get("page"))
    rows, has_next = reports.reports_page(state, page)
    return render_template("admin/reports.html", reports=rows, state=state, page=page, has_next=has_next,
                           counts=reports.counts(), state_labels=STATE_LABELS, reasons=REASON_LABELS)


@bp.route(f"/{REPORT_ID}")
def show(report_id):
    report = reports.report_by_id(report_id)
    items = []
    for item in report.items:
        found = reportables.find(item.ap_id)
        items.append((item, page_of(found) if found is not None else None))
    state_form = StateForm(state=report.state)
    block_form = DomainBlockForm()
    del block_form.domain
    return render_template("admin/report.html", report=report, items=items, notes=list(report.notes),
                           history=moderation_log.about("report", report.id), note_form=NoteForm(),
                           action_label=moderation_log.action_label,
                           state_form=state_form, state_labels=STATE_LABELS, reasons=REASON_LABELS, kinds=KIND_LABELS,
                           removable=[item for item, _page in items if report_actions.removable(item)],
                           account=report_actions.suspendable(report), domain=report_actions.blockable(report),
                           block_form=block_form)


def _back(report, message):
    flash(message, "success")
    return redirect(url_for("admin_reports.show", report_id=report.id))


def _reason():
    form = ReasonForm()
    require_valid(form)
    return form.reason.data


@bp.route(f"/{REPORT_ID}/notes", methods=["POST"])
def add_note(report_id):
    report = reports.report_by_id(report_id)
    form = NoteForm()
    require_valid(form)
    reports.add_note(report, current_user._get_current_object(), form.text.data)
    return _back(report, _("The note is added."))


@bp.route(f"/{REPORT_ID}/state", methods=["POST"])
def change_state(report_id):
    report = reports.report_by_id(report_id)
    form = StateForm()
    require_valid(form)
    reports.set_state(report, current_user._get_current_object(), form.state.data, form.reason.data)
    return _back(report, _("The report is now: %(state)s.", state=STATE_LABELS[report.state]))


@bp.route(f"/{REPORT_ID}/items/<id:item_id>/remove", methods=["POST"])
def remove_item(report_id, item_id):
    report = reports.report_by_id(report_id)
    report_actions.remove_item(report, item_id, current_user._get_current_object(), _reason())
    return _back(report, _("The content is removed."))


@bp.route(f"/{REPORT_ID}/suspend", methods=["POST"])
def suspend_author(report_id):
    report = reports.report_by_id(report_id)
    report_actions.suspend_author(report, current_user._get_current_object(), _reason())
    return _back(report, _("The account is suspended."))


@bp.route(f"/{REPORT_ID}/block", methods=["POST"])
def block_domain(report_id):
    report = reports.report_by_id(report_id)
    form = DomainBlockForm()
    del form.domain
    require_valid(form)
    report_actions.block_author_domain(report, current_user._get_current_object(), form.severity.data,
                                       form.reject_media.data, form.reason.data)
    return _back(report, _("The server is blocked."))
