"""CKAN's errors: each status has its ``__type`` (``{"__type": "Not Found Error", ...}``)."""

from gridgov.protocols.common import ProtocolError

TYPES = {400: "Bad Request", 403: "Authorization Error", 404: "Not Found Error",
         409: "Validation Error", 429: "Too Many Requests"}
# CKAN answers invalid input with 409 where most APIs say 400.
INVALID_STATUS = 409


class CkanError(ProtocolError):
    """An error answered in CKAN's shape (400 Bad Request unless a subclass says)."""

    status = 400

    def __init__(self, message, fields=None):
        super().__init__(type(self).status, message, fields=fields)


class NotFound(CkanError):
    status = 404


class Invalid(CkanError):
    status = INVALID_STATUS


class NotAuthorized(CkanError):
    status = 403


def error_type(error: ProtocolError) -> str:
    return TYPES.get(error.status, TYPES[400])
