"""Pages: catalog, resource, publish, request and answer, grants, exchange evidence."""

import pytest

from gridgov.accounts import actions as account_actions
from gridgov.accounts.models import Department
from gridgov.sharing import actions
from gridgov.sharing.models import Grant, Resource, ShareRequest

from .conftest import make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsider(db):
    """A data officer of 区卫健局: neither provider nor consumer of the test requests."""
    department = Department.objects.get(code="D028")
    user = account_actions.create_user(username="data_weijian", real_name="测试", actor=None,
                                       password="Haishu#2026!x", department=department)
    from gridgov.areas.models import Area

    account_actions.assign_role(user, "data_officer", Area.objects.get(code="330203"),
                                actor=None)
    return user


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/sharing/").status_code == 302


def test_catalog_lists_and_filters(client_as, dept_handler, resource, data_officer, minzheng,
                                   django_assert_max_num_queries):
    make_resource(minzheng, data_officer, sharing_type="unconditional", name="养老机构名录",
                  catalog="003", tags=["养老"])
    client = client_as(dept_handler)
    with django_assert_max_num_queries(12):
        response = client.get("/sharing/")
    assert response.status_code == 200
    assert "高龄独居老人名册" in response.text and "养老机构名录" in response.text
    response = client.get("/sharing/", {"sharing_type": "unconditional"})
    assert "高龄独居老人名册" not in response.text
    response = client.get("/sharing/", {"tag": "养老"})
    assert "养老机构名录" in response.text and "高龄独居老人名册" not in response.text
    response = client.get("/sharing/", {"q": "名册"})
    assert "养老机构名录" not in response.text


def test_resource_page_offers_a_request_form_to_others(client_as, dept_admin, data_officer,
                                                       resource):
    page = client_as(dept_admin).get(f"/sharing/resources/{resource.code}/")
    assert page.status_code == 200
    assert "提交申请" in page.text and "身份证号" in page.text
    own = client_as(data_officer).get(f"/sharing/resources/{resource.code}/")
    assert "提交申请" not in own.text and "上传数据" in own.text
    assert client_as(dept_admin).get("/sharing/resources/NOPE/").status_code == 404


def test_publish_page(client_as, data_officer, dept_handler):
    client = client_as(data_officer)
    assert client.get("/sharing/publish/").status_code == 200
    data = {
        "name": "低保对象名单", "category": "1", "item": "01", "catalog": "005",
        "abstract": "最低生活保障对象", "format": "database", "update_cycle": "monthly",
        "sharing_type": "not_shared", "sharing_method": "api", "open_attribute": "closed",
        "fields_text": "name,姓名,string\nid_number,身份证号,string,是",
    }
    response = client.post("/sharing/publish/", data)
    assert response.status_code == 200
    assert "法律、行政法规或国家政策依据" in response.text
    data["legal_basis"] = "《社会救助暂行办法》"
    response = client.post("/sharing/publish/", data)
    assert response.status_code == 302
    resource = Resource.objects.get(name="低保对象名单")
    assert resource.fields.get(name="id_number").sensitive
    assert client_as(dept_handler).get("/sharing/publish/").status_code == 403


def test_request_approve_through_pages(client_as, dept_admin, data_officer, resource,
                                       zhifa):
    consumer = client_as(dept_admin)
    response = consumer.post(f"/sharing/resources/{resource.code}/request/",
                             {"purpose": "核对当事人", "fields": ["name", "phone"]})
    assert response.status_code == 302
    req = ShareRequest.objects.get(resource=resource)
    provider = client_as(data_officer)
    page = provider.get(f"/sharing/requests/{req.pk}/")
    assert "同意" in page.text and "拒绝" in page.text
    listing = provider.get("/sharing/requests/", {"role": "provider", "status": "pending"})
    assert resource.name in listing.text
    provider.post(f"/sharing/requests/{req.pk}/approve/",
                  {"fields": ["name", "phone"], "mask_phone": "on"})
    grant = Grant.objects.get(resource=resource)
    assert grant.masking == {"name": "plain", "phone": "masked"}
    grants_page = provider.get("/sharing/grants/")
    assert "撤销" in grants_page.text
    provider.post(f"/sharing/grants/{grant.pk}/revoke/", {"reason": "用途结束"})
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_refuse_needs_reason_then_dispute(client_as, dept_admin, data_officer, resource):
    client_as(dept_admin).post(f"/sharing/resources/{resource.code}/request/",
                               {"purpose": "核对", "fields": ["name"]})
    req = ShareRequest.objects.get(resource=resource)
    provider = client_as(data_officer)
    response = provider.post(f"/sharing/requests/{req.pk}/refuse/", {"reason": ""}, follow=True)
    assert "此项为必填项" in response.text
    provider.post(f"/sharing/requests/{req.pk}/refuse/", {"reason": "不符合条件"})
    req.refresh_from_db()
    assert req.status == "refused"
    client_as(dept_admin).post(f"/sharing/requests/{req.pk}/dispute/", {"reason": "法定职责"})
    req.refresh_from_db()
    assert req.status == "disputed" and req.coordinator.code == "D014"


def test_requests_are_404_to_other_departments(client_as, dept_admin, resource, outsider):
    client_as(dept_admin).post(f"/sharing/resources/{resource.code}/request/",
                               {"purpose": "核对", "fields": ["name"]})
    req = ShareRequest.objects.get(resource=resource)
    assert client_as(outsider).get(f"/sharing/requests/{req.pk}/").status_code == 404
    assert client_as(outsider).post(f"/sharing/requests/{req.pk}/refuse/",
                                    {"reason": "x"}).status_code == 404


def test_grid_worker_has_no_request_pages(client_as, grid_worker):
    assert client_as(grid_worker).get("/sharing/requests/").status_code == 403


def test_exchange_page_for_audit_admin(client_as, audit_admin, granted, resource, zhifa_key,
                                       django_assert_max_num_queries):
    from django.test import Client

    response = Client().get(f"/api/exchange/resources/{resource.code}/rows/",
                            HTTP_AUTHORIZATION=f"Api-Key {zhifa_key}",
                            HTTP_X_CASE_ID="CASE-9")
    b"".join(response.streaming_content)
    client = client_as(audit_admin)
    with django_assert_max_num_queries(14):
        page = client.get("/sharing/exchanges/")
    assert page.status_code == 200
    assert "CASE-9" in page.text and resource.code in page.text


def test_upload_page_reports_rejected_rows(client_as, data_officer, resource):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("rows.csv", "name,age\n甲,81\n乙,老\n".encode())
    page = client_as(data_officer).post(f"/sharing/resources/{resource.code}/upload/",
                                        {"file": upload})
    assert page.status_code == 200
    assert "已保存 1 行" in page.text and "应为整数" in page.text


def test_catalog_marks_what_the_department_already_holds_a_grant_on(
        client_as, dept_admin, data_officer, granted, minzheng):
    """The scope's grant axis: 区综合行政执法局 holds a grant on the fixture's resource, none on
    a resource it never asked for; a revoked grant no longer counts."""
    other = make_resource(minzheng, data_officer, sharing_type="unconditional", name="新建名录")

    def marked(text):
        rows = [line for line in text.splitlines() if "sharing/resources/" in line]
        return {name for name in (granted.resource.name, other.name)
                if any(name in row and "本部门已获授权" in row for row in rows)}

    page = client_as(dept_admin).get("/sharing/")
    assert other.name in page.text
    assert marked(page.text) == {granted.resource.name}
    actions.revoke_grant(granted, reason="核对完毕", actor=data_officer)
    assert marked(client_as(dept_admin).get("/sharing/").text) == set()
