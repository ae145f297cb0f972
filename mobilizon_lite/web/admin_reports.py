"""The moderators' report queue (/admin/reports): open, resolved and closed reports, each with what it
names, its notes and its history."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..models.reports import OPEN
from ..services import moderation_log, reportables, reports
from ..services.reports import REASON_LABELS
from ..urls import page_number
from .forms.base import require_valid
from .forms.reports import STATE_LABELS, NoteForm, StateForm
from .item_pages import page_of
from .staff import staff_blueprint

bp = staff_blueprint("admin_reports", __name__, "/admin/reports")

REPORT_ID = "<int(max=9223372036854775807):report_id>"


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
    return render_template("admin/report.html", report=report, items=items, notes=list(report.notes),
                           history=moderation_log.about("report", report.id), note_form=NoteForm(),
                           state_form=state_form, state_labels=STATE_LABELS, reasons=REASON_LABELS)


@bp.route(f"/{REPORT_ID}/notes", methods=["POST"])
def add_note(report_id):
    report = reports.report_by_id(report_id)
    form = NoteForm()
    require_valid(form)
    reports.add_note(report, current_user._get_current_object(), form.text.data)
    flash(_("The note is added."), "success")
    return redirect(url_for("admin_reports.show", report_id=report.id))


@bp.route(f"/{REPORT_ID}/state", methods=["POST"])
def change_state(report_id):
    report = reports.report_by_id(report_id)
    form = StateForm()
    require_valid(form)
    reports.set_state(report, current_user._get_current_object(), form.state.data, form.reason.data)
    flash(_("The report is now: %(state)s.", state=STATE_LABELS[report.state]), "success")
    return redirect(url_for("admin_reports.show", report_id=report.id))
