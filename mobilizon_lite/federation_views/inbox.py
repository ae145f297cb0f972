"""Inboxes: the shared one and each identity's, open to signed POSTs from other servers."""
from flask import Blueprint, jsonify, request
from peewee import OperationalError

from ..db import STORAGE_RETRY_AFTER, storage_fault
from ..negotiation import signed_parts
from ..services.identities import public_identity
from ..services.inbound import MAX_BODY, receive

bp = Blueprint("inbox", __name__)


def _receive():
    # Refuse an oversized body before reading it, so a large upload costs nothing.
    if request.content_length is not None and request.content_length > MAX_BODY:
        return jsonify(error="body larger than 1 MiB"), 413
    body = request.stream.read(MAX_BODY + 1)
    method, target, headers = signed_parts()
    outcome = receive(method, target, headers, request.content_type, body)
    return jsonify(status=outcome.message), outcome.status


@bp.errorhandler(OperationalError)
def storage_error(error):
    """A full or read-only disk: nothing was kept, so the sender is asked to try again later."""
    if storage_fault(error) is None:
        raise error
    return jsonify(error="storage unavailable, try again later"), 503, {"Retry-After": str(STORAGE_RETRY_AFTER)}


@bp.route("/inbox", methods=["POST"])
def shared():
    return _receive()


@bp.route("/@<username>/inbox", methods=["POST"])
def personal(username):
    public_identity(username)
    return _receive()
