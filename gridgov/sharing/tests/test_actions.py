"""Rules of the data resource centre's verbs: sharing classes, the 10-working-day answer,
refusals with reasons, disputes, grants and revocation, uploads; each audited."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.sharing import actions
from gridgov.sharing.models import Grant, Resource, ResourceRow, ShareRequest

from .conftest import FIELDS, make_resource

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


# --- publishing -----------------------------------------------------------------------------


def test_publish_records_metadata_fields_and_audit(data_officer, minzheng):
    resource = make_resource(minzheng, data_officer, related_codes="D016-101001-0001")
    assert resource.code.startswith("D016-101002-")
    assert resource.classification == "1-01-002"
    assert [f.name for f in resource.fields.all()] == [f["name"] for f in FIELDS]
    assert resource.fields.get(name="id_number").sensitive
    assert resource.related_codes == ["D016-101001-0001"]
    record = AuditRecord.objects.get(action="sharing.publish", object_id=str(resource.pk))
    assert "fields" in record.changes


def test_not_shared_needs_legal_basis(data_officer, minzheng):
    with pytest.raises(ValidationError) as err:
        make_resource(minzheng, data_officer, sharing_type="not_shared", legal_basis="")
    assert "legal_basis" in err.value.message_dict
    resource = make_resource(minzheng, data_officer, sharing_type="not_shared")
    assert resource.legal_basis


def test_conditional_needs_condition(data_officer, minzheng):
    with pytest.raises(ValidationError) as err:
        make_resource(minzheng, data_officer, sharing_condition="")
    assert "sharing_condition" in err.value.message_dict


@pytest.mark.parametrize("field,value", [
    ("category", "12"), ("item", "1"), ("catalog", "abc"), ("format", "pdf"),
    ("sharing_type", "sometimes"), ("groups", ["people"]), ("code", "坏 代码"),
])
def test_publish_rejects_bad_metadata(data_officer, minzheng, field, value):
    with pytest.raises(ValidationError) as err:
        make_resource(minzheng, data_officer, **{field: value})
    assert field in err.value.message_dict


def test_publish_rejects_bad_fields(data_officer, minzheng):
    for fields in ([], [{"name": "Bad Name", "label": "x"}],
                   [{"name": "a", "label": "x"}, {"name": "a", "label": "y"}]):
        with pytest.raises(ValidationError) as err:
            make_resource(minzheng, data_officer, fields=fields)
        assert "fields" in err.value.message_dict


def test_only_the_providers_publishers_publish(minzheng, dept_admin, dept_handler, grid_worker,
                                               sys_admin):
    for actor in (dept_admin, dept_handler, grid_worker, sys_admin):
        with pytest.raises(PermissionDenied):
            make_resource(minzheng, actor)


def test_turning_not_shared_revokes_grants(granted, resource, data_officer):
    actions.update_resource(resource, actor=data_officer, sharing_type="not_shared",
                            legal_basis="《某条例》第十条")
    granted.refresh_from_db()
    assert granted.revoked_at is not None
    with pytest.raises(ValidationError) as err:
        actions.update_resource(resource, actor=data_officer, legal_basis="")
    assert "legal_basis" in err.value.message_dict


def test_withdraw_and_republish(resource, data_officer, dept_admin):
    resource = actions.set_published(resource, published=False, actor=data_officer)
    assert not Resource.objects.restrict(dept_admin).filter(pk=resource.pk).exists()
    assert Resource.objects.restrict(data_officer).filter(pk=resource.pk).exists()
    with pytest.raises(ValidationError):
        actions.request_share(resource, purpose="x", fields=["name"], actor=dept_admin)
    actions.set_published(resource, published=True, actor=data_officer)
    assert AuditRecord.objects.filter(action="sharing.withdraw",
                                      object_id=str(resource.pk)).count() == 1


# --- requests -------------------------------------------------------------------------------


def test_unconditional_is_granted_at_once(data_officer, minzheng, dept_admin, zhifa):
    resource = make_resource(minzheng, data_officer, sharing_type="unconditional")
    req = actions.request_share(resource, purpose="核对", fields=["phone", "name"],
                                actor=dept_admin)
    assert req.status == "approved"
    grant = Grant.objects.get(request=req)
    assert grant.consumer == zhifa
    assert grant.fields == ["name", "phone"]  # catalog order
    assert grant.masking == {"name": "plain", "phone": "masked"}


def test_not_shared_cannot_be_requested(data_officer, minzheng, dept_admin):
    resource = make_resource(minzheng, data_officer, sharing_type="not_shared")
    with pytest.raises(ValidationError) as err:
        actions.request_share(resource, purpose="x", fields=["name"], actor=dept_admin)
    assert "resource" in err.value.message_dict


def test_request_rules(resource, dept_admin, data_officer, grid_worker):
    with pytest.raises(ValidationError) as err:
        actions.request_share(resource, purpose="", fields=["name"], actor=dept_admin)
    assert "purpose" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        actions.request_share(resource, purpose="x", fields=["salary"], actor=dept_admin)
    assert "fields" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        actions.request_share(resource, purpose="x", fields=["name"], actor=data_officer)
    assert "resource" in err.value.message_dict  # its own department's resource
    with pytest.raises(PermissionDenied):
        actions.request_share(resource, purpose="x", fields=["name"], actor=grid_worker)
    actions.request_share(resource, purpose="x", fields=["name"], actor=dept_admin)
    with pytest.raises(ValidationError):  # one open request per resource and department
        actions.request_share(resource, purpose="y", fields=["name"], actor=dept_admin)


def test_deadline_is_ten_working_days_across_national_day(resource, dept_admin, monkeypatch):
    # Friday 26 September 2025: 28 Sep (Sunday) and 11 Oct (Saturday) are 调休 workdays,
    # 1–8 October the National Day holiday. Ten working days: 28, 29, 30 Sep, 9, 10, 11, 13,
    # 14, 15, 16 Oct.
    submitted = dt.datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI)
    monkeypatch.setattr(actions.timezone, "now", lambda: submitted)
    req = actions.request_share(resource, purpose="走访", fields=["name"], actor=dept_admin)
    assert req.answer_deadline == dt.datetime(2025, 10, 16, 10, 0, tzinfo=SHANGHAI)
    assert req.deadline_note == ""


def test_deadline_beyond_the_calendar_is_open_with_a_note(resource, dept_admin, monkeypatch):
    submitted = dt.datetime(2099, 3, 2, 10, 0, tzinfo=SHANGHAI)
    monkeypatch.setattr(actions.timezone, "now", lambda: submitted)
    req = actions.request_share(resource, purpose="走访", fields=["name"], actor=dept_admin)
    assert req.answer_deadline is None
    assert req.deadline_note


def test_overdue_flag(resource, dept_admin):
    req = actions.request_share(resource, purpose="走访", fields=["name"], actor=dept_admin)
    assert not req.is_overdue
    assert not ShareRequest.objects.overdue().exists()
    ShareRequest.objects.filter(pk=req.pk).update(
        answer_deadline=timezone.now() - dt.timedelta(minutes=1))
    req.refresh_from_db()
    assert req.is_overdue
    assert list(ShareRequest.objects.overdue()) == [req]


def test_approve_subset_with_masking(resource, dept_admin, data_officer, dept_handler):
    req = actions.request_share(resource, purpose="走访", fields=["name", "phone", "age"],
                                actor=dept_admin)
    with pytest.raises(PermissionDenied):
        actions.approve_request(req, actor=dept_admin)  # the consumer cannot approve
    with pytest.raises(ValidationError) as err:
        actions.approve_request(req, actor=data_officer, fields=["name", "id_number"])
    assert "fields" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        actions.approve_request(req, actor=data_officer, masking={"name": "hidden"})
    assert "masking" in err.value.message_dict
    grant = actions.approve_request(req, actor=data_officer, fields=["name", "phone"],
                                    masking={"name": "masked"})
    assert grant.fields == ["name", "phone"]
    assert grant.masking == {"name": "masked", "phone": "masked"}
    req.refresh_from_db()
    assert req.status == "approved" and req.answered_at is not None
    assert AuditRecord.objects.filter(action="sharing.approve", object_id=str(req.pk)).exists()
    assert AuditRecord.objects.filter(action="sharing.grant", object_id=str(grant.pk)).exists()
    with pytest.raises(ValidationError):
        actions.approve_request(req, actor=data_officer)  # already answered


def test_refusal_needs_a_reason(resource, dept_admin, data_officer):
    req = actions.request_share(resource, purpose="走访", fields=["name"], actor=dept_admin)
    with pytest.raises(ValidationError) as err:
        actions.refuse_request(req, reason="  ", actor=data_officer)
    assert "reason" in err.value.message_dict
    req = actions.refuse_request(req, reason="用途与申请字段不符", actor=data_officer)
    assert req.status == "refused" and req.refusal_reason == "用途与申请字段不符"
    assert not Grant.objects.filter(resource=resource).exists()


def test_dispute_goes_to_the_coordinating_department(resource, dept_admin, data_officer,
                                                     coordinator, settings):
    req = actions.request_share(resource, purpose="走访", fields=["name"], actor=dept_admin)
    with pytest.raises(ValidationError) as err:  # still within the answer period
        actions.dispute_request(req, reason="等不及", actor=dept_admin)
    assert "status" in err.value.message_dict
    actions.refuse_request(req, reason="不符合条件", actor=data_officer)
    with pytest.raises(PermissionDenied):
        actions.dispute_request(req, reason="x", actor=data_officer)
    req = actions.dispute_request(req, reason="属于法定职责所需", actor=dept_admin)
    assert req.status == "disputed" and req.coordinator == coordinator
    assert ShareRequest.objects.restrict(data_officer).filter(pk=req.pk).exists()


def test_dispute_of_an_overdue_request(resource, dept_admin):
    req = actions.request_share(resource, purpose="走访", fields=["name"], actor=dept_admin)
    ShareRequest.objects.filter(pk=req.pk).update(
        answer_deadline=timezone.now() - dt.timedelta(days=1))
    req = actions.dispute_request(req, reason="超期未答复", actor=dept_admin)
    assert req.status == "disputed"


def test_coordinator_resolves(resource, dept_admin, data_officer, settings, zhifa):
    # Make 区民政局's own data officer the coordinator for this test: the demo has no
    # data officer in 区经信局.
    settings.GRIDGOV_COORDINATING_DEPARTMENT = "D016"
    other = make_resource(zhifa, dept_admin, name="执法文书", catalog="009")
    from gridgov.accounts.models import User

    officer = User.objects.get(username="data_minzheng")
    req = actions.request_share(other, purpose="送达", fields=["name"], actor=officer)
    actions.refuse_request(req, reason="不予提供", actor=dept_admin)
    req = actions.dispute_request(req, reason="法定职责", actor=officer)
    with pytest.raises(PermissionDenied):
        actions.resolve_dispute(req, approve=True, resolution="x", actor=dept_admin)
    with pytest.raises(ValidationError) as err:
        actions.resolve_dispute(req, approve=True, resolution="", actor=officer)
    assert "resolution" in err.value.message_dict
    grant = actions.resolve_dispute(req, approve=True, resolution="依法共享", actor=officer)
    assert isinstance(grant, Grant) and grant.consumer.code == "D016"


def test_withdraw_request(resource, dept_admin, data_officer):
    req = actions.request_share(resource, purpose="走访", fields=["name"], actor=dept_admin)
    with pytest.raises(PermissionDenied):
        actions.withdraw_request(req, actor=data_officer)
    assert actions.withdraw_request(req, actor=dept_admin).status == "withdrawn"


# --- grants ---------------------------------------------------------------------------------


def test_revoke_grant(granted, data_officer, dept_admin):
    with pytest.raises(PermissionDenied):
        actions.revoke_grant(granted, reason="x", actor=dept_admin)
    with pytest.raises(ValidationError) as err:
        actions.revoke_grant(granted, reason="", actor=data_officer)
    assert "reason" in err.value.message_dict
    grant = actions.revoke_grant(granted, reason="项目结束", actor=data_officer)
    assert grant.revoked_at is not None and not grant.is_active
    record = AuditRecord.objects.get(action="sharing.revoke", object_id=str(grant.pk))
    assert "revoked_at" in record.changes
    with pytest.raises(ValidationError):
        actions.revoke_grant(grant, reason="again", actor=data_officer)


def test_a_new_grant_replaces_the_old_one(granted, resource, dept_admin, data_officer):
    req = actions.request_share(resource, purpose="补充", fields=["name", "age"],
                                actor=dept_admin)
    new = actions.approve_request(req, actor=data_officer)
    granted.refresh_from_db()
    assert granted.revoked_at is not None
    assert list(Grant.objects.active().filter(resource=resource)) == [new]


# --- uploads --------------------------------------------------------------------------------


def test_upload_rows_reports_every_bad_cell(data_officer, minzheng):
    resource = make_resource(minzheng, data_officer)
    csv_text = (
        "姓名,身份证号,手机号,年龄,独居\n"
        "张三,330203194001011234,13800000001,86,是\n"
        "李四,330203194101011234,13800000002,八十,否\n"
        "王五,330203194201011234,13800000003,81,也许\n"
        "赵六,330203194301011234\n"
        ",,,,\n"
        "钱七,,,90,\n"
    )
    report = actions.upload_rows(resource, csv_text.encode("utf-8"), actor=data_officer)
    assert report["saved"] == 2
    assert [(r["row"], r["field"]) for r in report["rejected"]] == [
        (3, "age"), (4, "living_alone"), (5, "")]
    rows = list(ResourceRow.objects.filter(resource=resource).order_by("id"))
    assert rows[0].data == {"name": "张三", "id_number": "330203194001011234",
                            "phone": "13800000001", "age": 86, "living_alone": True}
    assert rows[1].data["id_number"] is None
    report = actions.upload_rows(resource, "name,age\n孙八,70\n", actor=data_officer,
                                 replace=True)
    assert ResourceRow.objects.filter(resource=resource).count() == 1
    with pytest.raises(ValidationError) as err:
        actions.upload_rows(resource, "name,salary\n", actor=data_officer)
    assert "file" in err.value.message_dict
