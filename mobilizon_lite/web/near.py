"""The town a visitor chose for the home page's "Near" list, kept in a cookie (no account needed): read,
chosen among the towns of one name, forgotten."""
from urllib.parse import parse_qs, urlencode

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services import home_sections, places
from ..services.search_query import DEFAULT_RADIUS_KM, RADII_SHOWN
from ..urls import whole_number
from .forms.near import TOWN_MAX, NearForm

COOKIE = "near"
COOKIE_MAX = 512
YEAR = 365 * 24 * 60 * 60


def chosen():
    """The search of the events near the visitor's town (home_sections.near_query); None without a
    cookie, or with one naming no town or distance that can be searched."""
    value = request.cookies.get(COOKIE, "")
    if not value or len(value) > COOKIE_MAX:
        return None
    try:
        fields = parse_qs(value, max_num_fields=2)
    except ValueError:
        return None
    town = fields.get("town", [""])[0][:TOWN_MAX]
    radius = whole_number(fields.get("radius", [""])[0], digits=3)
    return home_sections.near_query(town, radius) if town and radius else None


def form_context():
    """What the form choosing a town needs on any page: its distances, and the one chosen first."""
    return {"radii": RADII_SHOWN, "radius_default": DEFAULT_RADIUS_KM}


def _form_page(form, choices=()):
    return render_template("pages/near.html", near_form=form, choices=choices, **form_context())


def _secure():
    # Behind a proxy the request itself may read as plain HTTP: the instance's address says.
    return request.is_secure or current_app.config["SESSION_COOKIE_SECURE"]


def choose():
    """The answer to the form: the town typed (or chosen among those of its name) kept in the cookie,
    or the cookie forgotten; the form again with its errors or the towns to choose among."""
    response = redirect(url_for("pages.home"), 303)
    if "forget" in request.form:
        response.delete_cookie(COOKIE, httponly=True, samesite="Lax", secure=_secure())
        return response
    form = NearForm()
    if not form.validate_on_submit():
        return _form_page(form), 400
    found = places.resolve(form.town.data)
    if not found:
        form.town.errors.append(_("No town of this name is known: %(name)s.", name=form.town.data))
        return _form_page(form), 400
    # A choice made on the page of choices is final: the likeliest town of what was typed there.
    if len(found) > 1 and "chosen" not in request.form:
        return _form_page(form, found)
    # What finds this town first (name and region), so that the cookie names it and no namesake.
    response.set_cookie(COOKIE, urlencode({"town": found[0].typed, "radius": form.radius.data}), max_age=YEAR,
                        httponly=True, samesite="Lax", secure=_secure())
    return response
