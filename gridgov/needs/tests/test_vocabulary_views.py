"""The administrator's vocabulary pages: list, new, edit (through the action), 400 with the
field, 403 for others."""

import pytest

from gridgov.needs.models import NeedCategory

pytestmark = pytest.mark.django_db


def test_list_and_edit(sys_admin, client_as, django_assert_max_num_queries):
    client = client_as(sys_admin)
    with django_assert_max_num_queries(20):
        page = client.get("/needs/categories/")
    text = page.content.decode()
    assert page.status_code == 200 and "养老照护" in text and "照料护理" in text
    housing = NeedCategory.objects.get(code="housing")
    form = client.get(f"/needs/categories/{housing.pk}/").content.decode()
    assert "漏水" in form and 'name="code"' not in form
    answer = client.post(f"/needs/categories/{housing.pk}/", {
        "name": "住房物业", "keywords": "漏水、电梯\n物业", "order": 5, "is_active": "on",
        "care_groups": ["高龄老人"]})
    assert answer.status_code == 302
    housing.refresh_from_db()
    assert housing.keywords == ["漏水", "电梯", "物业"] and housing.version == 2
    new = client.post("/needs/categories/new/", {"code": "transport", "name": "出行交通",
                                                 "keywords": "公交,地铁", "order": 200})
    assert new.status_code == 302
    assert NeedCategory.objects.get(code="transport").is_active is False  # box not ticked


def test_bad_input_400_with_field_and_others_403(sys_admin, leader, client_as):
    answer = client_as(sys_admin).post("/needs/categories/new/", {
        "code": "x1", "name": "养老照护", "keywords": "助餐", "order": 1})
    assert answer.status_code == 400 and "name" in answer.context["form"].errors
    empty = client_as(sys_admin).post("/needs/categories/new/", {
        "code": "x2", "name": "无词", "keywords": "", "order": 1})
    assert empty.status_code == 400 and "keywords" in empty.context["form"].errors
    assert client_as(leader).get("/needs/categories/").status_code == 403
