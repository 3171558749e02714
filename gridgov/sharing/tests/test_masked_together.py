"""A birth date is digits 7-14 of an ID number: a grant that masks the ID number masks the
birth date too, whatever the approval said and whenever the grant was approved. Before, the
mask "330203********1234" beside a plain birth date gave back the whole number (probe,
session 21: 50 of 50 demo people through a CKAN grant on 实有人口)."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.sharing import actions
from gridgov.sharing.choices import Masking
from gridgov.sharing.exchange import own_grant, plain_fields
from gridgov.sharing.models import Grant, ResourceRow, masked_together
from gridgov.sharing.tests.conftest import FIELDS, make_resource

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"  # GB 11643's own example: born 1949-12-31


@pytest.fixture
def people(data_officer, minzheng):
    fields = FIELDS + [{"name": "birth_date", "label": "出生日期", "type": "date"}]
    resource = make_resource(minzheng, data_officer, fields=fields)
    ResourceRow.objects.create(resource=resource, updated_at=timezone.now() - dt.timedelta(1),
                               data={"name": "张三", "id_number": ID, "phone": "13800000001",
                                     "age": 76, "living_alone": True,
                                     "birth_date": "1949-12-31"})
    return resource


def _approve(resource, dept_admin, data_officer, masking):
    req = actions.request_share(resource, purpose="核对当事人身份",
                                fields=["name", "id_number", "birth_date"], actor=dept_admin)
    return actions.approve_request(req, actor=data_officer, masking=masking)


def _records(resource, key):
    response = Client().get("/api/3/action/datastore_search",
                            {"resource_id": str(resource.table_uid)}, HTTP_AUTHORIZATION=key)
    body = (b"".join(response.streaming_content) if response.streaming
            else response.content)
    assert response.status_code == 200
    return json.loads(body)["result"]["records"]


def _rebuilt(record) -> str:
    masked, born = record["id_number"], str(record["birth_date"])
    return masked[:6] + born.replace("-", "") + masked[-4:]


def test_an_approval_leaving_the_birth_date_plain_is_masked_with_the_id_number(
        people, dept_admin, data_officer, zhifa_key):
    grant = _approve(people, dept_admin, data_officer, {"birth_date": Masking.PLAIN})
    assert grant.masking == {"name": "plain", "id_number": "masked", "birth_date": "masked"}
    assert plain_fields(grant) == ["name"]
    [record] = _records(people, zhifa_key)
    assert record["id_number"] == "110105********002X"
    assert "1949" not in str(record["birth_date"]) and _rebuilt(record) != ID


def test_a_grant_stored_before_the_rule_is_read_with_it(people, dept_admin, data_officer,
                                                        zhifa_key):
    grant = _approve(people, dept_admin, data_officer, {"birth_date": Masking.PLAIN})
    # As approved before this rule: the birth date stored plain.
    Grant.objects.filter(pk=grant.pk).update(
        masking={"name": "plain", "id_number": "masked", "birth_date": "plain"})
    assert Grant.objects.get(pk=grant.pk).masking["birth_date"] == Masking.MASKED
    [record] = _records(people, zhifa_key)
    assert "1949" not in str(record["birth_date"]) and _rebuilt(record) != ID


def test_a_plain_id_number_leaves_the_birth_date_as_granted(people, dept_admin, data_officer,
                                                            zhifa_key):
    _approve(people, dept_admin, data_officer, {"id_number": Masking.PLAIN})
    [record] = _records(people, zhifa_key)
    assert (record["id_number"], record["birth_date"]) == (ID, "1949-12-31")


def test_the_providers_own_view_masks_them_together(people):
    assert own_grant(people).masking["birth_date"] == Masking.MASKED
    assert masked_together({"birth_date": "plain"}) == {"birth_date": "plain"}
