"""What a shared link shows before it is opened: the OpenGraph and Twitter card values of event, group
and profile pages, and the schema.org Event of event pages, computed here once for every template."""
import functools
import json
from dataclasses import dataclass
from urllib.parse import quote

from babel import Locale
from babel.core import get_global
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..activitypub.audience import speaker
from ..dates import event_day
from ..services import event_access, instance_settings, participant_mail
from ..text import html_to_text
from ..urls import host_of, public_url

# Messengers cut longer descriptions themselves, each at its own length: ours ends on a whole word.
EXCERPT_MAX = 200
# Search engines read more of an event's description than a preview shows.
JSON_LD_DESCRIPTION_MAX = 1000
SCHEMA = "https://schema.org/"


@dataclass
class Preview:
    """The values of one page's preview meta tags (see _share.html's head macro)."""

    title: str
    description: str
    url: str
    kind: str  # og:type
    ap_id: str
    image: str | None = None
    labels: tuple = ()  # (label, value) pairs: Slack and others show them under the title
    extra: tuple = ()  # further (property, content) pairs of the kind: profile:username
    indexed: bool = True  # unlisted pages ask search engines to leave them out
    json_ld: Markup | None = None

    @property
    def site_name(self):
        return instance_settings.instance_name()

    @property
    def locale(self):
        return og_locale(str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]))

    @property
    def card(self):
        """The Twitter card: the large picture when there is one."""
        return "summary_large_image" if self.image else "summary"

    @property
    def mailto(self):
        """A mailto: link of a message (subject: the title, body: the address) to write to a friend."""
        return f"mailto:?subject={quote(self.title, safe='')}&body={quote(self.url, safe='')}"


@functools.cache
def og_locale(language):
    """OpenGraph's language_TERRITORY of a language (fr -> fr_FR), the territory most likely when none is given."""
    locale = Locale.parse(language)
    territory = locale.territory or Locale.parse(get_global("likely_subtags").get(locale.language, "und_US")).territory
    return f"{locale.language}_{territory or 'US'}"


def shorten(text, limit=EXCERPT_MAX):
    """text on one line, cut at a word boundary with an ellipsis to at most limit characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–—-") + "…"


def excerpt(html, limit=EXCERPT_MAX):
    """The plain text of sanitised HTML, shortened (see shorten)."""
    return shorten(html_to_text(html), limit)


def _upload(name):
    return public_url("events.upload", name=name) if name else None


def _remote_picture(url):
    """An address another server gave for a picture, when it is a web address."""
    return url if host_of(url) else None


def place_text(event):
    """Where the event is, on one line for a preview: the place and town, or "Online"."""
    place = ", ".join(part for part in (event.place_name, event.locality) if part) or event.address_line
    return place or (_("Online") if event.online_url else "")


def event_preview(event):
    """The preview of an event's page; None for a private event, which no preview fetcher may open."""
    if event.is_private:
        return None
    url = participant_mail.event_link(event)
    lead = [_("Cancelled"), event_day(event)] if event.is_cancelled else [event_day(event)]
    place = place_text(event)
    if place:
        lead.append(place)
    text = html_to_text(event.description)
    image = _upload(event.picture)
    if image is None and event.is_local and event.attributed_to_id:
        # A group's event without a banner of its own is shown with the group's picture.
        image = _upload(event.attributed_to.banner) or _upload(event.attributed_to.avatar)
    labels = ((_("When"), event_day(event)),) + (((_("Where"), place),) if place else ())
    # Search engines take the event from the server it belongs to, and no unlisted one.
    json_ld = json_script(event_json_ld(event, url, image)) if event.is_public and event.is_local else None
    return Preview(title=event.title, description=shorten(" · ".join(lead) + (f" — {text}" if text else "")),
                   url=url, kind="website", ap_id=event.ap_id, image=image, labels=labels,
                   indexed=event.is_public, json_ld=json_ld)


def actor_preview(actor):
    """The preview of a group's page (of this instance or known here from elsewhere) or an identity's."""
    url = public_url("pages.profile", username=actor.handle)
    handle = f"@{actor.handle}" if not actor.is_local else f"@{actor.preferred_username}@{host_of(url)}"
    description = excerpt(actor.summary) or handle
    if actor.is_local:
        image = _upload(actor.banner) or _upload(actor.avatar)
    else:
        image = _remote_picture(actor.banner_url) or _remote_picture(actor.avatar_url)
    if actor.is_group:
        return Preview(title=actor.display_name, description=description, url=url, kind="website", ap_id=actor.ap_id,
                       image=image, indexed=actor.visibility == "public")
    return Preview(title=actor.display_name, description=description, url=url, kind="profile", ap_id=actor.ap_id,
                   image=image, extra=(("profile:username", actor.preferred_username),))


def _address(event):
    fields = {"streetAddress": event.street, "postalCode": event.postal_code, "addressLocality": event.locality,
              "addressRegion": event.region, "addressCountry": event.country}
    return {"@type": "PostalAddress", **{name: value for name, value in fields.items() if value}}


def event_json_ld(event, url, image):
    """The schema.org Event of a public event (what search engines read), as a dict."""
    zone = event.zone
    data = {"@context": "https://schema.org", "@type": "Event", "name": event.title, "url": url,
            "startDate": event.begins_on.astimezone(zone).isoformat(),
            "eventStatus": SCHEMA + ("EventCancelled" if event.is_cancelled else "EventScheduled")}
    if event.ends_on:
        data["endDate"] = event.ends_on.astimezone(zone).isoformat()
    description = excerpt(event.description, JSON_LD_DESCRIPTION_MAX)
    if description:
        data["description"] = description
    if image:
        data["image"] = [image]
    locations = []
    if event.has_address or event.has_coordinates:
        place = {"@type": "Place", "name": event.place_name or event.address_line or event.title,
                 "address": _address(event)}
        if event.has_coordinates:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": event.latitude, "longitude": event.longitude}
        locations.append(place)
    if event.online_url:
        # The address of the call only when any visitor may see it; else the page, where participants find it.
        locations.append({"@type": "VirtualLocation", "url": event_access.online_address_for(event) or url})
    if locations:
        mode = ("Mixed" if len(locations) == 2 else "Online" if event.online_url else "Offline")
        data["eventAttendanceMode"] = f"{SCHEMA}{mode}EventAttendanceMode"
        data["location"] = locations[0] if len(locations) == 1 else locations
    organizer = speaker(event)
    data["organizer"] = {"@type": "Organization" if organizer.is_group else "Person", "name": organizer.display_name,
                         "url": public_url("pages.profile", username=organizer.handle)}
    return data


def json_script(data):
    """data as JSON safe inside <script type="application/ld+json">: no text in it can close the element
    or open a comment, as <, > and & are written as JSON escapes."""
    text = json.dumps(data, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def embed_snippet(src, title, height):
    """The <iframe> an association pastes in its website to show the embed at src."""
    return (f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" height="{height}" '
            f'loading="lazy" style="border:0"></iframe>')


def init_app(app):
    """Let templates compute the previews."""
    app.add_template_global(event_preview)
    app.add_template_global(actor_preview)
    app.add_template_global(embed_snippet)
