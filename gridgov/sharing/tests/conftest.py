"""Fixtures of the data resource centre tests.

区民政局 (D016, the demo data officer's department) provides; 区综合行政执法局 (D034, the demo
department administrator's and handler's department) consumes with its API key.
"""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.accounts import actions as account_actions
from gridgov.accounts.models import Department
from gridgov.core.testing import shared_connection_server
from gridgov.sharing import actions
from gridgov.sharing.models import ResourceRow

FIELDS = [
    {"name": "name", "label": "姓名", "type": "string"},
    {"name": "id_number", "label": "身份证号", "type": "string", "sensitive": True},
    {"name": "phone", "label": "手机号", "type": "string", "sensitive": True},
    {"name": "age", "label": "年龄", "type": "integer"},
    {"name": "living_alone", "label": "独居", "type": "boolean"},
]


def make_resource(provider, actor, *, sharing_type="conditional", rows=0, **extra):
    values = {
        "name": "高龄独居老人名册", "category": "1", "item": "01", "catalog": "002",
        "abstract": "80 周岁以上独居老人,用于走访和补贴核对。", "format": "database",
        "update_cycle": "monthly", "sharing_type": sharing_type, "sharing_method": "api",
        "sharing_condition": "用于履行法定职责" if sharing_type == "conditional" else "",
        "legal_basis": "《中华人民共和国个人信息保护法》第十三条" if sharing_type == "not_shared"
        else "",
        "tags": ["老年人", "独居"], "groups": ["population"], "fields": FIELDS,
    }
    values.update(extra)
    resource = actions.publish_resource(provider=provider, actor=actor, **values)
    base = timezone.now() - dt.timedelta(days=10)
    ResourceRow.objects.bulk_create(
        ResourceRow(resource=resource, updated_at=base + dt.timedelta(minutes=i // 2), data={
            "name": f"老人{i:03d}", "id_number": "33020319400101123X" if i % 2 else
            "330203194501012345", "phone": f"1380000{i:04d}", "age": 80 + i % 20,
            "living_alone": i % 3 == 0,
        }) for i in range(rows)
    )
    return resource


@pytest.fixture
def minzheng(db):
    return Department.objects.get(code="D016")


@pytest.fixture
def zhifa(db):
    return Department.objects.get(code="D034")


@pytest.fixture
def coordinator(db):
    return Department.objects.get(code="D014")


@pytest.fixture
def resource(data_officer, minzheng):
    """A conditional resource of 区民政局 with 25 rows (two rows share each timestamp)."""
    return make_resource(minzheng, data_officer, rows=25)


@pytest.fixture
def zhifa_key(zhifa):
    _key, raw = account_actions.issue_api_key(zhifa, name="执法系统", actor=None)
    return raw


@pytest.fixture
def granted(resource, dept_admin, data_officer):
    """区综合行政执法局 holds a grant on name, id_number (masked) and age."""
    req = actions.request_share(resource, purpose="核对违建当事人身份",
                                fields=["name", "id_number", "age"], actor=dept_admin)
    return actions.approve_request(req, actor=data_officer)


@pytest.fixture
def server_url():
    """A live server on the test's own connection, so a real HTTP client (ckanapi) sees the
    test's data and everything rolls back."""
    with shared_connection_server() as url:
        yield url
