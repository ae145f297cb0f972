"""mobilizon_lite: a small, federated server for events."""
from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, dates, db, federation_views, feeds, migrations, page_cache, web
from .services import instance_settings
from .version import __version__  # noqa: F401 - re-exported

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    # The pages use no script at all; forbidding it makes injected markup inert.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; img-src 'self' https: data:; form-action 'self'"
    ),
}


def create_app(test_config=None, default_base_url="http://127.0.0.1:5000", instance_path=None,
               base_url=None, moving=False):
    """Build the Flask app: config -> database -> log-in/CSRF/i18n -> blueprints -> errors.

    base_url and moving come from run.py (--base-url; set-base-url): see config.load.
    """
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    config.load(app, test_config, default_base_url, base_url, moving)
    if app.config["PROXY_COUNT"]:
        # request.remote_addr (what log-ins are counted by) becomes the address the first of the
        # trusted proxies saw; a header written by the client itself is never believed.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=0, x_host=0,
                                x_port=0, x_prefix=0)
    # The framed pages are served as to a stranger: no cookie read, none set (web/embeds.py).
    app.wsgi_app = web.embeds.strangers_only(app.wsgi_app)
    db.init_app(app)
    with app.app_context():
        migrations.migrate()
    # Emails name the instance as its settings do; mail.py sits below the services that read them.
    app.extensions["instance_name"] = instance_settings.instance_name

    csrf = CSRFProtect(app)
    dates.init_app(app, instance_settings.default_timezone)
    Babel(app, locale_selector=web.context.select_locale)
    page_cache.init_app(app)
    web.init_app(app, csrf)
    feeds.init_app(app)
    federation_views.init_app(app, csrf)

    @app.after_request
    def security_headers(response):
        # A page whose own policy names who may frame it (the embeds) gets no X-Frame-Options to contradict it.
        frames_named = "frame-ancestors" in response.headers.get("Content-Security-Policy", "")
        for name, value in SECURITY_HEADERS.items():
            if not (frames_named and name == "X-Frame-Options"):
                response.headers.setdefault(name, value)
        return response

    return app
