"""Shared by the schema tests: the document ``/api/schema/`` serves, its schemathesis view, the
demo user each operation is called as, and the fixture that lets WSGI calls share the test's
database connection."""

import json
from contextlib import contextmanager

import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from gridgov.core.access import can
from gridgov.core.access.drf import PUBLIC

# The demo users tried in turn for an operation: the first holding one of its permissions
# calls it (a street leader for anything any signed-in person may call).
CALLERS = ("leader_gulou", "shift_gulou", "clerk_gulou", "dispatch_gulou", "gw_gulou",
           "handler_zhifa", "deptadmin_zhifa", "data_minzheng", "sysadmin", "secadmin",
           "auditadmin", "party_gulou", "member_gulou")
DEFAULT_CALLER = "leader_gulou"


def schema_document() -> dict:
    """The schema exactly as /api/schema/ serves it, generated without a request."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw, renderer_context={}))


DOCUMENT = schema_document()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = sorted((result.ok() for result in SCHEMA.get_all_operations()),
                    key=lambda op: (op.path, op.method))


def operation_id(op) -> str:
    return f"{op.method.upper()} {op.path}"


def permissions_of(method: str, path: str) -> list[str]:
    return DOCUMENT["paths"][path][method.lower()].get("x-permissions", [])


def caller_for(method: str, path: str):
    """The demo user who may call the operation (see ``CALLERS``)."""
    from gridgov.accounts.models import User

    needed = [code for code in permissions_of(method, path) if code != PUBLIC]
    users = {u.username: u for u in User.objects.filter(username__in=CALLERS)}
    if not needed:
        return users[DEFAULT_CALLER]
    for name in CALLERS:
        if can(users[name], *needed):
            return users[name]
    raise AssertionError(f"no demo user may call {method} {path} ({needed})")


@contextmanager
def shared_connection():
    """Calls through the real WSGI handler: its request signals would close the database
    connection (and with it the test's transaction) on PostgreSQL; Django's test client
    unhooks them the same way. Enter it after the last test-client call: the test client
    hooks them back when it is done."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)

EXCHANGE = "sharing.exchange"


def exchange_key(p) -> tuple[str, dict]:
    """The exchange API answers department API keys only: a resource of 区民政局 with a few
    rows, granted to 区综合行政执法局, and that department's key. Returns the resource code
    and the request headers."""
    from django.utils import timezone

    from gridgov.accounts import actions as account_actions
    from gridgov.accounts.models import Department
    from gridgov.sharing import actions
    from gridgov.sharing.models import ResourceRow

    provider, consumer = (Department.objects.get(code=c) for c in ("D016", "D034"))
    resource = actions.publish_resource(
        provider=provider, actor=p["data_officer"], name="高龄老人名册", category="1",
        item="01", catalog="002", abstract="80 周岁以上老人。", format="database",
        update_cycle="monthly", sharing_type="conditional", sharing_method="api",
        sharing_condition="用于履行法定职责",
        fields=[{"name": "name", "label": "姓名", "type": "string"},
                {"name": "age", "label": "年龄", "type": "integer"}])
    ResourceRow.objects.bulk_create(
        ResourceRow(resource=resource, updated_at=timezone.now(),
                    data={"name": f"老人{i}", "age": 80 + i}) for i in range(3))
    request = actions.request_share(resource, purpose="核对", fields=["name", "age"],
                                    actor=p["dept_admin"])
    actions.approve_request(request, actor=p["data_officer"])
    _key, raw = account_actions.issue_api_key(consumer, name="交换", actor=None)
    return resource.code, {"Authorization": f"Api-Key {raw}"}
