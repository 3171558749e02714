"""The exchange's rule for searches, filters and sorts over a grant (``sharing.exchange``):
they look only at the fields the grant leaves plain; a filter, field search or sort on a masked
field, or on one not granted, is refused; the streamed pull honours a filter while paging
(issue 9, item 1)."""

import json

import pytest
from django.core.exceptions import ValidationError

from gridgov.accounts.models import User
from gridgov.sharing import actions
from gridgov.sharing.exchange import (
    MASKED_FILTER,
    Evidence,
    check_fields,
    plain_fields,
    row_matcher,
    row_order,
    stream_rows,
)
from gridgov.sharing.models import ExchangeLog
from gridgov.sharing.registry import get_builtin, register_builtin, unregister_builtin
from gridgov.sharing.sources import RowSource

pytestmark = pytest.mark.django_db

ID_A = "33020319400101123X"


@pytest.fixture
def masked_grant(resource, dept_admin, data_officer):
    req = actions.request_share(resource, purpose="核对当事人身份",
                                fields=["name", "id_number", "phone", "age"], actor=dept_admin)
    return actions.approve_request(req, actor=data_officer)


def rows(resource):
    source = RowSource(resource)
    return [(pk, data) for pk, _stamp, data in source.iterate(source.walk())]


def test_plain_fields_are_the_unmasked_granted_ones(masked_grant):
    assert plain_fields(masked_grant) == ["name", "age"]


@pytest.mark.parametrize("field", ["id_number", "phone"])
def test_filter_on_a_masked_field_is_refused(masked_grant, field):
    with pytest.raises(ValidationError) as refused:
        row_matcher(masked_grant, filters={field: ID_A})
    messages = refused.value.message_dict["filters"]
    assert str(MASKED_FILTER) in messages[0] and field in messages[0]


def test_field_not_granted_is_refused(granted):
    for call in (lambda: row_matcher(granted, filters={"phone": "1"}),
                 lambda: row_matcher(granted, fields_q={"phone": "1"}),
                 lambda: row_order(granted, [("phone", False)]),
                 lambda: check_fields(granted, ["living_alone"], param="x")):
        with pytest.raises(ValidationError) as refused:
            call()
        assert "未授权" in " ".join(refused.value.messages)


def test_sort_and_field_search_on_a_masked_field_are_refused(masked_grant):
    with pytest.raises(ValidationError) as refused:
        row_order(masked_grant, [("age", False), ("id_number", True)])
    assert "该字段已脱敏,不能按其排序" in refused.value.message_dict["sort"][0]
    with pytest.raises(ValidationError) as refused:
        row_matcher(masked_grant, fields_q={"phone": "138"})
    assert "该字段已脱敏" in refused.value.message_dict["q"][0]


def test_full_text_never_looks_at_a_masked_field(resource, masked_grant):
    data = rows(resource)
    for q in ("3302031", "33020319400101123", ID_A, "1380000", "13800000003"):
        match = row_matcher(masked_grant, q=q)
        assert not [pk for pk, row in data if match(row)], q
    match = row_matcher(masked_grant, q="老人01")
    assert len([pk for pk, row in data if match(row)]) == 10


def test_plain_fields_filter_and_sort_as_before(resource, masked_grant):
    data = rows(resource)
    assert row_matcher(masked_grant) is None
    match = row_matcher(masked_grant, filters={"age": 85})
    assert [row["name"] for _pk, row in data if match(row)] == ["老人005"]
    match = row_matcher(masked_grant, fields_q={"name": "老人02"})
    assert len([1 for _pk, row in data if match(row)]) == 5
    key = row_order(masked_grant, [("age", True), ("name", False)])
    assert [row["name"] for _pk, row in sorted(data, key=key)][:3] == [
        "老人019", "老人018", "老人017"]
    key = row_order(masked_grant, [("_id", True)])
    assert sorted(data, key=key)[0][0] == max(pk for pk, _row in data)


def test_a_field_granted_plain_filters(resource, dept_admin, data_officer):
    req = actions.request_share(resource, purpose="送达", fields=["name", "id_number"],
                                actor=dept_admin)
    grant = actions.approve_request(req, actor=data_officer, masking={"id_number": "plain"})
    match = row_matcher(grant, filters={"id_number": ID_A})
    assert len([1 for _pk, row in rows(resource) if match(row)]) == 12
    assert row_order(grant, [("id_number", False)]) is not None


def _pull(resource, grant, match, *, limit, after=None):
    source = RowSource(resource)
    evidence = Evidence(actor=None, resource=resource, grant=grant, channel="exchange",
                        request_id="r", case_id="", params={})
    body = b"".join(stream_rows(source, source.walk(after=after), grant, limit=limit,
                                evidence=evidence, head={}, match=match))
    return json.loads(body)


def test_stream_rows_pages_through_a_filter(resource, masked_grant):
    from gridgov.sharing.sources import decode_cursor

    match = row_matcher(masked_grant, filters={"age": 80})  # rows 0 and 20
    first = _pull(resource, masked_grant, match, limit=1)
    assert [r["name"] for r in first["rows"]] == ["老人000"] and first["next_cursor"]
    assert first["rows"][0]["id_number"] == "330203********2345"
    second = _pull(resource, masked_grant, match, limit=1,
                   after=decode_cursor(first["next_cursor"]))
    assert [r["name"] for r in second["rows"]] == ["老人020"]
    assert second["next_cursor"] is None
    assert ExchangeLog.objects.count() == 2
    assert list(ExchangeLog.objects.values_list("row_count", flat=True)) == [1, 1]


@pytest.fixture
def staff_source():
    register_builtin(
        "test_masked_staff", name="测试人员", provider_department_code="D016",
        fields=[{"name": "username", "label": "用户名", "type": "string"},
                {"name": "phone", "label": "手机号", "type": "string", "sensitive": True}],
        queryset=lambda: User.objects.all(),
        row=lambda u: {"username": u.username, "phone": f"139{u.pk:08d}"},
        updated_field="date_joined",
    )
    yield get_builtin("test_masked_staff")
    unregister_builtin("test_masked_staff")


def test_builtin_source_follows_the_same_rule(staff_source, dept_admin, data_officer):
    resource = actions.publish_builtin("test_masked_staff", actor=None)
    req = actions.request_share(resource, purpose="核对", fields=["username", "phone"],
                                actor=dept_admin)
    grant = actions.approve_request(req, actor=data_officer)
    phone = f"139{User.objects.get(username='gw_gulou').pk:08d}"
    with pytest.raises(ValidationError):
        row_matcher(grant, filters={"phone": phone})
    match = row_matcher(grant, q=phone[:7])
    source = RowSource(resource)
    assert not [1 for _pk, _s, row in source.iterate(source.walk()) if match(row)]
    match = row_matcher(grant, q="gw_gulou")
    pulled = _pull(resource, grant, match, limit=10)
    assert "gw_gulou" in [r["username"] for r in pulled["rows"]]
    assert phone not in json.dumps(pulled)
