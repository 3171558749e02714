"""The audit pages: only the audit administrator sees them; filters, diff, CSV, verify now."""

import csv
import io

import pytest
from django.db import transaction
from django.urls import reverse

from gridgov.audit.models import AuditRecord
from gridgov.audit.recorder import record
from gridgov.audit.tests.tamper import tamper
from gridgov.core.context import request_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(clock, sys_admin):
    clock.set(2026, 4, 1, 8)
    with transaction.atomic(), request_context("req-views-1", "10.0.0.7"):
        edited = record("areas.update_area", actor=sys_admin, object_type="areas.area",
                        object_id="330203005", object_repr="鼓楼街道",
                        before={"name": "鼓楼", "households": 100},
                        after={"name": "鼓楼街道", "households": 120})
    clock.set(2026, 4, 3, 8)
    with transaction.atomic():
        other = record("test.views", object_type="test.thing", object_id="=cmd|x",
                       object_repr="=HYPERLINK(\"http://x\")", after={"a": 1})
    return edited, other


PAGES = ["audit:records", "audit:verify", "audit:export"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["sys_admin", "sec_admin", "leader", "grid_worker",
                                 "dept_admin"])
def test_pages_do_not_exist_for_anyone_but_the_audit_admin(request, client_as, sample, who,
                                                            name):
    client = client_as(request.getfixturevalue(who))
    assert client.get(reverse(name)).status_code == 404
    assert client.get(reverse("audit:record", args=[sample[0].pk])).status_code == 404


def test_verify_post_is_404_for_others(client_as, sys_admin):
    assert client_as(sys_admin).post(reverse("audit:verify")).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("audit:records"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_audit_admin_must_pass_the_second_factor(client, audit_admin):
    client.force_login(audit_admin)
    response = client.get(reverse("audit:records"))
    assert response.status_code == 302 and "/accounts/totp/" in response["Location"]


def test_list_shows_records_newest_first(client_as, audit_admin, sample):
    edited, other = sample
    response = client_as(audit_admin).get(reverse("audit:records"))
    assert response.status_code == 200
    records = list(response.context["records"])
    assert records[0].pk > records[-1].pk
    assert "审计日志" in response.content.decode()


@pytest.mark.parametrize("params,expected", [
    ({"actor": "sysadm"}, "edited"),
    ({"action": "areas.update", "until": "2026-04-02"}, "edited"),
    ({"object_type": "areas.area", "object_id": "330203005"}, "edited"),
    ({"request_id": "req-views-1"}, "edited"),
    ({"client_ip": "10.0.0.7"}, "edited"),
    ({"since": "2026-04-02", "until": "2026-04-03", "action": "test."}, "other"),
    ({"since": "2026-04-01", "until": "2026-04-01", "object_type": "areas.area"}, "edited"),
])
def test_list_filters(client_as, audit_admin, sample, params, expected):
    edited, other = sample
    response = client_as(audit_admin).get(reverse("audit:records"), params)
    assert response.status_code == 200
    ids = [r.pk for r in response.context["records"]]
    assert ids == [edited.pk if expected == "edited" else other.pk]


def test_bad_filter_shows_the_error_and_no_records(client_as, audit_admin, sample):
    response = client_as(audit_admin).get(reverse("audit:records"), {"since": "not-a-date"})
    assert response.status_code == 200
    assert list(response.context["records"]) == []
    assert response.context["filter_form"].errors["since"]


def test_detail_shows_the_before_after_difference(client_as, audit_admin, sample):
    edited, _ = sample
    response = client_as(audit_admin).get(reverse("audit:record", args=[edited.pk]))
    assert response.status_code == 200
    # Each changed key is shown by its field's name on the object's model.
    assert response.context["diff_rows"] == [("households", "户数", "100", "120"),
                                             ("name", "名称", "鼓楼", "鼓楼街道")]
    assert response.context["hash_ok"] and response.context["link_ok"]
    html = response.content.decode()
    assert "鼓楼街道" in html and "req-views-1" in html and "哈希与链接一致" in html


def test_detail_flags_an_edited_record(client_as, audit_admin, sample):
    edited, _ = sample
    tamper("UPDATE audit_auditrecord SET remark = 'x' WHERE id = %s", [edited.pk])
    response = client_as(audit_admin).get(reverse("audit:record", args=[edited.pk]))
    assert not response.context["hash_ok"]
    assert "哈希不符" in response.content.decode()


def test_csv_export_is_filtered_streamed_with_bom(client_as, audit_admin, sample):
    edited, other = sample
    response = client_as(audit_admin).get(reverse("audit:export"), {"action": "test.views"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][0] == "编号"
    assert [int(r[0]) for r in rows[1:]] == [other.pk]
    # Formula-looking cells are defused for Excel.
    assert rows[1][6] == "'=cmd|x" and rows[1][7].startswith("'=HYPERLINK")
    # The export is itself audited, with its filters.
    exported = AuditRecord.objects.filter(action="audit.export").order_by("-id").first()
    assert exported.actor_name == "auditadmin"
    assert exported.changes["filters"][1] == {"action": "test.views"}


def test_csv_export_rejects_a_bad_filter(client_as, audit_admin):
    response = client_as(audit_admin).get(reverse("audit:export"), {"until": "2026-02-30"})
    assert response.status_code == 400


def test_verify_page_runs_and_shows_ok(client_as, audit_admin, sample):
    client = client_as(audit_admin)
    assert client.get(reverse("audit:verify")).status_code == 200
    response = client.post(reverse("audit:verify"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0].startswith(reverse("audit:verify") + "?job=")
    assert response.context["result"]["ok"]
    assert response.context["job"].status == "done"
    assert "完整" in response.content.decode()
    assert AuditRecord.objects.filter(action="audit.verify",
                                      actor_name="auditadmin").exists()


def test_verify_page_shows_the_first_broken_link(client_as, audit_admin, sample):
    edited, _ = sample
    tamper("UPDATE audit_auditrecord SET actor_name = 'nobody' WHERE id = %s", [edited.pk])
    response = client_as(audit_admin).post(reverse("audit:verify"), follow=True)
    result = response.context["result"]
    assert not result["ok"] and result["broken"]["record_id"] == edited.pk
    html = response.content.decode()
    assert "发现篡改" in html and "hash mismatch (record edited)" in html
    assert "哈希不符:记录被修改" in html
    assert reverse("audit:record", args=[edited.pk]) in html


def test_a_verify_job_of_someone_else_is_404(client_as, audit_admin, sample):
    import uuid

    response = client_as(audit_admin).get(reverse("audit:verify") + f"?job={uuid.uuid4()}")
    assert response.status_code == 404
    assert client_as(audit_admin).get(reverse("audit:verify") + "?job=nope").status_code == 404


def test_a_long_log_shows_a_lower_bound_not_a_made_up_total(client_as, audit_admin, sample,
                                                            settings):
    """Past the page-count cap (gridgov.core.paging) the list says "50+" and "第 1 页", not a
    page total it never counted."""
    with transaction.atomic():
        for i in range(60):
            record("test.views", object_type="test.thing", object_id=f"many-{i}", after={"i": i})
    settings.GRIDGOV_PAGE_COUNT_CAP = 1  # page 1 of 50 rows counts 51 at most
    html = client_as(audit_admin).get(reverse("audit:records")).content.decode()
    assert "共 50+ 条" in html and "第 1 页" in html and "第 1 / " not in html
