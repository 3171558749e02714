"""Built-in resources: a registered source is published by its provider and pulled through
the exchange like any other resource (here a source over the demo users)."""

import json

import pytest
from django.test import Client

from gridgov.accounts.models import User
from gridgov.sharing import actions
from gridgov.sharing.models import Resource
from gridgov.sharing.registry import get_builtin, register_builtin, unregister_builtin

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_source():
    register_builtin(
        "test_staff", name="测试人员", provider_department_code="D016",
        fields=[{"name": "username", "label": "用户名", "type": "string"},
                {"name": "phone", "label": "手机号", "type": "string", "sensitive": True}],
        queryset=lambda: User.objects.all(),
        row=lambda u: {"username": u.username, "phone": u.phone},
        updated_field="date_joined", update_cycle="实时", groups=["population"],
    )
    yield get_builtin("test_staff")
    unregister_builtin("test_staff")


def test_register_rejects_incomplete_fields():
    with pytest.raises(ValueError):
        register_builtin("bad", name="x", provider_department_code="D016",
                         fields=[{"name": "a"}], queryset=list, row=dict, updated_field="x")
    assert get_builtin("bad") is None


def test_builtin_published_and_pulled(staff_source, dept_admin, data_officer, zhifa_key):
    resource = actions.publish_builtin("test_staff", actor=None)
    assert resource.provider.code == "D016" and resource.update_cycle == "realtime"
    assert actions.publish_builtin("test_staff", actor=None) == resource  # idempotent
    assert [f.name for f in resource.fields.all()] == ["username", "phone"]
    req = actions.request_share(resource, purpose="核对", fields=["username", "phone"],
                                actor=dept_admin)
    actions.approve_request(req, actor=data_officer)
    response = Client().get(f"/api/exchange/resources/{resource.code}/rows/",
                            {"limit": 1000}, HTTP_AUTHORIZATION=f"Api-Key {zhifa_key}")
    data = json.loads(b"".join(response.streaming_content))
    assert data["count"] == User.objects.count()
    phones = {r["username"]: r["phone"] for r in data["rows"]}
    assert phones["gw_gulou"] == "138****0001"


def test_unregistered_source_is_reported(staff_source, dept_admin, data_officer, zhifa_key):
    resource = actions.publish_builtin("test_staff", actor=None)
    req = actions.request_share(resource, purpose="核对", fields=["username"], actor=dept_admin)
    actions.approve_request(req, actor=data_officer)
    unregister_builtin("test_staff")
    response = Client().get(f"/api/exchange/resources/{resource.code}/rows/",
                            HTTP_AUTHORIZATION=f"Api-Key {zhifa_key}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "code"


def test_demo_publishes_builtins_and_sharing_examples():
    people = Resource.objects.filter(builtin_key="people").first()
    if people is None:
        pytest.skip("basic data (people) is not registered in this installation")
    assert people.provider.code == "D016" and people.groups == ["population"]
    kinds = set(Resource.objects.values_list("sharing_type", flat=True))
    assert kinds == {"unconditional", "conditional", "not_shared"}
    from gridgov.sharing.models import Grant, ShareRequest

    assert ShareRequest.objects.filter(status="pending").exists()
    assert Grant.objects.active().exists()
