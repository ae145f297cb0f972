"""Public pages: home, identity and group profiles, and the visitor's language choice."""
from flask import Blueprint, current_app, make_response, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..negotiation import activity_response, negotiated, wants_activity_json
from ..page_cache import shared, shared_part
from ..services import (
    accounts,
    events,
    follows,
    groups,
    home_sections,
    identities,
    instance,
    remote_groups,
    subscriptions,
)
from ..urls import whole_number
from . import near
from .context import redirect_local, viewer_ids
from .forms.accounts import LocaleForm, locale_choices
from .group_page import group_page, remote_group_page

bp = Blueprint("pages", __name__)


def page_number():
    return max(whole_number(request.args.get("page"), digits=6) or 1, 1)


def event_page(past):
    page, per_page = page_number(), current_app.config["EVENTS_PER_PAGE"]
    local_only = request.args.get("scope") == "local"

    def listing():
        if past:
            rows = events.upcoming_public(page, per_page, past=True, local_only=local_only)
            return render_template("pages/_home_listing.html", events=rows[:per_page], page=page,
                                   has_next=len(rows) > per_page, past=True, local_only=local_only)
        week, more_this_week = home_sections.this_week(per_page, local_only) if page == 1 else ([], False)
        rows, has_next = home_sections.after_this_week(page, per_page, local_only)
        return render_template("pages/_home_listing.html", week=week, more_this_week=more_this_week,
                               week_query=home_sections.week_query(local_only), events=rows, page=page,
                               has_next=has_next, past=False, local_only=local_only)

    # The visitor's town (a cookie): its list is made for them, never kept for others (see home).
    near_query = near.chosen() if not past and page == 1 else None
    near_events = home_sections.near(near_query, per_page)[0] if near_query else []
    return render_template("pages/home.html", registrations=instance.registrations_mode(),
                           instance_feeds=subscriptions.instance_feeds_enabled(), local_only=local_only,
                           page=page, past=past, listing=shared_part(listing), near=near_query,
                           near_events=near_events, **near.form_context())


def _chose_a_town():
    return near.COOKIE in request.cookies


@bp.route("/")
@shared(unless=_chose_a_town)
def home():
    response = make_response(event_page(past=False))
    if _chose_a_town():
        # Made for this visitor's town: a shared cache (a proxy) must not give it to anyone else.
        response.cache_control.private = True
    return response


@bp.route("/past")
@shared
def past():
    return event_page(past=True)


@bp.route("/@<username>")
@negotiated
@shared
def profile(username):
    # Groups and identities share one space of usernames, and so one address.
    if groups.is_local_group(username):
        return group_page(username)
    if remote_groups.is_remote_handle(username):
        return remote_group_page(username)
    if wants_activity_json():
        return activity_response(*identities.actor_document(username))
    identity = identities.public_identity(username)
    upcoming, past_events = events.events_of(identity, viewer_ids())
    return render_template("pages/profile.html", identity=identity, upcoming=upcoming, past=past_events,
                           followers=follows.followers_of(identity),
                           following=[actor for actor, accepted in follows.followed_by(identity) if accepted])


def language_form(**kwargs):
    """The footer's language picker."""
    form = LocaleForm(**kwargs)
    form.locale.choices = locale_choices(_l("Automatic"))
    return form


@bp.app_context_processor
def inject_language_choices():
    # The footer's picker is no form object: it never reads the request (a refused body, 413, must not
    # be parsed again), and a form would load the validators' translations on every page.
    return {"language_choices": lambda: locale_choices(_l("Automatic"))}


@bp.route("/interact")
@login_required
def interact():
    """Land here from another server's "follow" button: the follow form, filled in."""
    uri = request.args.get("uri", "")[:320]
    return redirect(url_for("identities.index", follow=uri, _anchor="follow"))


@bp.route("/near", methods=["POST"])
def choose_town():
    """Keep the town of the home page's "Near" list in a cookie, or forget it."""
    if current_user.is_authenticated:
        # Logged-in pages carry a token, as for the language picker.
        current_app.extensions["csrf"].protect()
    return near.choose()


@bp.route("/language", methods=["POST"])
def set_language():
    if current_user.is_authenticated:
        # Logged-in pages carry a token: a forged post must not change an account's setting.
        current_app.extensions["csrf"].protect()
    form = language_form()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            accounts.set_locale(current_user, form.locale.data)
    return redirect_local(form.next.data, "pages.home")
