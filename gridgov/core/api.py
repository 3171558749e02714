"""API building blocks: the scoped base viewsets, ``ActionViewSet`` and the error shape.

Errors are ``{"errors": [{"field": ..., "code": ..., "message": ...}]}`` with HTTP 400 for bad
input, so a client always learns which field was wrong and why.
"""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
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
        # A ValidationError raised without a code (a filter's validator) still answers one.
        code = getattr(detail, "code", None) or "invalid"
        yield {"field": field, "code": code, "message": str(detail)}


def exception_handler(exc, context):
    if isinstance(exc, RecursionError):
        from .middleware import from_json_decoding, too_deep_error

        if from_json_decoding(exc):
            # A view with DRF's own JSONParser: the body was nested too deeply to decode.
            exc = too_deep_error()
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        # Same {"errors": [...]} shape for "not found / out of scope" as for every other error.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, exceptions.Throttled) and exc.wait:
        exc = _throttled(exc.wait)
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        exc = _counted_refusal(exc, context)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        response.data = {"errors": list(_flatten(exc.detail))}
    _errors_as_json(context.get("request"))
    return response


def _errors_as_json(request) -> None:
    """An error list is JSON (``application/json``, as the schema says), also on an endpoint
    whose answers are another type (GeoJSON), and when the renderer was never chosen (an
    unknown ``?format=``): the first renderer would label the error list as its own type.
    The browsable API keeps its HTML page."""
    if request is None:
        return
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and getattr(renderer, "format", None) in ("json", "api"):
        return
    request.accepted_renderer = JSONRenderer()
    request.accepted_media_type = JSONRenderer.media_type


def _throttled(wait) -> exceptions.Throttled:
    """429 over a limit of ``gridgov.core.api_throttle``, said in one language: DRF appends
    an untranslated "Expected available in …" to its own text. ``wait`` still gives the
    Retry-After header."""
    seconds = math.ceil(wait)
    exc = exceptions.Throttled(detail=_("请求过于频繁,请 %(s)d 秒后再试。") % {"s": seconds})
    exc.wait = seconds
    return exc


def _counted_refusal(exc, context):
    """A request refused for its credentials (none, or a made-up key or token) never reaches
    the throttles: DRF runs them after authentication and the permission check. Count it here
    under the anonymous rate of its address (``GRIDGOV_RATE_API_ANON``), so guessing keys and
    tokens, or hammering the API without any, is held to that rate like any other anonymous
    call; over it the answer is 429 with Retry-After instead of 401."""
    from . import throttle

    request = context.get("request") if context else None
    decision = throttle.check("api-anon", throttle.client_address(request))
    return exc if decision.allowed else _throttled(decision.retry_after)


class Unprocessable(exceptions.APIException):
    """422: the request is well formed but cannot be taken as it is (an idempotency key reused
    with another body, IETF draft "The Idempotency-Key HTTP Header Field")."""

    status_code = 422
    default_detail = "Unprocessable request."
    default_code = "unprocessable"


def json_errors(errors, status: int = 400) -> JsonResponse:
    """The shared error shape for plain Django views that answer JSON (maps, outlines):
    ``errors`` is a ValidationError, a form's ``errors`` or a ``{field: [messages]}`` dict."""
    if isinstance(errors, DjangoValidationError):
        errors = errors.message_dict if hasattr(errors, "error_dict") else {None: errors.messages}
    items = [{"field": field, "code": getattr(message, "code", None) or "invalid",
              "message": str(message)}
             for field, messages in errors.items() for message in messages]
    return JsonResponse({"errors": items}, status=status,
                        json_dumps_params={"ensure_ascii": False})


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


class ActionViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """A viewset whose writes are: input, then the action, then the output.

    - the input is validated by ``input_serializer_class`` (bad input: 400 with the field and
      the reason, in the shared error shape);
    - the action is a verb of the app's ``actions`` module; it checks the permission and the
      scope itself and raises ``ValidationError`` / ``PermissionDenied`` (400 / 403 here);
    - the output is ``serializer_class`` of what the action returned.

    Set ``create_action = staticmethod(actions.collect_x)`` (called as
    ``create_action(**data, actor=user)``) and/or ``update_action`` (called as
    ``update_action(instance, **data, actor=user)``); for anything else call ``self.run()``
    from an ``@action`` method.
    """

    input_serializer_class = None
    update_input_serializer_class = None
    create_action = None
    update_action = None

    def get_input_serializer(self, *, partial=False, **kwargs):
        cls = (self.update_input_serializer_class if partial and self.update_input_serializer_class
               else self.input_serializer_class)
        return cls(data=self.request.data, partial=partial,
                   context=self.get_serializer_context(), **kwargs)

    def read_input(self, *, partial=False) -> dict:
        serializer = self.get_input_serializer(partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def respond(self, obj, *, status=200, serializer_class=None):
        cls = serializer_class or self.get_serializer_class()
        return Response(cls(obj, context=self.get_serializer_context()).data, status=status)

    def run(self, call, *, status=200, partial=False, serializer_class=None):
        """Validate the input, call ``call(data)`` (the action) and answer with its result."""
        data = self.read_input(partial=partial) if self.input_serializer_class else {}
        return self.respond(call(data), status=status, serializer_class=serializer_class)

    def create(self, request, *args, **kwargs):
        if self.create_action is None:
            raise exceptions.MethodNotAllowed(request.method)
        return self.run(lambda data: self.create_action(**data, actor=request.user),
                        status=201)

    def partial_update(self, request, *args, **kwargs):
        if self.update_action is None:
            raise exceptions.MethodNotAllowed(request.method)
        instance = self.get_object()
        return self.run(lambda data: self.update_action(instance, **data, actor=request.user),
                        partial=True)
