"""Importing a calendar (.ics file or address), or the events of a link (an ActivityPub event, a page's
schema.org or h-event data), into one of the account's identities or groups: the form, the preview of
what each event will do, and the confirmation that does it."""
from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..services import calendar_import, ics_import, instance_settings, link_import, rate_limits
from ..services.errors import Invalid, TooMany
from .context import event_owners
from .errors import retry_after
from .forms.base import add_error, render_form
from .forms.imports import CalendarImportForm, ConfirmImportForm

bp = Blueprint("calendar_import", __name__)
SESSION_KEY = "calendar_import"


def calendar_bytes(form):
    """The calendar sent with the form: the file's bytes (read up to one past the limit) or the address's."""
    upload = form.calendar.data
    if upload and getattr(upload, "filename", ""):
        with upload.stream:
            return upload.stream.read(ics_import.FILE_MAX + 1)
    if form.url.data:
        return ics_import.fetch(form.url.data).body
    raise Invalid(_("Choose a calendar file, or give its web address."), "calendar")


@bp.route("/import", methods=["GET", "POST"])
@login_required
def start():
    form = CalendarImportForm()
    offered = event_owners()
    form.owner.choices = [(value, label) for value, (label, _i, _g) in offered.items()]
    if not form.is_submitted():
        wanted = request.args.get("group", "")
        form.owner.data = next((value for value, (_l, _i, group) in offered.items()
                                if group is not None and group.preferred_username == wanted), None)
    if form.validate_on_submit():
        _label, identity, group = offered[form.owner.data]
        kept = {"owner": form.owner.data}
        try:
            if form.link.data:
                if form.url.data or getattr(form.calendar.data, "filename", ""):
                    raise Invalid(_("Give either a calendar or an event's link, not both."), "link")
                fetched = link_import.fetch(form.link.data)
                kept["link"] = fetched.url
                data = link_import.keep(link_import.events_of(fetched, instance_settings.default_timezone()))
            else:
                data = calendar_bytes(form)
            calendar_import.plan(read_items(kept, data), identity, group)
        except Invalid as error:
            add_error(form, error)
        else:
            # One calendar held per session: previewing another forgets the one before.
            calendar_import.release((session.get(SESSION_KEY) or {}).get("token"))
            token = calendar_import.hold(data)
            session[SESSION_KEY] = {"token": token, **kept}
            return redirect(url_for(".preview", token=token))
    return render_form("events/import.html", form)


def read_items(kept, data):
    """The Items of what this session previews: the events read from a link (kept names it) or a calendar."""
    zone = instance_settings.default_timezone()
    if kept.get("link"):
        return link_import.items(link_import.kept(data), zone)
    return ics_import.read(data, zone)


def held_import(token):
    """(identity, group, steps) of the import this session previews under token; 404 for any other."""
    kept = session.get(SESSION_KEY) or {}
    owner = event_owners().get(kept.get("owner"))
    if kept.get("token") != token or owner is None:
        abort(404)
    # Expired: a 404 that says so.
    data = calendar_import.held(token)
    _label, identity, group = owner
    return identity, group, calendar_import.plan(read_items(kept, data), identity, group)


@bp.route("/import/<token>", methods=["GET", "POST"])
@login_required
def preview(token):
    identity, group, steps = held_import(token)
    link = session[SESSION_KEY].get("link")
    form = ConfirmImportForm()
    if form.validate_on_submit():
        try:
            rate_limits.check(identity, "events")
        except TooMany as error:
            add_error(form, error)
            return (render_template("events/import_preview.html", form=form, steps=steps, identity=identity,
                                    group=group, link=link), 429, retry_after(error))
        counts = calendar_import.run(steps, identity, group)
        calendar_import.release(token)
        session.pop(SESSION_KEY, None)
        return render_template("events/import_done.html", steps=steps, counts=counts, identity=identity, group=group)
    return render_form("events/import_preview.html", form, steps=steps, identity=identity, group=group, link=link)
