"""Calendar subscriptions of the account's identities and of the groups they organise events in: the list
(each one's last fetch, status, error, counts and next fetch), the form subscribing to one, "Sync now"
and "Stop"."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import login_required

from ..models import CalendarSubscription
from ..services import calendar_subscriptions, rate_limits
from ..services.calendar_subscriptions import (
    ERROR,
    FETCH_FAILED,
    NEW,
    NOT_ALLOWED,
    NOT_MODIFIED,
    OK,
    REFUSED,
)
from ..services.errors import ServiceError, TooMany
from .context import event_owners
from .errors import retry_after
from .forms.base import add_error, render_form
from .forms.imports import StopSubscriptionForm, SubscribeForm

bp = Blueprint("calendar_subscriptions", __name__)

STATUS_LABELS = {
    NEW: _l("Not fetched yet"),
    OK: _l("Up to date"),
    NOT_MODIFIED: _l("Up to date: not modified since the last fetch"),
    FETCH_FAILED: _l("Could not be fetched"),
    REFUSED: _l("Refused: not a calendar this site can read"),
    NOT_ALLOWED: _l("Stopped: no longer allowed to organise these events"),
    ERROR: _l("Failed because of an error on this site"),
}


def interval_choices():
    """(seconds, label) of each interval a subscription may be fetched at."""
    return [(seconds, ngettext("Every hour", "Every %(num)d hours", seconds // calendar_subscriptions.HOUR))
            for seconds in calendar_subscriptions.INTERVALS]


def managed():
    """{owner's actor id: (choice value, label, identity acting, group or None)} of the identities and
    groups whose subscriptions the account manages (as calendar_import offers them for an import)."""
    return {(group or identity).id: (value, label, identity, group)
            for value, (label, identity, group) in event_owners().items()}


def managed_subscription(subscription_id):
    """(subscription, identity, group) of a subscription the account manages; 404 for any other."""
    subscription = CalendarSubscription.get_or_none(CalendarSubscription.id == subscription_id)
    found = managed().get(subscription.owner_id) if subscription is not None else None
    if found is None:
        abort(404)
    return subscription, found[2], found[3]


def _page(form, status=None):
    owned = managed()
    subscriptions = calendar_subscriptions.subscriptions_of([group or identity for _v, _l, identity, group
                                                             in owned.values()])
    sections = {}
    for subscription in subscriptions:
        sections.setdefault(owned[subscription.owner_id][1], []).append(subscription)
    context = dict(sections=sections, statuses=STATUS_LABELS, intervals=dict(interval_choices()))
    if status:
        return render_template("events/subscriptions.html", form=form, **context), status
    return render_form("events/subscriptions.html", form, **context)


@bp.route("/subscriptions", methods=["GET", "POST"])
@login_required
def index():
    offered = event_owners()
    form = SubscribeForm()
    form.owner.choices = [(value, label) for value, (label, _i, _g) in offered.items()]
    form.interval.choices = interval_choices()
    if not form.is_submitted():
        wanted = request.args.get("group", "")
        form.owner.data = next((value for value, (_l, _i, group) in offered.items()
                                if group is not None and group.preferred_username == wanted), None)
        form.interval.data = calendar_subscriptions.DEFAULT_INTERVAL
    if form.validate_on_submit():
        _label, identity, group = offered[form.owner.data]
        try:
            rate_limits.check(identity, "events")
            subscription = calendar_subscriptions.subscribe(identity, form.url.data, form.interval.data, group)
        except TooMany as error:
            add_error(form, error)
            page, _status = _page(form)
            return page, 429, retry_after(error)
        except ServiceError as error:
            add_error(form, error)
        else:
            flash(ngettext("Subscribed: %(num)d event created.", "Subscribed: %(num)d events created.",
                           subscription.created), "success")
            return redirect(url_for(".index"))
    return _page(form)


@bp.route("/subscriptions/<int:subscription_id>/sync", methods=["POST"])
@login_required
def sync_now(subscription_id):
    subscription, _identity, _group = managed_subscription(subscription_id)
    form = StopSubscriptionForm()  # its CSRF token only
    if not form.validate_on_submit():
        abort(400)
    subscription = calendar_subscriptions.sync(subscription)
    if subscription.locked_until is not None:  # held by another sync, which stores its outcome when done
        flash(_("This calendar is being fetched right now: its status shows here in a moment."), "info")
    else:
        flash(_("Fetched: %(status)s.", status=STATUS_LABELS[subscription.status]),
              "error" if subscription.status in calendar_subscriptions.FAILED else "success")
    return redirect(url_for(".index"))


@bp.route("/subscriptions/<int:subscription_id>/stop", methods=["GET", "POST"])
@login_required
def stop(subscription_id):
    subscription, identity, group = managed_subscription(subscription_id)
    form = StopSubscriptionForm()
    if form.validate_on_submit():
        try:
            removed = calendar_subscriptions.stop(subscription, identity, group, form.remove_events.data)
        except ServiceError as error:
            add_error(form, error)
        else:
            flash(ngettext("The subscription is stopped; %(num)d event removed.",
                           "The subscription is stopped; %(num)d events removed.", removed)
                  if form.remove_events.data else
                  _("The subscription is stopped; the events it made stay."), "success")
            return redirect(url_for(".index"))
    return render_form("events/subscription_stop.html", form, subscription=subscription,
                       heading=_("Stop this subscription?"))
