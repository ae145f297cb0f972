"""Web pages that state their events as sites publish them: The Events Calendar's JSON-LD (WordPress), a
Yoast/Drupal-style @graph, Gancio's h-event markup, a page with both, and a loopback site serving them."""
import json
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from .helpers import EVENT_DAY, loopback_server

DAY = EVENT_DAY.isoformat()
NEXT_DAY = EVENT_DAY.replace(day=2).isoformat()

# The Events Calendar (WordPress) writes one array, its texts HTML-escaped, with escaped slashes.
EVENTS_CALENDAR = """<!DOCTYPE html>
<html lang="fr-FR"><head><meta charset="UTF-8"><title>Atelier vélo &#8211; Maison du vélo</title>
<script type="application/ld+json">
[{"@context":"http://schema.org","@type":"Event","name":"Atelier v\\u00e9lo &#8211; r\\u00e9paration",
"description":"&lt;p&gt;Venez r\\u00e9parer votre v\\u00e9lo avec nos b\\u00e9n\\u00e9voles.&lt;\\/p&gt;\\n",
"image":"https:\\/\\/velo.example.org\\/wp-content\\/uploads\\/atelier.jpg",
"url":"https:\\/\\/velo.example.org\\/event\\/atelier-velo\\/",
"eventAttendanceMode":"https:\\/\\/schema.org\\/OfflineEventAttendanceMode",
"eventStatus":"https:\\/\\/schema.org\\/EventScheduled",
"startDate":"DAYT14:00:00+02:00","endDate":"DAYT17:00:00+02:00",
"location":{"@type":"Place","name":"Maison du v\\u00e9lo","description":"","url":"",
"address":{"@type":"PostalAddress","streetAddress":"3 rue des Cycles","addressLocality":"Lyon",
"postalCode":"69001","addressCountry":"France"},"telephone":"","sameAs":""},
"organizer":{"@type":"Person","name":"Maison du v\\u00e9lo","description":"","url":"","telephone":"","email":""},
"offers":{"@type":"Offer","price":"0","priceCurrency":"EUR",
"url":"https:\\/\\/billets.example.org\\/atelier","category":"primary","availability":"inStock"},
"performer":"Organization"}]
</script>
</head><body><article><h1>Atelier vélo</h1></article></body></html>
""".replace("DAY", DAY)

# Yoast/Drupal: one @graph of the page's nodes, the event among them with its own @id; times without offset.
GRAPH = json.dumps({"@context": "https://schema.org", "@graph": [
    {"@type": "WebPage", "@id": "https://asso.example.org/agenda/ag#webpage", "name": "Agenda"},
    {"@type": ["Event", "SocialEvent"], "@id": "https://asso.example.org/agenda/ag#event",
     "name": "Assemblée générale", "startDate": f"{DAY}T18:30", "endDate": f"{DAY}T21:00",
     "description": "Ordre du jour :\n- bilan\n- élections\n\nVenez nombreux !",
     "eventStatus": "https://schema.org/EventCancelled",
     "eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode",
     "keywords": "association, vie locale",
     "location": [{"@type": "VirtualLocation", "url": "https://visio.example.org/ag"},
                  {"@type": "Place", "name": "Salle des fêtes",
                   "address": {"@type": "PostalAddress", "streetAddress": "1 place de la Mairie",
                               "addressLocality": "Rennes", "postalCode": "35000",
                               "addressCountry": {"@type": "Country", "name": "FR"}},
                   "geo": {"@type": "GeoCoordinates", "latitude": "48.1113", "longitude": "-1.6800"}}]},
]}, ensure_ascii=False)
DRUPAL = f"""<!DOCTYPE html><html><head><title>Assemblée générale</title>
<script type="application/ld+json">{GRAPH}</script></head><body><h1>Assemblée générale</h1></body></html>"""

# Gancio's event page: h-event markup (its location an h-adr), times in UTC.
GANCIO = f"""<!DOCTYPE html><html><head><title>Gancio</title></head><body>
<div class="h-event" itemscope itemtype="https://schema.org/Event">
  <h1 class="p-name" itemprop="name">Concert au parc</h1>
  <time class="dt-start" datetime="{DAY}T17:00:00.000Z" itemprop="startDate">samedi 17:00</time>
  <time class="dt-end" datetime="{DAY}T19:30:00.000Z" itemprop="endDate">19:30</time>
  <div class="p-location h-adr" itemprop="location" itemscope itemtype="https://schema.org/Place">
    <a class="p-name" href="/place/parc" itemprop="name">Parc de la Tête d'Or</a>
    <div class="p-street-address" itemprop="address">Boulevard des Belges</div>
    <span class="p-locality">Lyon</span>
  </div>
  <div class="e-content p-description" itemprop="description"><p>Un <strong>concert</strong> gratuit.</p></div>
  <a class="u-url" href="https://gancio.example.org/event/concert-au-parc">lien</a>
  <span class="p-category">musique</span> <span class="p-category">plein air</span>
  <img class="u-photo" src="/media/concert.jpg" alt="">
</div></body></html>"""

# The same event stated twice (JSON-LD and h-event) beside a second one only in microformats.
BOTH = f"""<!DOCTYPE html><html><head>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"MusicEvent","name":"Bal folk",
"startDate":"{DAY}T20:00:00+02:00","location":"Salle Pleyel"}}</script></head><body>
<div class="h-event"><span class="p-name">Bal folk</span>
<time class="dt-start" datetime="{DAY}T20:00:00+02:00">20:00</time></div>
<div class="h-event"><span class="p-name">Stage de danse</span>
<time class="dt-start" datetime="{NEXT_DAY}T10:00:00+02:00">10:00</time>
<a class="u-url" href="/stage">stage</a></div>
</body></html>"""


def agenda(count):
    """A venue's agenda page: count events in one JSON-LD array."""
    events = [{"@context": "https://schema.org", "@type": "Event", "name": f"Soirée {n}", "url": f"/soiree-{n}",
               "startDate": f"{DAY}T20:00:00+02:00"} for n in range(count)]
    return f'<html><head><script type="application/ld+json">{json.dumps(events)}</script></head></html>'


class Site(BaseHTTPRequestHandler):
    """Serves server.pages: {path: (content type, text)}; a path of server.documents ({path: Event})
    as ActivityStreams to whoever asks for it, as HTML to others. Keeps each request's headers."""

    def do_GET(self):
        self.server.requests.append(dict(self.headers))
        document = self.server.documents.get(self.path)
        if document is not None and "activity+json" in self.headers.get("Accept", ""):
            kind, body = "application/activity+json", json.dumps(document).encode()
        elif self.path in self.server.pages:
            kind, text = self.server.pages[self.path]
            body = text if isinstance(text, bytes) else text.encode()
        else:
            kind, body = "text/html", b"<html><body>Not found</body></html>"
            self.send_response(404)
            self._send(kind, body)
            return
        self.send_response(200)
        self._send(kind, body)

    def _send(self, kind, body):
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Served:
    """A running Site: its base URL, what it serves and the headers of the requests it had."""

    def __init__(self, url, pages, documents, requests):
        self.url, self.pages, self.documents, self.requests = url, pages, documents, requests

    def serve(self, path, text, kind="text/html; charset=utf-8"):
        """Serve text at path from now on; its URL."""
        self.pages[path] = (kind, text)
        return self.url + path


@contextmanager
def site(host="127.0.0.1"):
    """A Site on a loopback address for the block: its Served."""
    pages, documents, requests = {}, {}, []
    with loopback_server(Site, host, pages=pages, documents=documents, requests=requests) as url:
        yield Served(url, pages, documents, requests)
