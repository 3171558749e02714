"""``gridgov audit verify|anchor|export|purge`` and the retention floor."""

import csv
import datetime as dt
import io
import json
import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

import gridgov.settings as project_settings
from gridgov.audit import verify
from gridgov.audit.actions import PurgeRefused, plan_purge, purge_expired
from gridgov.audit.anchor import anchor_closed_days
from gridgov.audit.models import AuditAnchor, AuditPurgeMark, AuditRecord, ChainHead
from gridgov.audit.recorder import record
from gridgov.audit.retention import MIN_RETENTION_DAYS, validate_retention_days
from gridgov.audit.tests.tamper import tamper
from gridgov.audit.verify import verify_all

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


def _write(key, n=1, action="test.cmd"):
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(record(action, object_type="test.thing", object_id=key,
                              after={"i": i}, remark=f"{key}-{i}"))
    return out


def run(*args):
    out = io.StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


# --- verify and anchor ----------------------------------------------------------------------


def test_verify_prints_ok_with_counts():
    _write("v", 2)
    result = verify_all()
    assert run("verify", "--full").strip() == (
        f"OK: {result.records} records, {result.chains} chains, {result.anchors} anchors\n"
        f"MODE: full: every record and seal recomputed")


def test_verify_reports_the_first_broken_link_and_exits_1():
    a, b, c = _write("v", 3)
    tamper("DELETE FROM audit_auditrecord WHERE id = %s", [b.pk])
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify", stdout=out)
    assert excinfo.value.returncode == 1
    assert out.getvalue().startswith(
        f"BROKEN: sequence gap (record deleted) at record {c.pk}, chain test.thing:v, seq 3")


def test_anchor_command_seals_and_is_idempotent(clock):
    clock.set(2026, 4, 1, 8)
    _write("x", 2)
    assert "sealed 2026-04-01: 2 records" in run("anchor", "--until", "2026-04-02")
    assert run("anchor", "--until", "2026-04-02").strip() == "nothing to seal"
    with pytest.raises(CommandError):
        run("anchor", "--until", "yesterday")


# --- export ---------------------------------------------------------------------------------


@pytest.fixture
def spread(clock):
    clock.set(2026, 4, 1, 8)
    early = _write("e", 2, action="test.early")
    clock.set(2026, 4, 3, 8)
    middle = _write("m", 1, action="test.middle")
    clock.set(2026, 4, 5, 8)
    late = _write("l", 1, action="test.late")
    return early, middle, late


def test_export_csv_filters_by_date_range(spread):
    early, middle, late = spread
    text = run("export", "--since", "2026-04-02", "--until", "2026-04-05", "--format", "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["编号", "时间", "操作人", "角色", "操作"]
    # The export records itself first (on the test clock's 5 April), so it is in the range.
    assert [(int(r[0]), r[4]) for r in rows[1:]] == [
        (middle[0].pk, "test.middle"), (late[0].pk, "test.late"), (late[0].pk + 1, "audit.export")]
    assert rows[1][1].startswith("2026-04-03T08:00:00+08:00")
    assert not text.startswith("\ufeff")


def test_export_jsonl_with_filters_and_audit_of_the_export(spread):
    early, middle, late = spread
    text = run("export", "--format", "jsonl", "--action", "test.early", "--object-id", "e")
    rows = [json.loads(line) for line in text.splitlines()]
    assert [r["id"] for r in rows] == [r.pk for r in early]
    assert rows[0]["changes"] == {"i": [None, 0]} and rows[0]["remark"] == "e-0"
    exported = AuditRecord.objects.filter(action="audit.export").order_by("-id").first()
    assert exported.changes["format"] == [None, "jsonl"]
    assert exported.changes["filters"][1] == {"action": "test.early", "object_id": "e"}
    assert exported.actor_name == "system"


def test_export_rejects_a_bad_date():
    with pytest.raises(CommandError, match="--since"):
        run("export", "--since", "2026-13-45")


def test_export_csv_can_start_with_a_bom():
    _write("bom")
    assert run("export", "--bom", "--action", "test.cmd").startswith("\ufeff")


# --- retention floor ------------------------------------------------------------------------


def test_retention_below_180_days_is_refused_by_the_helper():
    assert MIN_RETENTION_DAYS == 180
    assert validate_retention_days("180") == 180
    with pytest.raises(ImproperlyConfigured, match="at least 180"):
        validate_retention_days(179)
    with pytest.raises(ImproperlyConfigured):
        validate_retention_days("half a year")


@pytest.mark.parametrize("value,ok", [("90", False), ("179", False), ("180", True),
                                      ("365", True)])
def test_settings_refuse_retention_below_180_days(monkeypatch, tmp_path, value, ok):
    # The settings module itself, run afresh with the variable set.
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", value)
    monkeypatch.setenv("GRIDGOV_DATA_DIR", str(tmp_path))
    if ok:
        namespace = runpy.run_path(project_settings.__file__)
        assert namespace["AUDIT_RETENTION_DAYS"] == int(value)
    else:
        with pytest.raises(ImproperlyConfigured, match="AUDIT_RETENTION_DAYS"):
            runpy.run_path(project_settings.__file__)


def test_purge_refuses_retention_below_180_days(settings):
    settings.AUDIT_RETENTION_DAYS = 90  # e.g. overridden after start-up
    with pytest.raises(ImproperlyConfigured):
        purge_expired(now=NOW)
    with pytest.raises(CommandError, match="at least 180"):
        run("purge")
    with pytest.raises(ImproperlyConfigured):
        purge_expired(now=NOW, retention_days=179)


# --- purge ----------------------------------------------------------------------------------


@pytest.fixture
def aged(clock, settings, purge_role):
    """Chains that start 400 and 390 days before NOW and go on 10 days before it, all sealed."""
    settings.AUDIT_RETENTION_DAYS = 365
    clock.set(2025, 10, 16, 9)  # 400 days before NOW
    old_a = _write("a", 3)
    only_old = _write("o", 2)
    clock.set(2025, 10, 26, 9)  # 390 days
    old_a += _write("a", 1)
    clock.set(2026, 11, 10, 9)  # 10 days
    new_a = _write("a", 2)
    new_b = _write("b", 1)
    anchor_closed_days(until=dt.date(2026, 11, 20))
    clock.set(2026, 11, 20, 20)
    return {"old_a": old_a, "only_old": only_old, "new_a": new_a, "new_b": new_b}


def test_purge_removes_whole_anchored_days_older_than_retention(aged, clock):
    assert verify_all().ok
    plan = plan_purge(now=NOW)
    assert plan.keep_from == dt.date(2025, 11, 20)
    assert plan.cut_day == dt.date(2025, 10, 26)
    assert (plan.records, plan.anchors) == (6, 2)

    done = purge_expired(now=NOW)

    assert (done.records, done.anchors) == (6, 2)
    old_ids = [r.pk for r in aged["old_a"] + aged["only_old"]]
    assert not AuditRecord.objects.filter(pk__in=old_ids).exists()
    assert AuditRecord.objects.filter(pk__in=[r.pk for r in aged["new_a"]]).count() == 2
    assert not AuditAnchor.objects.filter(day__lte=dt.date(2025, 10, 26)).exists()
    mark = AuditPurgeMark.objects.get()
    assert mark.cut_day == dt.date(2025, 10, 26) and mark.records_purged == 6
    head = ChainHead.objects.get(chain_key="test.thing:a")
    assert (head.purged_seq, head.purged_hash) == (4, aged["old_a"][-1].hash)
    # The purge itself is audited.
    purge_record = AuditRecord.objects.get(action="audit.purge", object_id=str(mark.pk))
    assert purge_record.changes["records"] == [None, 6]

    result = verify_all()
    assert result.ok, result.broken
    assert result.purge_marks == 1

    # Chains go on after the purge (a fully purged one too) ...
    clock.set(2026, 11, 21, 9)
    _write("a")
    _write("o")
    # ... nothing more is old enough ...
    assert purge_expired(now=NOW).cut_day is None
    # ... and new days still chain to the kept anchors.
    sealed = anchor_closed_days(until=dt.date(2026, 11, 22))
    assert [a.day for a in sealed] == [dt.date(2026, 11, 20), dt.date(2026, 11, 21)]
    assert verify_all().ok


def test_purge_keeps_everything_younger_than_retention(aged, settings):
    settings.AUDIT_RETENTION_DAYS = 395  # keep from 2025-10-21: only 2025-10-16 may go
    plan = purge_expired(now=NOW)
    assert plan.cut_day == dt.date(2025, 10, 16)
    assert AuditRecord.objects.filter(pk=aged["old_a"][-1].pk).exists()
    assert verify_all().ok


def test_purge_leaves_the_database_guard_on(aged):
    purge_expired(now=NOW)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s",
                           [aged["new_a"][0].pk])


def test_deleting_after_the_purge_is_still_caught(aged):
    purge_expired(now=NOW)
    first_kept = aged["new_a"][0]
    tamper("DELETE FROM audit_auditrecord WHERE id = %s", [first_kept.pk])
    broken = verify_all().broken
    assert broken.message == verify.GAP and broken.record_id == aged["new_a"][1].pk
    # Moving the chain's purge point to hide it: the head guard refuses it ...
    with pytest.raises(DatabaseError, match="chain heads only move forward"), \
            transaction.atomic():
        ChainHead.objects.filter(chain_key="test.thing:a").update(purged_seq=5,
                                                                  purged_hash=first_kept.hash)
    # ... and done with the triggers off, it breaks the sealed purge mark instead.
    tamper("UPDATE audit_chainhead SET purged_seq = 5, purged_hash = %s WHERE chain_key = %s",
           [first_kept.hash, "test.thing:a"])
    broken = verify_all().broken
    assert broken.message == verify.PURGE and "purge points of chain heads changed" in str(broken)


def test_deleting_the_purge_mark_is_caught(aged):
    purge_expired(now=NOW)
    tamper("DELETE FROM audit_auditpurgemark")
    broken = verify_all().broken
    assert broken.message in (verify.PURGE, verify.ANCHOR_CHAIN)
    assert not verify_all().ok


def test_purge_refuses_a_broken_log(aged):
    tamper("UPDATE audit_auditrecord SET remark = 'x' WHERE id = %s", [aged["new_b"][0].pk])
    with pytest.raises(PurgeRefused, match="does not verify"):
        purge_expired(now=NOW)
    assert AuditRecord.objects.filter(pk=aged["old_a"][0].pk).exists()


def test_purge_command_dry_run_and_run(aged, monkeypatch):
    monkeypatch.setattr("gridgov.audit.actions.timezone.now", lambda: NOW)
    assert run("purge", "--dry-run").strip() == (
        "would purge 6 records and 2 anchors up to 2025-10-26 (keeping from 2025-11-20)")
    assert AuditRecord.objects.filter(pk=aged["old_a"][0].pk).exists()
    assert run("purge").strip() == (
        "purged 6 records and 2 anchors up to 2025-10-26 (keeping from 2025-11-20)")
    assert run("verify").startswith("OK:")


def test_only_the_audit_admin_may_purge_as_a_person(aged, sys_admin, audit_admin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        purge_expired(actor=sys_admin, now=NOW)
    assert purge_expired(actor=audit_admin, now=NOW).records == 6


def test_after_purging_every_anchor_the_next_one_chains_to_the_purge_mark(clock, settings,
                                                                          purge_role):
    settings.AUDIT_RETENTION_DAYS = 365
    clock.set(2025, 10, 16, 9)
    _write("p", 2)
    (old_anchor,) = anchor_closed_days(until=dt.date(2025, 10, 17))
    clock.set(2026, 11, 19, 9)
    purge_expired(now=NOW)
    assert not AuditAnchor.objects.exists()
    mark = AuditPurgeMark.objects.get()
    assert mark.anchor_hash == old_anchor.hash
    _write("p")
    (anchor,) = anchor_closed_days(until=dt.date(2026, 11, 20))
    assert anchor.day == dt.date(2026, 11, 19) and anchor.prev_hash == old_anchor.hash
    assert verify_all().ok
