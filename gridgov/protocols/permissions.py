"""What the protocol adapters check. Department API keys (the ``api_client`` role) hold both
by default, which is what the adapters allowed before permissions were data."""

from django.utils.translation import gettext_lazy as _

from gridgov.core.access import PermissionSpec

API_CLIENT = "api_client"

PERMISSIONS = [
    # CKAN datastore_search (and the OGC API's items next): rows of a resource the caller's
    # department holds an active grant on; the grant still decides which fields.
    PermissionSpec("protocols.read_rows", _("通过开放协议读取已授权的数据行"), {API_CLIENT}),
    PermissionSpec("protocols.open311_report", _("通过 Open311 上报服务请求"), {API_CLIENT}),
]
