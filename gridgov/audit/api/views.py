"""``/api/audit/records/``: the audit log for the audit administrator, read-only."""

from rest_framework import exceptions, viewsets

from gridgov.core.api import ScopedViewSetMixin

from ..filtersets import AuditRecordFilterSet
from ..models import AuditRecord
from .serializers import AuditRecordSerializer


class AuditRecordViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and read audit records (newest first), filtered like the audit log page.

    Only holders of "audit.view_log" (the audit administrator) read the log; for everybody
    else, the API key clients included, the endpoint answers 404 as if it did not exist.
    There is no write route.
    """

    required_permission = "audit.view_log"
    queryset = AuditRecord.objects.order_by("-id")
    serializer_class = AuditRecordSerializer
    filterset_class = AuditRecordFilterSet

    def permission_denied(self, request, message=None, code=None):
        # Signed in without the permission: the log does not admit it exists.
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated()
        raise exceptions.NotFound()
