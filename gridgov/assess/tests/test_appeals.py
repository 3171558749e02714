"""Appeals: a department contests a late mark of its own case, the shift leader decides;
accepted appeals change the next computation and show in the explanation."""

import pytest
from django.urls import reverse

from gridgov.assess import compute
from gridgov.assess.actions import default_scheme, freeze_assessment
from gridgov.assess.models import Appeal, SnapshotCase
from gridgov.assess.shell import pending_appeals
from gridgov.audit.models import AuditRecord
from gridgov.core.access import get_scope

from .support import MARCH

pytestmark = pytest.mark.django_db
Q = "?period=month&date=2020-03-10&mode=live"


def _appeal(client, event, indicator="handled_late", reason="系统故障导致超期"):
    return client.post(reverse("assess:appeal_new", args=[event.pk]),
                       {"indicator": indicator, "reason": reason})


def _late(counts):
    return counts["handled_late"], counts["handled_on_time"]


def test_accepted_appeal_changes_the_next_computation_and_shows(big, client_as, dept_handler,
                                                               shift_leader):
    late_case = big["events"][800]
    response = _appeal(client_as(dept_handler), late_case)
    assert response.status_code == 302
    appeal = Appeal.objects.get(event=late_case)
    assert appeal.status == "pending" and appeal.department == big["department"]
    assert AuditRecord.objects.filter(action="assess.appeal", object_id=str(appeal.pk)).exists()
    items = list(pending_appeals(shift_leader, get_scope(shift_leader)))
    assert items[0].count == 1
    key = str(big["department"].pk)
    source = compute.LiveSource(None, MARCH)
    assert _late(compute.grouped(source, "department")[key].counts) == (174, 737)
    response = client_as(shift_leader).post(
        reverse("assess:appeal_decide", args=[appeal.pk]),
        {"decision": "accept", "decision_reason": "经核实属系统故障"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "accepted" and appeal.decided_by == shift_leader
    assert AuditRecord.objects.filter(action="assess.decide_appeal",
                                      object_id=str(appeal.pk)).exists()
    assert _late(compute.grouped(source, "department")[key].counts) == (173, 738)
    snapshot = freeze_assessment(MARCH, default_scheme(), actor=None)
    case = SnapshotCase.objects.get(snapshot=snapshot, event=late_case)
    assert case.waived == "handled_late" and not case.handled_late and case.handled_on_time
    # the 174 late cases by number, 50 a page: case 800 is the 64th (page 2); frozen figures
    page = client_as(dept_handler).get(
        reverse("assess:explain", args=["department", key])
        + "?period=month&date=2020-03-10&indicator=handled_late&page=2")
    html = page.content.decode()
    assert page.status_code == 200 and "已申诉核减" in html and late_case.number in html
    assert "173" in html


def test_rejected_appeal_changes_nothing(big, client_as, dept_handler, shift_leader):
    late_case = big["events"][801]
    _appeal(client_as(dept_handler), late_case)
    appeal = Appeal.objects.get(event=late_case)
    client_as(shift_leader).post(reverse("assess:appeal_decide", args=[appeal.pk]),
                                 {"decision": "reject", "decision_reason": "理由不成立"})
    appeal.refresh_from_db()
    assert appeal.status == "rejected" and appeal.decision_reason == "理由不成立"
    counts = compute.grouped(compute.LiveSource(None, MARCH), "department")[
        str(big["department"].pk)].counts
    assert _late(counts) == (174, 737)


def test_another_departments_case_is_404(small, client_as, api_as, dept_handler):
    other = small["events"][4]  # 南门, 区民政局
    assert client_as(dept_handler).get(reverse("assess:appeal_new", args=[other.pk])
                                       ).status_code == 404
    assert _appeal(client_as(dept_handler), other).status_code == 404
    response = api_as(dept_handler).post(reverse("assess:api-appeal-list"), {
        "event": other.pk, "indicator": "handled_late", "reason": "x"}, format="json")
    assert response.status_code == 404
    assert not Appeal.objects.exists()


def test_appeal_input_and_roles(big, client_as, api_as, dept_handler, shift_leader):
    on_time = big["events"][0]
    response = _appeal(client_as(dept_handler), on_time)
    assert response.status_code == 400 and "未计入此项指标" in response.content.decode()
    response = api_as(dept_handler).post(reverse("assess:api-appeal-list"), {
        "event": big["events"][802].pk, "indicator": "reported", "reason": "x"},
        format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "indicator"
    response = api_as(dept_handler).post(reverse("assess:api-appeal-list"), {
        "event": big["events"][802].pk, "indicator": "closed_late", "reason": "协调延误"},
        format="json")
    assert response.status_code == 201
    appeal_id = response.json()["id"]
    # the shift leader does not appeal; the department does not decide
    assert _appeal(client_as(shift_leader), big["events"][803]).status_code == 403
    assert api_as(dept_handler).post(
        reverse("assess:api-appeal-decide", args=[appeal_id]),
        {"accept": True, "reason": "x"}, format="json").status_code == 403
    response = api_as(shift_leader).post(
        reverse("assess:api-appeal-decide", args=[appeal_id]),
        {"accept": True, "reason": "同意"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    counts = compute.grouped(compute.LiveSource(None, MARCH), "department")[
        str(big["department"].pk)].counts
    assert (counts["closed_late"], counts["closed_on_time"]) == (173, 738)
