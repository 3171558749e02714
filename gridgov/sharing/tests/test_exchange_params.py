"""The exchange evidence keeps what was asked but no plain ID number or phone: the values
asked of personal fields are masked, and so is every such number anywhere in ``params``;
migration 0002 masks the evidence kept before (issue 9, item 6)."""

import importlib
import json

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from gridgov.audit.models import AuditRecord
from gridgov.sharing import actions
from gridgov.sharing.models import ExchangeLog

pytestmark = pytest.mark.django_db

ID_A = "33020319400101123X"
MASK_A = "330203********123X"
mask_migration = importlib.import_module("gridgov.sharing.migrations.0002_mask_exchange_params")


@pytest.fixture
def plain_grant(resource, dept_admin, data_officer):
    """The ID number granted plain: the consumer may filter and search on it."""
    req = actions.request_share(resource, purpose="送达文书", fields=["name", "id_number", "age"],
                                actor=dept_admin)
    return actions.approve_request(req, actor=data_officer, masking={"id_number": "plain"})


def _raw_params(log) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT params FROM sharing_exchangelog WHERE id = %s", [log.pk])
        return str(cursor.fetchone()[0])


def test_a_ckan_search_by_id_number_leaves_only_its_mask(resource, plain_grant, zhifa_key):
    response = Client().get("/api/3/action/datastore_search", {
        "resource_id": str(resource.table_uid), "filters": json.dumps({"id_number": ID_A}),
        "q": ID_A}, HTTP_AUTHORIZATION=zhifa_key)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and json.loads(body)["result"]["records"]
    log = ExchangeLog.objects.latest("pk")
    assert ID_A not in _raw_params(log)
    assert log.params["filters"] == {"id_number": MASK_A}
    assert log.params["q"] == MASK_A and log.params["limit"] == 100


def test_log_exchange_masks_personal_fields_and_numbers_anywhere(resource, granted):
    log = actions.log_exchange(
        actor=None, resource=resource, grant=granted, channel="exchange", request_id="r1",
        case_id="", row_count=0, sha256="0" * 64,
        params={"filters": {"phone": "13800000001", "name": "张三"},
                "q": {"name": "联系 13912345678"}, "sort": "age", "limit": 5,
                "cursor": "WyIyMDI2LTEyLTAxVDAwOjAwOjAwIiwgMTIzNDU2Nzg5XQ"})
    raw = _raw_params(log)
    assert "13800000001" not in raw and "13912345678" not in raw
    assert log.params["filters"] == {"phone": "138****0001", "name": "张三"}
    assert log.params["q"] == {"name": "联系 139****5678"}
    # What is not a number standing on its own is kept as asked.
    assert log.params["sort"] == "age" and log.params["limit"] == 5
    assert log.params["cursor"] == "WyIyMDI2LTEyLTAxVDAwOjAwOjAwIiwgMTIzNDU2Nzg5XQ"


def test_migration_0002_masks_the_evidence_kept_before(resource, granted):
    # Evidence as it was kept before (bulk_create skips save(), as the old code did not mask).
    old = ExchangeLog.objects.bulk_create([ExchangeLog(
        consumer_id=granted.consumer_id, provider_id=resource.provider_id, resource=resource,
        grant=granted, channel="ckan", request_id="old", row_count=1,
        response_sha256="1" * 64,
        params={"filters": {"id_number": ID_A}, "q": ID_A, "limit": 10})])[0]
    assert ID_A in _raw_params(old)
    mark = AuditRecord.objects.count()
    mask_migration.forward(apps, None)
    old.refresh_from_db()
    assert ID_A not in _raw_params(old)
    assert old.params == {"filters": {"id_number": MASK_A}, "q": MASK_A, "limit": 10}
    rec = AuditRecord.objects.get(pk__gt=0, action="sharing.mask_exchange_params")
    assert AuditRecord.objects.count() == mark + 1 and rec.changes["masked"][1] >= 1
    # Run again: nothing left to mask, nothing recorded.
    mask_migration.forward(apps, None)
    assert AuditRecord.objects.count() == mark + 1
