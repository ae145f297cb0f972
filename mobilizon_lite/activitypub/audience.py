"""Who receives an activity: distinct inbox URLs, each server's shared inbox preferred."""


def inboxes(actors):
    """Distinct inboxes of remote actors (shared inbox preferred); local and unreachable ones skipped."""
    seen = {}
    for actor in actors:
        if actor.domain is None or actor.deleted_at is not None:
            continue
        inbox = actor.shared_inbox or actor.inbox
        if inbox:
            seen.setdefault(inbox, actor.domain)
    return seen
