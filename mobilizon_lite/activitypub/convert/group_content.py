"""The opening every document of a group's content shares in Mobilizon's shapes."""
from ..vocab import CONTEXT


def group_content_to_ap(kind, object_id, actor_id, **fields):
    """A document of a group's content: its type, its id and the actor who made it, then the fields of
    its kind."""
    return {"@context": CONTEXT, "type": kind, "id": object_id, "actor": actor_id, **fields}
