"""``actions.exports.record_export``: the one audit record of every list of cases exported to
a file (案件查询 here; the statistics' 超期案件 in gridgov/stats/tests/test_overdue_export.py)."""

import pytest
from django.core.exceptions import PermissionDenied

from gridgov.audit.models import AuditRecord
from gridgov.events.actions import exports, saved_filters

pytestmark = pytest.mark.django_db


def test_the_record_names_who_which_list_and_how_many(dispatcher):
    exports.record_export(actor=dispatcher, query="q=" + "x" * 2000, rows=12, capped=True,
                          file_format="csv", source="overdue")
    audit = AuditRecord.objects.filter(action="events.search_export").latest("id")
    assert audit.actor_id == dispatcher.pk
    assert audit.object_type == "events.search"
    assert audit.object_repr == "超期案件导出"
    after = {key: new for key, (_old, new) in audit.changes.items()}
    assert after["source"] == "overdue" and after["rows"] == 12 and after["capped"] is True
    assert after["format"] == "csv"
    assert len(after["query"]) == exports.QUERY_MAX


def test_only_those_who_see_cases_and_only_known_lists(dispatcher, sys_admin):
    with pytest.raises(PermissionDenied):
        exports.record_export(actor=sys_admin, query="", rows=0, capped=False,
                              file_format="xlsx")
    with pytest.raises(ValueError):
        exports.record_export(actor=dispatcher, query="", rows=0, capped=False,
                              file_format="xlsx", source="elsewhere")
    assert not AuditRecord.objects.filter(action="events.search_export").exists()


def test_saved_filters_no_longer_write_export_records():
    assert not hasattr(saved_filters, "record_export")


def test_the_search_export_is_recorded_through_it(client_as, dispatcher):
    response = client_as(dispatcher).get("/events/search/export.csv", {"q": "河道"})
    assert response.status_code == 200
    audit = AuditRecord.objects.filter(action="events.search_export").latest("id")
    assert audit.object_repr == "案件查询导出"
    after = {key: new for key, (_old, new) in audit.changes.items()}
    assert after["source"] == "search" and after["query"] == "q=河道"


def test_an_export_by_a_bracketed_landline_audits_its_mask(client_as, dispatcher):
    # URL-encoded brackets and spaces hid the number from the mask before it was decoded.
    client_as(dispatcher).get("/events/search/export.csv", {"q": "(0574) 8765 4321"})
    audit = AuditRecord.objects.filter(action="events.search_export").latest("id")
    assert "8765" not in str(audit.changes) and "057*****4321" in str(audit.changes)
