"""The proactive API under /api/v1/proactive/: service tasks (list, detail, close),
benefits (list, detail), consents (list, create)."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action

from gridgov.core.api import ActionViewSet, ScopedReadOnlyViewSet

from .. import actions
from ..filtersets import BenefitFilterSet, ConsentFilterSet, ServiceTaskFilterSet
from ..models import Benefit, Consent, ServiceTask
from ..permissions import BENEFITS, CONSENT, VIEW, WORK
from .serializers import (
    BenefitSerializer,
    ConsentRecordSerializer,
    ConsentSerializer,
    ServiceTaskCloseSerializer,
    ServiceTaskSerializer,
)


# Tasks come from the rules, never from a POST on the list (ActionViewSet answers 405).
@extend_schema_view(create=extend_schema(exclude=True))
class ServiceTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """服务任务: the proactive tasks inside the caller's areas (and of their department);
    ``close`` finishes one with a note (and optionally the visit that served it)."""

    queryset = ServiceTask.objects.select_related("person", "assignee", "department",
                                                  "firing__rule")
    serializer_class = ServiceTaskSerializer
    input_serializer_class = ServiceTaskCloseSerializer
    filterset_class = ServiceTaskFilterSet
    required_permissions = {"list": VIEW, "retrieve": VIEW, "close": WORK}
    reads_narrowed_by_scope = True
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(summary="办结服务任务", request=ServiceTaskCloseSerializer,
                   responses={200: ServiceTaskSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        task = self.get_object()
        data = self.read_input()
        visit = None
        if data.get("visit"):
            from gridgov.visits.models import Visit

            visit = Visit.objects.restrict(request.user, "view").filter(
                pk=data["visit"]).first()
            if visit is None:
                raise ValidationError({"visit": _("没有这个走访记录。")})
        task = actions.close_task(task, actor=request.user, note=data["note"], visit=visit)
        return self.respond(self.get_queryset().get(pk=task.pk))


class BenefitViewSet(ScopedReadOnlyViewSet):
    """待遇: the benefits of the people inside the caller's areas (免申即享 and the roll)."""

    queryset = Benefit.objects.select_related("person", "tier")
    serializer_class = BenefitSerializer
    filterset_class = BenefitFilterSet
    required_permission = BENEFITS
    reads_narrowed_by_scope = True


class ConsentViewSet(mixins.ListModelMixin, ActionViewSet):
    """短信告知意愿: the history per person (``latest=true``: the row that counts);
    create records a new answer."""

    queryset = Consent.objects.select_related("recorded_by")
    serializer_class = ConsentSerializer
    input_serializer_class = ConsentRecordSerializer
    filterset_class = ConsentFilterSet
    required_permissions = {"list": VIEW, "create": CONSENT}
    reads_narrowed_by_scope = True
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(summary="登记短信告知意愿", request=ConsentRecordSerializer,
                   responses={201: ConsentSerializer})
    def create(self, request, *args, **kwargs):
        from gridgov.basedata.models import Person

        data = self.read_input()
        person = get_object_or_404(Person.objects.restrict(request.user, "view"),
                                   pk=data.pop("person"))
        consent = actions.record_consent(person, actor=request.user, **data)
        return self.respond(self.get_queryset().get(pk=consent.pk),
                            status=status.HTTP_201_CREATED)
