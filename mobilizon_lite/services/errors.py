"""Exceptions raised by services; the web layer maps them to 4xx answers."""


class ServiceError(Exception):
    """Base of every refusal a service can give; the message is meant for people."""

    status_code = 400

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(ServiceError):
    """The input breaks a rule; field names the form field at fault, when there is one."""


class InvalidFields(Invalid):
    """Several fields break rules at once; errors maps each field name to its message."""

    def __init__(self, errors):
        super().__init__(next(iter(errors.values())), next(iter(errors)))
        self.errors = errors


class PermissionDenied(ServiceError):
    """The actor may not do this."""

    status_code = 403


class Full(PermissionDenied):
    """No seat is left (and no waiting list): a conflict with the event's state, which pages say in place."""

    status_code = 409


class RegistrationsElsewhere(PermissionDenied):
    """The event's server takes no registrations from other servers: people register on its own page."""


class NotFound(ServiceError):
    """The thing does not exist, or the actor may not know that it does."""

    status_code = 404


class Gone(NotFound):
    """The thing was public and is deleted: other servers and caches should forget it."""

    status_code = 410


class TooMany(ServiceError):
    """Too many attempts or creations in a short time; retry_after says in how many seconds to try again."""

    status_code = 429

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


def refusal(check, *args):
    """The message check(*args) refuses with, or None when it allows: pages offer what the
    actions themselves will allow by asking the checks those actions make."""
    try:
        check(*args)
    except ServiceError as error:
        return error.message
    return None
