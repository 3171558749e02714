"""CKAN's ``datastore_search`` over a grant that masks fields: ``q``, ``filters`` and ``sort``
look only at what the grant lets the caller see plain, so a masked ID number or phone cannot be
recovered digit by digit nor confirmed by a guess (issue 9, item 1)."""

import json

import ckanapi
import pytest
from django.test import Client

from gridgov.sharing import actions
from gridgov.sharing.models import ExchangeLog

pytestmark = pytest.mark.django_db

ID_A = "33020319400101123X"  # odd rows of the fixture
ID_B = "330203194501012345"  # even rows
DIGITS = "0123456789X"


@pytest.fixture
def masked_grant(resource, dept_admin, data_officer):
    """区综合行政执法局 holds name, id_number, phone and age; the ID number and the phone are
    masked (the default for sensitive fields)."""
    req = actions.request_share(resource, purpose="核对当事人身份",
                                fields=["name", "id_number", "phone", "age"], actor=dept_admin)
    grant = actions.approve_request(req, actor=data_officer)
    assert grant.masking == {"name": "plain", "id_number": "masked", "phone": "masked",
                             "age": "plain"}
    return grant


def search(key, resource, **params):
    for name in ("filters", "q"):
        if isinstance(params.get(name), dict):
            params[name] = json.dumps(params[name])
    response = Client().get("/api/3/action/datastore_search",
                            {"resource_id": str(resource.table_uid), **params},
                            HTTP_AUTHORIZATION=key)
    body = (b"".join(response.streaming_content) if response.streaming
            else response.content)
    return response.status_code, json.loads(body)


def recover(key, resource, known: str, *, length=18):
    """The attack of the issue: extend a known prefix one character at a time, keeping the
    one that still matches something."""
    while len(known) < length:
        for digit in DIGITS:
            status, body = search(key, resource, q=known + digit, limit=1)
            if status == 200 and body["result"]["total"]:
                known += digit
                break
        else:
            return known
    return known


def test_prefix_plus_one_digit_recovers_nothing(resource, masked_grant, zhifa_key):
    # The region is visible in the mask ("330203********123X"): the attacker starts there.
    assert recover(zhifa_key, resource, "330203") == "330203"
    for digit in DIGITS:
        status, body = search(zhifa_key, resource, q="3302031940010112" + digit)
        assert status == 200 and body["result"]["total"] == 0
    # Nor through the phone, masked too.
    status, body = search(zhifa_key, resource, q="1380000")
    assert status == 200 and body["result"]["total"] == 0


def test_masked_values_stay_masked_in_a_search_on_other_fields(resource, masked_grant,
                                                               zhifa_key):
    status, body = search(zhifa_key, resource, q="老人00")
    assert status == 200 and body["result"]["total"] == 10
    text = json.dumps(body, ensure_ascii=False)
    assert ID_A not in text and ID_B not in text and "13800000" not in text
    assert body["result"]["records"][0]["id_number"].count("*") == 8


@pytest.mark.parametrize("field, guess", [("id_number", ID_A), ("id_number", ID_B),
                                          ("phone", "13800000003")])
def test_exact_guess_filter_is_refused(resource, masked_grant, zhifa_key, field, guess):
    status, body = search(zhifa_key, resource, filters={field: guess})
    assert status == 409
    error = body["error"]
    assert error["__type"] == "Validation Error"
    assert "该字段已脱敏,不能按其筛选" in error["message"] and field in error["message"]
    assert "records" not in json.dumps(body) and "total" not in json.dumps(body)
    # A wrong guess is answered exactly the same way: nothing is confirmed.
    wrong_status, wrong = search(zhifa_key, resource, filters={field: guess[:-1] + "9"})
    assert (wrong_status, wrong["error"]) == (status, error)
    assert not ExchangeLog.objects.exists()


def test_filter_on_masked_field_with_a_plain_one_is_refused(resource, masked_grant, zhifa_key):
    status, body = search(zhifa_key, resource, filters={"age": 81, "id_number": ID_A})
    assert status == 409 and "id_number" in body["error"]["message"]


@pytest.mark.parametrize("sort", ["id_number", "id_number asc", "age asc, phone desc"])
def test_sort_on_a_masked_field_is_refused(resource, masked_grant, zhifa_key, sort):
    status, body = search(zhifa_key, resource, sort=sort)
    assert status == 409
    assert "该字段已脱敏,不能按其排序" in body["error"]["message"]


def test_field_search_on_a_masked_field_is_refused(resource, masked_grant, zhifa_key):
    status, body = search(zhifa_key, resource, q={"id_number": "3302031"})
    assert status == 409 and "id_number" in body["error"]["message"]
    status, body = search(zhifa_key, resource, q={"name": "老人01"})
    assert status == 200 and body["result"]["total"] == 10


def test_fields_not_granted_are_refused_or_ignored(resource, granted, zhifa_key):
    # ``granted`` holds name, id_number (masked) and age: the phone is not granted at all.
    status, body = search(zhifa_key, resource, q="13800000")
    assert status == 200 and body["result"]["total"] == 0
    for params in ({"filters": {"phone": "13800000003"}}, {"sort": "phone"},
                   {"q": {"phone": "138"}}):
        status, body = search(zhifa_key, resource, **params)
        assert status == 409 and "phone" in body["error"]["message"]


def test_plain_fields_search_filter_and_sort(resource, masked_grant, zhifa_key):
    status, body = search(zhifa_key, resource, filters={"age": 85})
    assert status == 200 and [r["name"] for r in body["result"]["records"]] == ["老人005"]
    status, body = search(zhifa_key, resource, q="老人01")
    assert status == 200 and body["result"]["total"] == 10
    status, body = search(zhifa_key, resource, sort="age desc, name asc", limit=3)
    assert status == 200 and body["result"]["total"] == 25
    assert [(r["age"], r["name"]) for r in body["result"]["records"]] == [
        (99, "老人019"), (98, "老人018"), (97, "老人017")]
    status, body = search(zhifa_key, resource, sort="name desc", limit=2, offset=1,
                          filters={"age": 80})
    assert [r["name"] for r in body["result"]["records"]] == ["老人000"]
    assert body["result"]["total"] == 2
    status, body = search(zhifa_key, resource, sort="_id desc", limit=1)
    assert body["result"]["records"][0]["name"] == "老人024"
    status, body = search(zhifa_key, resource, sort="age sideways")
    assert status == 409


def test_a_field_granted_plain_searches_as_before(resource, dept_admin, data_officer,
                                                  zhifa_key):
    req = actions.request_share(resource, purpose="送达文书", fields=["name", "id_number"],
                                actor=dept_admin)
    actions.approve_request(req, actor=data_officer, masking={"id_number": "plain"})
    status, body = search(zhifa_key, resource, filters={"id_number": ID_A})
    assert status == 200 and body["result"]["total"] == 12
    assert body["result"]["records"][0]["id_number"] == ID_A
    status, body = search(zhifa_key, resource, q="19450101")
    assert status == 200 and body["result"]["total"] == 13


def test_ckanapi_client_sees_the_rule(server_url, resource, masked_grant, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    table_id = str(resource.table_uid)
    assert ckan.action.datastore_search(resource_id=table_id, q="3302031")["total"] == 0
    with pytest.raises(ckanapi.ValidationError) as refused:
        ckan.action.datastore_search(resource_id=table_id, filters={"id_number": ID_A})
    assert "该字段已脱敏,不能按其筛选" in json.dumps(refused.value.error_dict,
                                                ensure_ascii=False)
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=table_id, sort="phone asc")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=table_id, q={"id_number": "3302031"})
    result = ckan.action.datastore_search(resource_id=table_id, filters={"age": 85})
    assert [r["name"] for r in result["records"]] == ["老人005"]
    result = ckan.action.datastore_search(resource_id=table_id, sort="age asc", limit=2)
    assert [r["age"] for r in result["records"]] == [80, 80]
