"""/api/notifications/: the caller's own notifications; mark one or all read."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.api import ScopedViewSetMixin
from gridgov.core.querysets import VIEW

from .. import actions
from ..filtersets import NotificationFilterSet
from ..models import Notification
from .serializers import MarkedSerializer, NotificationSerializer


class NotificationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """The signed-in person's notifications (only their own; others' are 404)."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    # A notification is personal: no permission is needed to read or mark one's own, and a
    # principal without a user (an API client) has none (``Notification.restrict_q``).
    required_permission = ()

    def scope_action(self):
        # Marking read is the recipient's own business: the view scope (own rows) decides.
        return VIEW

    def get_queryset(self):
        return super().get_queryset().select_related("event")

    @extend_schema(summary="标为已读", request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = actions.mark_read(self.get_object(), actor=request.user)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(summary="全部标为已读", request=None, responses={200: MarkedSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": actions.mark_all_read(actor=request.user)})
