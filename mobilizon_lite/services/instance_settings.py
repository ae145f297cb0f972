"""The instance as its administrators describe and set it: name, texts, contact, defaults, who may join."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import gettext as _

from ..db import database
from ..models.limits import DESCRIPTION_MAX
from ..text import clean_text, markdown_to_html
from . import instance, moderation_log, subscriptions
from .accounts import normalize_email
from .errors import Invalid, InvalidFields

NAME_MAX = 100
SHORT_DESCRIPTION_MAX = 300
# Texts written in Markdown: each is stored as written and as sanitised HTML (key + "_html").
MARKDOWN_TEXTS = ("long_description", "rules", "terms", "privacy")
LINES = {"name": NAME_MAX, "short_description": SHORT_DESCRIPTION_MAX}
# Their names, as the settings form's fields have them ("mode": how people may sign up).
EVERY_SETTING = (*LINES, *MARKDOWN_TEXTS, "contact_email", "default_language", "default_timezone",
                 "mode", "allowed_domains", "anonymous_participation", "instance_feeds")
LOG_ACTION = "settings_changed"


def instance_name():
    """The instance's name, as every page's title shows it."""
    return instance.get_setting("name") or current_app.config["INSTANCE_NAME"]


def node_description():
    """The instance's short description ("" when none is written), as NodeInfo's metadata carries it."""
    return instance.get_setting("short_description", "")


def default_language():
    """The language of visitors whose browser asks for none this instance speaks."""
    return instance.get_setting("default_language") or current_app.config["BABEL_DEFAULT_LOCALE"]


def default_timezone():
    """The name of the instance's time zone: dates not tied to an event's own zone are shown in it (see
    dates.home_zone), and the event form proposes it."""
    return instance.get_setting("default_timezone") or current_app.config["TIMEZONE"]


def text_html(key):
    """The sanitised HTML of one of MARKDOWN_TEXTS ("" when the administrators wrote none)."""
    return instance.get_setting(f"{key}_html", "")


def current():
    """Every setting, as the settings form shows it."""
    values = {key: instance.get_setting(key, "") for key in (*LINES, *MARKDOWN_TEXTS, "contact_email")}
    values.update(
        name=instance_name(), default_language=default_language(), default_timezone=default_timezone(),
        mode=instance.registrations_mode(), allowed_domains=", ".join(instance.allowed_domains()),
        anonymous_participation=instance.anonymous_participation_enabled(),
        instance_feeds=subscriptions.instance_feeds_enabled(),
    )
    return values


def _checked(values):
    """values (the settings form's, each key of EVERY_SETTING) cleaned, or InvalidFields naming each wrong one.
    An empty name, language or time zone stands for the configuration's."""
    errors, checked = {}, {}
    for key, limit in LINES.items():
        checked[key] = " ".join(clean_text(values[key] or "").split())
        if len(checked[key]) > limit:
            errors[key] = _("At most %(max)d characters.", max=limit)
    checked["name"] = checked["name"] or current_app.config["INSTANCE_NAME"]
    for key in MARKDOWN_TEXTS:
        checked[key] = clean_text(values[key] or "", multiline=True).strip()
        if len(checked[key]) > DESCRIPTION_MAX:
            errors[key] = _("At most %(max)d characters.", max=DESCRIPTION_MAX)
    checked["contact_email"] = ""
    if (values["contact_email"] or "").strip():
        try:
            checked["contact_email"] = normalize_email(values["contact_email"])
        except Invalid as error:
            errors["contact_email"] = error.message
    checked["default_language"] = values["default_language"] or current_app.config["BABEL_DEFAULT_LOCALE"]
    if checked["default_language"] not in current_app.config["LANGUAGES"]:
        errors["default_language"] = _("Choose one of the languages this instance speaks.")
    checked["default_timezone"] = values["default_timezone"] or current_app.config["TIMEZONE"]
    try:
        ZoneInfo(checked["default_timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        errors["default_timezone"] = _("This is not a known time zone (such as Europe/Paris).")
    checked["mode"] = values["mode"]
    if checked["mode"] not in instance.REGISTRATION_MODES:
        errors["mode"] = _("Registrations must be one of: open, closed, invite, allowlist.")
    try:
        checked["allowed_domains"] = instance.parse_domains(values["allowed_domains"])
    except Invalid as error:
        errors[error.field] = error.message
    else:
        if checked["mode"] == instance.REGISTRATIONS_ALLOWLIST and not checked["allowed_domains"]:
            errors["allowed_domains"] = _("List the email domains whose addresses may sign up.")
    checked["anonymous_participation"] = bool(values["anonymous_participation"])
    checked["instance_feeds"] = bool(values["instance_feeds"])
    if errors:
        raise InvalidFields(errors)
    return checked


def save(values, moderator):
    """Check and store every setting at once (nothing when one is wrong: InvalidFields), and write a line
    of the moderation log naming those that changed; returns their names."""
    checked = _checked(values)
    before = current()
    before["allowed_domains"] = instance.allowed_domains()
    changed = [key for key in EVERY_SETTING if checked[key] != before[key]]
    if not changed:
        return changed
    with database.atomic():
        for key in (*LINES, *MARKDOWN_TEXTS, "contact_email", "default_language", "default_timezone"):
            instance.set_setting(key, checked[key])
        for key in MARKDOWN_TEXTS:
            instance.set_setting(f"{key}_html", markdown_to_html(checked[key]) if checked[key] else "")
        instance.set_setting("anonymous_participation", "on" if checked["anonymous_participation"] else "off")
        subscriptions.set_instance_feeds(checked["instance_feeds"])
        instance.set_registrations_mode(checked["mode"], checked["allowed_domains"])
        moderation_log.record(moderator, LOG_ACTION, "instance", current_app.config["BASE_URL"],
                              label=", ".join(changed))
    return changed


def set_registrations(mode, domains_text, moderator):
    """Change how new people may sign up (the command line's way), with its moderation-log line;
    domains_text (None: keep the list) lists the email domains of the allowlist mode."""
    domains = None if domains_text is None else instance.parse_domains(domains_text)
    with database.atomic():
        instance.set_registrations_mode(mode, domains)
        label = f"registrations: {mode}"
        if mode == instance.REGISTRATIONS_ALLOWLIST:
            label += f" ({', '.join(instance.allowed_domains())})"
        moderation_log.record(moderator, LOG_ACTION, "instance", current_app.config["BASE_URL"], label=label)
