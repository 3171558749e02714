"""Data migrations that change events record what they changed (issue 8)."""

import importlib

import pytest
from django.apps import apps

from gridgov.audit.models import AuditRecord
from gridgov.events.choices import RequestKind, RequestStatus, State
from gridgov.events.models import EventRequest

from .workflow_support import new_event, people

pytestmark = pytest.mark.django_db

lapse_migration = importlib.import_module("gridgov.events.migrations.0005_lapse_stale_requests")


def test_lapsing_stale_requests_is_audited_and_reversible():
    event = new_event(people())  # reported: not in the handling stage
    stale = EventRequest.objects.create(event=event, kind=RequestKind.EXTENSION, days=2,
                                        reason="测试", from_state=State.REPORTED)
    before = AuditRecord.objects.count()
    lapse_migration.lapse(apps, None)
    stale.refresh_from_db()
    assert stale.status == RequestStatus.LAPSED
    record = AuditRecord.objects.order_by("-id").first()
    assert AuditRecord.objects.count() == before + 1
    assert record.action == "events.requests_lapsed" and record.actor_name == "system"
    assert stale.pk in record.changes["requests"]

    lapse_migration.unlapse(apps, None)
    stale.refresh_from_db()
    assert stale.status == RequestStatus.PENDING
    assert AuditRecord.objects.order_by("-id").first().action == "events.requests_unlapsed"


def test_nothing_to_lapse_writes_no_record():
    before = AuditRecord.objects.count()
    lapse_migration.lapse(apps, None)
    assert AuditRecord.objects.count() == before
