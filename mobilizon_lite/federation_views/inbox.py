"""Inboxes: the shared one and each identity's and group's, open to signed POSTs from other servers."""
from flask import Blueprint, current_app, jsonify, request

from ..activitypub.inbox_request import MAX_BODY, Refused, check_signed, read_activity, refuse_blocked
from ..db import STORAGE_ERRORS, STORAGE_RETRY_AFTER, storage_fault
from ..negotiation import signed_parts
from ..services import inbound
from ..services.groups import page_owner

bp = Blueprint("inbox", __name__)


def _receive():
    # Refuse an oversized body before reading it, so a large upload costs nothing.
    if request.content_length is not None and request.content_length > MAX_BODY:
        return jsonify(error="body larger than 1 MiB"), 413
    body = request.stream.read(MAX_BODY + 1)
    method, target, headers = signed_parts()
    try:
        activity = read_activity(request.content_type, body)
        refuse_blocked(headers, activity)
        if inbound.deletes_unknown_actor(activity):
            return jsonify(status="unknown actor deleted"), 202
        keys = inbound.SenderKeys()
        verified = check_signed(method, target, headers, body, activity, keys.key_for, current_app.config["BASE_URL"])
    except Refused as refusal:
        return jsonify(status=refusal.reason), refusal.status
    # Handled later by the scheduler's job: the sender waits for nothing but the storing.
    return jsonify(status=inbound.store(activity, keys.sender(verified.key_id)).reason), 202


def storage_error(error):
    """A full or read-only disk: nothing was kept, so the sender is asked to try again later."""
    if storage_fault(error) is None:
        raise error
    return jsonify(error="storage unavailable, try again later"), 503, {"Retry-After": str(STORAGE_RETRY_AFTER)}


for _kind in STORAGE_ERRORS:
    bp.register_error_handler(_kind, storage_error)


@bp.route("/inbox", methods=["POST"])
def shared():
    return _receive()


@bp.route("/@<username>/inbox", methods=["POST"])
def personal(username):
    page_owner(username)
    return _receive()
