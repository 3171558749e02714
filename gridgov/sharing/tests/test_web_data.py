"""Granted data on the web: preview and CSV / Excel downloads show exactly what the exchange
API sends for the same grant, each is an exchange with its evidence and audit record, and
nobody without a grant (or the provider itself) reads anything."""

import csv
import io
import json

import openpyxl
import pytest
from django.test import Client

from gridgov.accounts import actions as account_actions
from gridgov.accounts.models import Department
from gridgov.audit.models import AuditRecord
from gridgov.sharing.choices import ExchangeChannel
from gridgov.sharing.models import ExchangeLog, ResourceRow

pytestmark = pytest.mark.django_db


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def api_rows(key, code) -> list[dict]:
    response = Client().get(f"/api/exchange/resources/{code}/rows/", {"limit": 50000},
                            HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 200
    return json.loads(body_of(response))["rows"]


def url(resource, suffix=""):
    return f"/sharing/resources/{resource.code}/data/{suffix}"


@pytest.fixture
def outsider(db):
    """The data officer of 区卫健局, which holds no grant."""
    from gridgov.areas.models import Area

    user = account_actions.create_user(username="data_weijian2", real_name="测试", actor=None,
                                       password="Haishu#2026!x",
                                       department=Department.objects.get(code="D028"))
    account_actions.assign_role(user, "data_officer", Area.objects.get(code="330203"),
                                actor=None)
    return user


def test_preview_shows_only_granted_fields_masked(client_as, dept_admin, granted, resource):
    response = client_as(dept_admin).get(url(resource), {"case_id": "E2026-0001",
                                                         "purpose": "核对当事人"})
    assert response.status_code == 200
    text = response.text
    # Labels, not keys; the granted ones only.
    assert "姓名" in text and "身份证号" in text and "年龄" in text
    assert "手机号" not in text and "13800000" not in text
    assert "330203********2345" in text and "330203194501012345" not in text
    assert "老人000" in text and "老人024" in text
    assert "no-store" in response["Cache-Control"]
    log = ExchangeLog.objects.get()
    assert log.channel == ExchangeChannel.WEB and log.grant == granted
    assert log.case_id == "E2026-0001" and log.row_count == 25
    assert log.params["view"] == "preview" and log.params["purpose"] == "核对当事人"
    assert AuditRecord.objects.filter(action="sharing.exchange", object_id=str(log.pk)).exists()


def test_preview_pages_by_cursor(client_as, dept_admin, granted, data_officer, minzheng):
    from .conftest import make_resource

    big = make_resource(minzheng, data_officer, rows=60, name="名册二", catalog="009",
                        sharing_type="unconditional")
    from gridgov.sharing import actions

    actions.request_share(big, purpose="核对", fields=["name", "age"], actor=dept_admin)
    client = client_as(dept_admin)
    first = client.get(url(big))
    assert first.status_code == 200 and "下一页" in first.text
    cursor = first.context["next_cursor"]
    second = client.get(url(big), {"cursor": cursor})
    assert second.status_code == 200 and len(second.context["rows"]) == 10
    assert ExchangeLog.objects.filter(resource=big).count() == 2
    assert client.get(url(big), {"cursor": "nonsense"}).status_code == 400


def test_csv_download_equals_api_rows(client_as, dept_admin, granted, resource, zhifa_key):
    response = client_as(dept_admin).get(url(resource, "download/"), {"fmt": "csv",
                                                                      "case_id": "E1"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = body_of(response)
    assert body.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == ["姓名", "身份证号(脱敏)", "年龄"]
    expected = [[str(r["name"]), r["id_number"], str(r["age"])]
                for r in api_rows(zhifa_key, resource.code)]
    assert table[1:] == expected and len(expected) == 25
    logs = ExchangeLog.objects.filter(channel=ExchangeChannel.WEB)
    assert logs.count() == 1
    log = logs.get()
    assert log.row_count == 25 and log.params["format"] == "csv" and log.case_id == "E1"
    import hashlib

    assert log.response_sha256 == hashlib.sha256(body).hexdigest()


def test_xlsx_download_equals_api_rows(client_as, dept_admin, granted, resource, zhifa_key):
    response = client_as(dept_admin).get(url(resource, "download/"), {"fmt": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(body_of(response)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("姓名", "身份证号(脱敏)", "年龄")
    expected = [(r["name"], r["id_number"], r["age"]) for r in api_rows(zhifa_key, resource.code)]
    assert rows[1:] == expected
    assert book.worksheets[1]["B2"].value == "name"
    assert ExchangeLog.objects.filter(channel=ExchangeChannel.WEB, row_count=25).count() == 1


def test_download_neutralises_formulas(client_as, dept_admin, granted, resource):
    ResourceRow.objects.filter(resource=resource).update(data={
        "name": '=HYPERLINK("http://evil","x")', "id_number": "330203194501012345",
        "phone": "13800000000", "age": -5, "living_alone": False})
    client = client_as(dept_admin)
    text = body_of(client.get(url(resource, "download/"), {"fmt": "csv"})).decode("utf-8-sig")
    first = list(csv.reader(io.StringIO(text)))[1]
    assert first[0] == "'=HYPERLINK(\"http://evil\",\"x\")" and first[2] == "-5"
    book = openpyxl.load_workbook(io.BytesIO(body_of(
        client.get(url(resource, "download/"), {"fmt": "xlsx"}))))
    cell = book.worksheets[0]["A2"]
    assert cell.value.startswith("'=") and cell.data_type == "s"
    assert book.worksheets[0]["C2"].value == -5


def test_download_over_the_cap_is_refused(client_as, dept_admin, granted, resource, settings):
    settings.GRIDGOV_SHARING_DOWNLOAD_MAX_ROWS = 10
    response = client_as(dept_admin).get(url(resource, "download/"), {"fmt": "csv"})
    assert response.status_code == 400
    assert "超过网页下载上限 10 行" in response.text
    assert not ExchangeLog.objects.exists()
    bad = client_as(dept_admin).get(url(resource, "download/"), {"fmt": "pdf"})
    assert bad.status_code == 400 and "CSV 或 Excel" in bad.text


def test_without_grant_404(client_as, outsider, resource, dept_admin, dept_handler):
    client = client_as(outsider)
    assert client.get(url(resource)).status_code == 404
    assert client.get(url(resource, "download/"), {"fmt": "csv"}).status_code == 404
    # The consuming department before its grant: 404 too.
    assert client_as(dept_admin).get(url(resource)).status_code == 404
    # A handler does not hold sharing.use_data.
    assert client_as(dept_handler).get(url(resource)).status_code == 403
    assert not ExchangeLog.objects.exists()


def test_revoked_grant_404(client_as, dept_admin, granted, resource, data_officer):
    from gridgov.sharing import actions

    actions.revoke_grant(granted, reason="到期", actor=data_officer)
    assert client_as(dept_admin).get(url(resource)).status_code == 404


def test_provider_reads_own_resource_masked(client_as, data_officer, resource):
    response = client_as(data_officer).get(url(resource))
    assert response.status_code == 200
    # Every field, the sensitive ones masked (as CKAN's datastore shows the provider).
    assert "手机号" in response.text and "独居" in response.text
    assert "13800000001" not in response.text and "330203194501012345" not in response.text
    log = ExchangeLog.objects.get()
    assert log.grant is None and log.consumer_id == resource.provider_id


def test_resource_page_links_and_labels(client_as, dept_admin, granted, resource):
    page = client_as(dept_admin).get(f"/sharing/resources/{resource.code}/")
    assert "预览与下载数据" in page.text and "人口" in page.text
    assert ">population<" not in page.text
    grants = client_as(dept_admin).get("/sharing/grants/")
    assert "身份证号" in grants.text and "<code>id_number</code>" not in grants.text
