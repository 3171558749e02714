"""The keyword dictionary: seeded, edited by the system administrator through audited
actions (page and API), a rebuild changes the figures; a reported event is indexed on
commit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gridgov.audit.models import AuditRecord
from gridgov.events.actions import intake
from gridgov.events.models import Event
from gridgov.stats import actions
from gridgov.stats.keywords import tokenize
from gridgov.stats.models import EventTerm, KeywordRevision, KeywordTerm, TermKind

from .test_keywords import GULOU_COUNTS, analysis_for, build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_tokenizer():
    tokenize.invalidate()
    yield
    tokenize.invalidate()


def test_seeded_governance_terms():
    seeded = set(KeywordTerm.objects.filter(kind=TermKind.GOVERNANCE)
                 .values_list("term", flat=True))
    assert 30 <= len(seeded) <= 64
    assert {"暴露垃圾", "占道经营", "飞线充电", "噪音扰民", "油烟", "违章搭建", "电动车",
            "垃圾分类", "物业", "停车"} <= seeded
    # place names are not copied: they come from the area table
    assert not KeywordTerm.objects.filter(kind=TermKind.PLACE).exists()
    assert "鼓楼街道" in tokenize.current_dictionary().places


def test_create_is_audited_and_moves_the_revision(sys_admin):
    before = KeywordRevision.current().number
    row = actions.create_keyword(term="垃圾满溢", kind=TermKind.GOVERNANCE, note="测试",
                                 actor=sys_admin)
    assert KeywordRevision.current().number == before + 1
    record = AuditRecord.objects.get(action="stats.keyword_create", object_id=str(row.pk))
    assert record.changes["term"] == [None, "垃圾满溢"]
    assert record.changes["kind"] == [None, "governance"]
    assert tokenize.terms_of("垃圾点垃圾满溢") == ["垃圾", "垃圾满溢"]


def test_update_is_audited_with_before_and_after(sys_admin):
    row = KeywordTerm.objects.get(term="飞线充电")
    actions.update_keyword(row, is_active=False, actor=sys_admin)
    record = AuditRecord.objects.get(action="stats.keyword_update", object_id=str(row.pk))
    assert record.changes == {"is_active": [True, False]}
    count = AuditRecord.objects.count()
    actions.update_keyword(row, is_active=False, actor=sys_admin)  # no change: no record
    assert AuditRecord.objects.count() == count


@pytest.mark.parametrize("term, field", [
    ("", "term"), ("车", "term"), ("3号楼漏水", "term"), ("飞线 充电", "term"),
    ("占道经营", "term"),  # already in the dictionary
])
def test_bad_terms_are_refused(sys_admin, term, field):
    with pytest.raises(ValidationError) as info:
        actions.create_keyword(term=term, actor=sys_admin)
    assert field in info.value.message_dict


def test_only_the_system_administrator_edits(leader, dispatcher):
    for actor in (leader, dispatcher):
        with pytest.raises(PermissionDenied):
            actions.create_keyword(term="垃圾满溢", actor=actor)
        with pytest.raises(PermissionDenied):
            actions.rebuild_keyword_index(actor=actor)


def test_dictionary_edit_and_rebuild_change_the_result(sys_admin, leader):
    events = build()
    actions.rebuild_keyword_index(actor=sys_admin)
    counts = {r.term: r.cur for r in analysis_for(leader).rows()}
    assert counts["飞线充电"] == 12 and counts["楼道"] == 12

    # 飞线充电 out of the dictionary, 楼道 a stop word: the tokenizer follows at once ...
    actions.update_keyword(KeywordTerm.objects.get(term="飞线充电"), is_active=False,
                           actor=sys_admin)
    actions.create_keyword(term="楼道", kind=TermKind.STOP, actor=sys_admin)
    assert "飞线充电" not in tokenize.terms_of("楼道里有人飞线充电")
    assert "楼道" not in tokenize.terms_of("楼道里有人飞线充电")
    # ... the indexed cases only after the rebuild (the page says the index is behind)
    assert {r.term: r.cur for r in analysis_for(leader).rows()}["飞线充电"] == 12
    state = KeywordRevision.current()
    assert state.number != state.indexed_number

    result = actions.rebuild_keyword_index(actor=sys_admin)
    assert result["events"] >= len(events)
    state = KeywordRevision.current()
    assert state.indexed_number == state.number and state.indexed_at is not None
    record = AuditRecord.objects.filter(action="stats.keyword_rebuild").latest("at")
    assert record.changes["indexed_number"][1] == state.number
    after = {r.term: (r.cur, r.prev) for r in analysis_for(leader).rows()}
    assert "飞线充电" not in after and "楼道" not in after
    assert after["充电"] == (12, 2)  # what is left of it, by jieba's own dictionary
    expected = {t: c for t, c in GULOU_COUNTS.items() if t not in ("飞线充电", "楼道")}
    assert {t: c for t, c in after.items() if t in expected} == expected


def test_reported_event_is_indexed_on_commit(grid_worker, gulou_grid,
                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = intake.report_by_grid_worker(
            actor=grid_worker, description="兴港社区有人在楼道飞线充电,电动车堵住消防通道",
            lng=gulou_grid.centroid_lng, lat=gulou_grid.centroid_lat)
    event = Event.objects.get(pk=result.event.pk)
    terms = set(EventTerm.objects.filter(event=event).values_list("term", flat=True))
    assert {"兴港社区", "楼道", "飞线充电", "电动车", "消防通道"} <= terms
    assert EventTerm.objects.filter(event=event).first().created_at == event.created_at


# --- the page and the API ------------------------------------------------------------------


def test_dictionary_page(client_as, sys_admin, leader):
    url = reverse("stats:keyword_dictionary")
    assert client_as(leader).get(url).status_code == 403
    client = client_as(sys_admin)
    page = client.get(url, {"kind": "governance", "q": "垃圾"})
    assert page.status_code == 200
    assert {t.term for t in page.context["terms"]} >= {"暴露垃圾", "垃圾分类"}
    assert all("垃圾" in t.term for t in page.context["terms"])
    created = client.post(url, {"term": "小区停车难", "kind": "governance"})
    assert created.status_code == 302
    row = KeywordTerm.objects.get(term="小区停车难")
    assert AuditRecord.objects.filter(action="stats.keyword_create",
                                      object_id=str(row.pk)).exists()
    bad = client.post(url, {"term": "abc", "kind": "governance"})
    assert bad.status_code == 400 and "term" in bad.context["errors"]
    assert client.post(url, {"toggle": row.pk}).status_code == 302
    row.refresh_from_db()
    assert row.is_active is False
    rebuilt = client.post(reverse("stats:keyword_rebuild"))
    assert rebuilt.status_code == 302
    assert AuditRecord.objects.filter(action="stats.keyword_rebuild").exists()


def test_dictionary_api(api_as, sys_admin, leader):
    url = "/stats/api/keywords/"
    assert api_as(leader).get(url).status_code == 403
    client = api_as(sys_admin)
    listed = client.get(url)
    assert listed.status_code == 200
    created = client.post(url, {"term": "楼道堆放杂物", "kind": "governance"}, format="json")
    assert created.status_code == 201 and created.json()["term"] == "楼道堆放杂物"
    pk = created.json()["id"]
    changed = client.patch(f"{url}{pk}/", {"kind": "stop"}, format="json")
    assert changed.status_code == 200 and changed.json()["kind"] == "stop"
    bad = client.post(url, {"term": "12345", "kind": "governance"}, format="json")
    assert bad.status_code == 400 and "term" in str(bad.json())
    bad_kind = client.post(url, {"term": "楼道", "kind": "other"}, format="json")
    assert bad_kind.status_code == 400 and "kind" in str(bad_kind.json())
    rebuilt = client.post(f"{url}rebuild/", format="json")
    assert rebuilt.status_code == 200 and rebuilt.json()["events"] >= 0
    assert AuditRecord.objects.filter(action="stats.keyword_update",
                                      object_id=str(pk)).exists()
