"""``/api/audit/records/``: the audit log for the audit administrator, read-only."""

from django.http import Http404
from rest_framework import viewsets

from gridgov.core.access import get_scope
from gridgov.core.api import ScopedViewSetMixin

from ..filtersets import AuditRecordFilterSet
from ..models import AuditRecord
from .serializers import AuditRecordSerializer


class AuditRecordViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and read audit records (newest first), filtered like the audit log page.

    Only the audit administrator reads the log; for everybody else, the API key clients
    included, the endpoint answers 404 as if it did not exist. There is no write route.
    """

    queryset = AuditRecord.objects.order_by("-id")
    serializer_class = AuditRecordSerializer
    filterset_class = AuditRecordFilterSet

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not AuditRecord.can_read(get_scope(request.user)):
            raise Http404
