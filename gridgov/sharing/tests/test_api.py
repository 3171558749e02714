"""The exchange API: API key only, granted consumers only, granted fields masked per grant,
keyset pages, ``updated_since``, and the evidence of every call."""

import datetime as dt
import hashlib
import json

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.sharing import actions
from gridgov.sharing.models import ExchangeLog, ResourceRow

pytestmark = pytest.mark.django_db


def pull(key, code, **params):
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}
    case = params.pop("case", None)
    if case:
        headers["HTTP_X_CASE_ID"] = case
    response = client.get(f"/api/exchange/resources/{code}/rows/", params, **headers)
    if response.streaming:
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return response, body


def test_granted_fields_only_and_masked(granted, resource, zhifa_key):
    response, body = pull(zhifa_key, resource.code)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(body)
    assert data["fields"] == ["name", "id_number", "age"]
    assert data["count"] == 25 and data["next_cursor"] is None
    first = data["rows"][0]
    assert set(first) == {"name", "id_number", "age"}
    # The sensitive ID number is masked by default; the phone was not granted at all.
    assert first["id_number"] == "330203********2345"
    assert "phone" not in body.decode()
    assert "194501" not in body.decode()


def test_plain_masking_when_granted_plain(resource, dept_admin, data_officer, zhifa_key):
    req = actions.request_share(resource, purpose="送达文书", fields=["name", "phone"],
                                actor=dept_admin)
    actions.approve_request(req, actor=data_officer, masking={"phone": "plain",
                                                              "name": "masked"})
    data = json.loads(pull(zhifa_key, resource.code)[1])
    assert data["rows"][0]["phone"] == "13800000000"
    assert data["rows"][0]["name"] == "老***0"


def test_keyset_pages_cover_every_row_once(granted, resource, zhifa_key):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        data = json.loads(pull(zhifa_key, resource.code, **params)[1])
        seen += [row["name"] for row in data["rows"]]
        pages += 1
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert pages == 7
    assert sorted(seen) == sorted(f"老人{i:03d}" for i in range(25))
    assert len(seen) == len(set(seen))


def test_cursor_survives_new_rows(granted, resource, zhifa_key):
    first = json.loads(pull(zhifa_key, resource.code, limit=10)[1])
    # A row changed after the first page moves to the end of the keyset, it is not lost.
    row = ResourceRow.objects.filter(resource=resource).order_by("updated_at", "id").first()
    ResourceRow.objects.filter(pk=row.pk).update(updated_at=timezone.now())
    rest = json.loads(pull(zhifa_key, resource.code, limit=100,
                           cursor=first["next_cursor"])[1])
    assert [r["name"] for r in rest["rows"]][-1] == row.data["name"]
    assert rest["count"] == 16


def test_updated_since(granted, resource, zhifa_key):
    ResourceRow.objects.filter(resource=resource, data__name="老人007").update(
        updated_at=timezone.now())
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    data = json.loads(pull(zhifa_key, resource.code, updated_since=since)[1])
    assert [r["name"] for r in data["rows"]] == ["老人007"]


@pytest.mark.parametrize("params,field", [
    ({"limit": 0}, "limit"), ({"limit": "x"}, "limit"), ({"limit": 50001}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"), ({"updated_since": "yesterday"}, "updated_since"),
])
def test_bad_parameters_name_the_field(granted, resource, zhifa_key, params, field):
    response, body = pull(zhifa_key, resource.code, **params)
    assert response.status_code == 400
    assert json.loads(body)["errors"][0]["field"] == field


def test_every_call_is_evidence(granted, resource, zhifa_key, zhifa, minzheng):
    response, body = pull(zhifa_key, resource.code, limit=5, case="SJ-2026-0001")
    log = ExchangeLog.objects.get()
    assert log.consumer == zhifa and log.provider == minzheng and log.resource == resource
    assert log.row_count == 5
    assert log.case_id == "SJ-2026-0001"
    assert log.response_sha256 == hashlib.sha256(body).hexdigest()
    assert log.request_id == response["X-Request-ID"]
    assert log.grant == granted
    audit = AuditRecord.objects.filter(action="sharing.exchange").get()
    assert audit.object_id == str(log.pk)
    with pytest.raises(ValueError):
        log.save()


def test_session_users_and_missing_keys_are_refused(client_as, dept_admin, granted, resource):
    assert pull(None, resource.code)[0].status_code == 401
    assert pull("gg_unknown", resource.code)[0].status_code == 401
    response = client_as(dept_admin).get(f"/api/exchange/resources/{resource.code}/rows/")
    assert response.status_code == 401


def test_not_granted_is_403_and_unknown_is_404(resource, zhifa_key):
    assert pull(zhifa_key, resource.code)[0].status_code == 403
    assert pull(zhifa_key, "NO-SUCH-CODE")[0].status_code == 404
    assert not ExchangeLog.objects.exists()


def test_revoked_grant_is_403(granted, resource, zhifa_key, data_officer):
    assert pull(zhifa_key, resource.code)[0].status_code == 200
    actions.revoke_grant(granted, reason="用途已完成", actor=data_officer)
    response, body = pull(zhifa_key, resource.code)
    assert response.status_code == 403
    assert json.loads(body)["errors"][0]["message"]


def test_query_count_is_constant(granted, resource, zhifa_key, django_assert_max_num_queries):
    ResourceRow.objects.bulk_create(
        ResourceRow(resource=resource, data={"name": f"新{i}", "id_number": "", "age": 90})
        for i in range(300)
    )
    with django_assert_max_num_queries(16):
        response, _body = pull(zhifa_key, resource.code, limit=1000)
    assert response.status_code == 200
