import pytest
from django.test import Client

from gridgov.audit.models import AuditRecord
from gridgov.events.actions import intake
from gridgov.events.choices import State
from gridgov.events.tests.intake_support import point_in
from gridgov.moderation import actions
from gridgov.moderation.models import LexiconTerm, ModerationCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(gulou_grid):
    LexiconTerm.objects.all().delete()
    actions.create_term(term="狗官", category="abuse", actor=None)
    lng, lat = point_in(gulou_grid)
    event = intake.report_by_resident(description="<script>x</script>这些狗官不管", lng=lng,
                                      lat=lat, reporter_phone="13812345678").event
    return ModerationCase.objects.get(event=event)


def test_list_highlights_matched_terms_escaped(client_as, intake_clerk, held):
    response = client_as(intake_clerk).get("/moderation/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<mark class="gg-hit" title="狗官">狗官</mark>' in html
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert held.event.number in html


def test_list_query_count_is_constant(client_as, intake_clerk, held, gulou_grid,
                                      django_assert_max_num_queries):
    lng, lat = point_in(gulou_grid)
    for i in range(5):
        intake.report_by_resident(description=f"狗官{i}", lng=lng, lat=lat)
    client = client_as(intake_clerk)
    with django_assert_max_num_queries(12):
        assert client.get("/moderation/").status_code == 200


def test_approve_from_the_page(client_as, intake_clerk, held):
    response = client_as(intake_clerk).post(f"/moderation/{held.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    held.refresh_from_db()
    held.event.refresh_from_db()
    assert held.status == "approved" and held.event.state == State.REPORTED


def test_reject_needs_a_reason(client_as, shift_leader, held):
    client = client_as(shift_leader)
    response = client.post(f"/moderation/{held.pk}/", {"decision": "reject"})
    assert response.status_code == 400 and "驳回须填写理由" in response.content.decode()
    response = client.post(f"/moderation/{held.pk}/", {"decision": "reject",
                                                       "remark": "辱骂,无实际诉求"})
    assert response.status_code == 302
    held.event.refresh_from_db()
    assert held.event.state == State.VOID
    assert AuditRecord.objects.filter(action="moderation.reject", object_id=str(held.pk),
                                      remark="辱骂,无实际诉求").exists()


def test_contact_masked_for_leader_and_clerk(client_as, leader, intake_clerk, held):
    page = client_as(leader).get(f"/moderation/{held.pk}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "放行" not in page  # leaders read, reviewers decide
    # The clerk calls back after an audited reveal on the event's page, not from here.
    page = client_as(intake_clerk).get(f"/moderation/{held.pk}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page


def test_scope_and_roles(client_as, grid_worker, sys_admin, held):
    assert client_as(grid_worker).get("/moderation/").status_code == 403
    assert client_as(sys_admin).get("/moderation/").status_code == 403
    assert Client().get("/moderation/").status_code == 302


def test_out_of_scope_case_is_404(client_as, intake_clerk, held):
    from gridgov.events.models import Event

    Event.objects.filter(pk=held.event_id).update(area_code="330203001001001")
    assert client_as(intake_clerk).get(f"/moderation/{held.pk}/").status_code == 404


def test_lexicon_page_add_and_toggle(client_as, sys_admin):
    from gridgov.moderation import matcher

    client = client_as(sys_admin)
    assert client.get("/moderation/lexicon/").status_code == 200
    response = client.post("/moderation/lexicon/", {"term": "页面新词", "category": "other"})
    assert response.status_code == 302
    assert matcher.check_text("这是页面新词") == ["页面新词"]
    term = LexiconTerm.objects.get(term="页面新词")
    client.post("/moderation/lexicon/", {"toggle": term.pk})
    assert matcher.check_text("这是页面新词") == []
    bad = client.post("/moderation/lexicon/", {"term": "", "category": "other"})
    assert bad.status_code == 400 and "此项为必填项" in bad.content.decode()


def test_lexicon_page_only_for_the_system_administrator(client_as, intake_clerk):
    assert client_as(intake_clerk).get("/moderation/lexicon/").status_code == 403


def test_worklist_shows_held_reports(client_as, intake_clerk, held):
    html = client_as(intake_clerk).get("/").content.decode()
    assert "待审核的群众上报" in html


def test_case_released_elsewhere_leaves_the_queue(client_as, intake_clerk, held):
    from gridgov.events.actions import release_held

    release_held(held.event, approve=True, actor=intake_clerk)
    client = client_as(intake_clerk)
    assert held.event.number not in client.get("/moderation/").content.decode()
    response = client.post(f"/moderation/{held.pk}/", {"decision": "approve"})
    assert response.status_code == 400 and "已不在待审核状态" in response.content.decode()
