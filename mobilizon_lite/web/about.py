"""Pages about the instance itself: what it is and who runs it (/about), its terms and privacy policy,
and its icon."""
from flask import Blueprint, current_app, render_template, send_from_directory

from ..page_cache import shared
from ..services import instance, instance_settings, instance_stats
from ..version import __version__

bp = Blueprint("about", __name__)

SOFTWARE_NAME = "mobilizon_lite"


@bp.route("/about")
@shared
def about():
    return render_template(
        "about/about.html", short_description=instance.get_setting("short_description", ""),
        description=instance_settings.text_html("long_description"), rules=instance_settings.text_html("rules"),
        contact_email=instance.get_setting("contact_email", ""), administrators=instance_stats.administrators(),
        statistics=instance_stats.statistics(), software=SOFTWARE_NAME, version=__version__,
    )


@bp.route("/terms")
@shared
def terms():
    return render_template("about/terms.html", text=instance_settings.text_html("terms"))


@bp.route("/privacy")
@shared
def privacy():
    return render_template("about/privacy.html", text=instance_settings.text_html("privacy"))


@bp.route("/favicon.ico")
def favicon():
    # Browsers ask for this address whatever the page says; the same drawing as the one the pages link to.
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


@bp.route("/apple-touch-icon.png")
def touch_icon():
    # Phones ask for this address for a home-screen icon, which must be a PNG: the same drawing, drawn once.
    return send_from_directory(current_app.static_folder, "apple-touch-icon.png", mimetype="image/png", max_age=86400)
