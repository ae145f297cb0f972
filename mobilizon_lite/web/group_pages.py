"""What the members-only pages of a group share (resources, todo lists): who may open them, and the
ActivityStreams documents the same addresses give members' servers."""
from flask import abort, request

from ..negotiation import activity_response, signed_parts
from ..services import actors, resources
from ..urls import whole_number
from .context import account_identities, current_identity


def member_of(username):
    """(group, identity acting in it) for a member's account; 404 for everyone else."""
    return resources.members_group(username, account_identities(), current_identity())


def readers():
    """Who a document is asked for: the signer of a signed fetch, else the logged-in account's identities."""
    requester = actors.signed_requester(*signed_parts())
    return [requester] if requester is not None else account_identities()


def collection_page():
    """The collection page a query asks for, None for the collection itself; 400 for anything else."""
    value = request.args.get("page")
    if value is None:
        return None
    number = whole_number(value, digits=6)
    if not number:
        abort(400)
    return number


def member_document(document):
    """A document whose content depends on who asks: no cache may hand it to someone else."""
    response = activity_response(document)
    response.headers["Cache-Control"] = "no-store"
    return response
