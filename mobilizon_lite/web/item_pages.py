"""Where this instance shows what a report names."""
from flask import url_for


def page_of(found):
    """Where this instance shows what a Reportable is (its own server's page for a remote identity or post)."""
    row = found.row
    if found.kind == "event":
        return url_for("events.show", uuid=row.uuid)
    if found.kind == "comment":
        return url_for("events.show", uuid=row.event.uuid, _anchor=f"comment-{row.id}")
    if found.kind == "post":
        return url_for("posts.show", slug=row.slug) if found.domain is None else row.ap_id
    if found.domain is None or found.kind == "group":
        return url_for("pages.profile", username=row.handle)
    return row.ap_id
