"""The NodeInfo 2.0 and 2.1 JSON schemas (draft 4), written out from the NodeInfo specification
(nodeinfo.diaspora.software) for strict validation of our documents with the jsonschema library."""

PROTOCOLS = ["activitypub", "buddycloud", "dfrn", "diaspora", "libertree", "ostatus", "pumpio", "tent", "xmpp",
             "zot"]
INBOUND = ["atom1.0", "gnusocial", "imap", "pnut", "pop3", "pumpio", "rss2.0", "twitter"]
OUTBOUND = ["acropolis", "atom1.0", "blogger", "buddycloud", "diaspora", "dreamwidth", "drupal", "facebook",
            "friendica", "gnusocial", "google", "insanejournal", "libertree", "linkedin", "livejournal",
            "mediagoblin", "myspace", "pinterest", "pnut", "posterous", "pumpio", "redmatrix", "rss2.0", "smtp",
            "tent", "tumblr", "twitter", "wordpress", "xmpp"]


def _count():
    return {"type": "integer", "minimum": 0}


def schema(version):
    """The schema of NodeInfo `version` ("2.0" or "2.1"); 2.1 adds the software's repository and homepage."""
    software = {"name": {"type": "string", "pattern": "^[a-z0-9-]+$"}, "version": {"type": "string"}}
    if version == "2.1":
        software.update(repository={"type": "string"}, homepage={"type": "string"})
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "id": f"http://nodeinfo.diaspora.software/ns/schema/{version}#",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "software", "protocols", "services", "openRegistrations", "usage", "metadata"],
        "properties": {
            "version": {"enum": [version]},
            "software": {"type": "object", "additionalProperties": False, "required": ["name", "version"],
                         "properties": software},
            "protocols": {"type": "array", "minItems": 1, "items": {"enum": PROTOCOLS}},
            "services": {
                "type": "object", "additionalProperties": False, "required": ["inbound", "outbound"],
                "properties": {"inbound": {"type": "array", "minItems": 0, "items": {"enum": INBOUND}},
                               "outbound": {"type": "array", "minItems": 0, "items": {"enum": OUTBOUND}}},
            },
            "openRegistrations": {"type": "boolean"},
            "usage": {
                "type": "object", "additionalProperties": False, "required": ["users"],
                "properties": {
                    "users": {"type": "object", "additionalProperties": False,
                              "properties": {"total": _count(), "activeHalfyear": _count(),
                                             "activeMonth": _count()}},
                    "localPosts": _count(),
                    "localComments": _count(),
                },
            },
            "metadata": {"type": "object", "minProperties": 0, "additionalProperties": True},
        },
    }
