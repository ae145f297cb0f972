"""The month calendar: /calendar (this month where the instance is) and /calendar/<year>/<month>, a grid
of weeks (an agenda of the days with events on phones), filtered as a search is."""
from babel.dates import format_date, format_skeleton, format_time
from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale

from ..services import calendar_month, search_query
from .context import viewer_ids
from .forms.events import CATEGORY_LABELS

bp = Blueprint("calendar", __name__)


def _month_link(first, query):
    """The link to the month beginning on first, keeping query's filters."""
    return url_for("calendar.month", year=first.year, month=first.month, **query.args(starts=None, ends=None))


@bp.route("/calendar")
def this_month():
    return _page(calendar_month.this_month())


# Months are written with two digits (/calendar/2027/06), so each month has one address.
@bp.route("/calendar/<int:year>/<int(fixed_digits=2):month>")
def month(year, month):
    return _page(calendar_month.month_start(year, month))


def _page(first):
    query = calendar_month.read(request.args, first)
    locale = get_locale()
    shown = calendar_month.month_of_events(query, viewer_ids(), locale.first_week_day)
    # "juin 2027" within a sentence, "Juin 2027" as the page's heading.
    name = format_skeleton("yMMMM", first, locale=locale)
    weekdays = [(locale.days["format"]["wide"][day], locale.days["format"]["abbreviated"][day])
                for day in (day % 7 for day in range(locale.first_week_day, locale.first_week_day + 7))]
    return render_template(
        "pages/calendar.html", query=query, month=shown, name=name, title=name[:1].upper() + name[1:],
        weekdays=weekdays, zone=query.zone().key, categories=CATEGORY_LABELS, radii=search_query.RADII_SHOWN,
        clock=lambda moment: format_time(moment, "short", locale=locale),
        long_date=lambda day: format_date(day, "full", locale=locale),
        month_link=lambda first: _month_link(first, query),
        day_search=lambda day: url_for("search.results", **query.args(starts=day.isoformat(), ends=day.isoformat())),
    ), 400 if query.errors else 200
