"""The statistics' overdue list exported to Excel is audited like the search's export
(``events.actions.exports.record_export``); showing the page records nothing."""

import io

import openpyxl
import pytest
from django.urls import reverse

from gridgov.audit.models import AuditRecord

from .support import NOV, build_known

pytestmark = pytest.mark.django_db


def test_the_overdue_export_leaves_an_audit_record(client_as, leader):
    build_known()
    client = client_as(leader)
    assert client.get(reverse("stats:overdue"), {**NOV, "major": "05"}).status_code == 200
    assert not AuditRecord.objects.filter(action="events.search_export").exists()
    response = client.get(reverse("stats:overdue"), {**NOV, "major": "05", "export": "xlsx"})
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active
                .iter_rows(min_row=2, values_only=True))
    audit = AuditRecord.objects.get(action="events.search_export")
    assert audit.actor_id == leader.pk
    assert audit.object_repr == "超期案件导出"
    after = {key: new for key, (_old, new) in audit.changes.items()}
    assert after["source"] == "overdue" and after["format"] == "xlsx"
    assert after["rows"] == len(rows) and after["capped"] is False
    assert after["query"] == "date=2019-11-15&major=05&period=month"
