"""API building blocks: the scoped base viewset and the error shape.

Errors are ``{"errors": [{"field": ..., "code": ..., "message": ...}]}`` with HTTP 400 for bad
input, so a client always learns which field was wrong and why.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from .querysets import CHANGE, VIEW

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _flatten(detail, field=None):
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if field is None else f"{field}.{key}"
            if key == "non_field_errors":
                name = field
            yield from _flatten(value, name)
    elif isinstance(detail, list):
        for value in detail:
            yield from _flatten(value, field)
    else:
        code = getattr(detail, "code", "invalid")
        yield {"field": field, "code": code, "message": str(detail)}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        # Same {"errors": [...]} shape for "not found / out of scope" as for every other error.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        response.data = {"errors": list(_flatten(exc.detail))}
    return response


class ScopedViewSetMixin:
    """Reads through ``Model.objects.restrict(user, action)``: out of scope is 404."""

    queryset = None

    def scope_action(self) -> str:
        return VIEW if self.request.method in SAFE_METHODS else CHANGE

    def get_queryset(self):
        base = self.queryset if self.queryset is not None else self.model.objects.all()
        return base.restrict(self.request.user, self.scope_action())


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
