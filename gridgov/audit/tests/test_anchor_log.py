"""The copy of the seals outside the database: written after commit with fsync, logged, and
compared by ``gridgov audit verify`` so that deleting records *and* seals is still caught."""

import datetime as dt
import io
import json
import logging
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from gridgov.audit import anchor_log, verify
from gridgov.audit.actions import purge_expired
from gridgov.audit.anchor import anchor_closed_days
from gridgov.audit.keys import Keyring
from gridgov.audit.models import AuditCheckpoint
from gridgov.audit.recorder import record
from gridgov.audit.seal import seal_now
from gridgov.audit.tests.tamper import tamper
from gridgov.audit.verify import verify_all

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 5, 10, tzinfo=TZ)


def _write(key, n=1):
    out = []
    for _ in range(n):
        with transaction.atomic():
            out.append(record("test.log", object_type="test.thing", object_id=key))
    return out


@pytest.fixture
def sealed(clock, django_capture_on_commit_callbacks):
    """A closed day anchored and today checkpointed, with their lines in the anchor log."""
    clock.set(2026, 3, 1, 9)
    _write("a", 2)
    clock.set(2026, 3, 5, 9)
    _write("b", 2)
    with django_capture_on_commit_callbacks(execute=True):
        anchors, checkpoint = seal_now(NOW)
    return anchors[0], checkpoint


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _verify(*args):
    out = io.StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def test_each_seal_is_copied_after_commit_with_fsync(clock, anchor_log_file, monkeypatch,
                                                     caplog, django_capture_on_commit_callbacks):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(anchor_log.os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    clock.set(2026, 3, 5, 9)
    _write("a")
    # A seal that rolls back leaves no line.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            seal_now(NOW)
            transaction.set_rollback(True)
    assert callbacks == [] and not anchor_log_file.exists()
    caplog.set_level(logging.INFO, logger="gridgov.audit.anchors")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _anchors, checkpoint = seal_now(NOW)
        assert not anchor_log_file.exists()  # not before the commit
    assert len(callbacks) == 1 and len(synced) == 1
    (line,) = _lines(anchor_log_file)
    assert line == {"kind": "checkpoint", "day": "2026-03-05", "upto_id": checkpoint.upto_id,
                    "record_count": 1, "records_digest": checkpoint.records_digest,
                    "at": "2026-03-05T02:00:00.000000+00:00",
                    "prev_hash": checkpoint.prev_hash, "hash": checkpoint.hash}
    assert json.loads(caplog.records[-1].getMessage()) == line


def test_verify_compares_the_copy_with_the_database(sealed, anchor_log_file):
    assert _verify().startswith("OK: ")
    # The attacker deletes the latest checkpoint: the database alone still verifies ...
    tamper("DELETE FROM audit_auditcheckpoint")
    assert verify_all().ok
    # ... the copy does not.
    broken = verify_all(anchor_log=anchor_log_file).broken
    assert broken.kind == verify.ANCHOR_LOG and broken.day == dt.date(2026, 3, 5)
    assert "checkpoint 2026-03-05 up to record" in str(broken)
    with pytest.raises(CommandError) as excinfo:
        _verify()
    assert excinfo.value.returncode == 1


def test_deleting_everything_is_broken_with_the_copy(sealed, anchor_log_file, tmp_path):
    tamper("DELETE FROM audit_auditrecord")
    tamper("DELETE FROM audit_chainhead")
    tamper("DELETE FROM audit_auditanchor")
    tamper("DELETE FROM audit_auditcheckpoint")
    assert verify_all().summary() == "OK: 0 records, 0 chains, 0 anchors"
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--anchor-log", str(anchor_log_file), stdout=out)
    assert out.getvalue().startswith(
        "BROKEN: seal in the anchor log missing or changed in the database (seals deleted) at "
        "day 2026-03-01 (anchor 2026-03-01 missing from the database")
    # Pointed at another (empty) place, nothing can be compared: said so, not hidden.
    assert _verify("--anchor-log", str(tmp_path / "elsewhere.jsonl")).startswith("OK: 0 records")


def test_a_missing_copy_is_a_warning(sealed, tmp_path):
    out = _verify("--anchor-log", str(tmp_path / "gone.jsonl"))
    lines = out.splitlines()
    assert lines[0].startswith("OK: ")
    assert lines[1] == (f"WARNING: anchor log {tmp_path / 'gone.jsonl'} not found: 2 seals in "
                        f"the database cannot be compared with a copy outside it")


def test_seals_missing_from_the_copy_are_a_warning(sealed, anchor_log_file):
    anchor_log_file.write_text(anchor_log_file.read_text().splitlines()[0] + "\n")
    result = verify_all(anchor_log=anchor_log_file)
    assert result.ok
    assert result.warnings == [f"1 seals in the database are not in the anchor log "
                               f"{anchor_log_file} (written before it existed, or lost in a "
                               f"crash after commit)"]


def test_a_forged_or_garbled_line_is_broken(sealed, anchor_log_file):
    lines = _lines(anchor_log_file)
    forged = dict(lines[1], record_count=99)
    with anchor_log_file.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")
    broken = verify_all(anchor_log=anchor_log_file).broken
    assert broken.kind == verify.ANCHOR_LOG and "not signed with the audit key" in str(broken)
    anchor_log_file.write_text("{not json\n")
    broken = verify_all(anchor_log=anchor_log_file).broken
    assert "line 1" in str(broken) and "unreadable" in str(broken)


def test_a_changed_seal_differs_from_its_copy(sealed, anchor_log_file):
    _anchor, checkpoint = sealed
    # Replaced by a different checkpoint with the same name (a forged one: its HMAC fails too).
    tamper("UPDATE audit_auditcheckpoint SET hash = %s WHERE id = %s", ["f" * 64, checkpoint.pk])
    result = verify_all(anchor_log=anchor_log_file)
    assert result.problems >= 2
    problems, _warnings = anchor_log.check(anchor_log_file, Keyring(), None)
    assert [detail for _day, detail in problems if "differs in the database" in detail]


def test_a_write_failure_is_logged_not_raised(clock, settings, tmp_path, caplog,
                                              django_capture_on_commit_callbacks):
    blocker = tmp_path / "file"
    blocker.write_text("")
    settings.GRIDGOV_AUDIT_ANCHOR_LOG = str(blocker / "sub" / "anchors.jsonl")
    clock.set(2026, 3, 5, 9)
    _write("a")
    with django_capture_on_commit_callbacks(execute=True):
        assert seal_now(NOW)[1] is not None
    assert "could not append to the audit anchor log" in caplog.text
    assert AuditCheckpoint.objects.exists()


def test_purged_days_may_leave_the_database(clock, settings, purge_role, anchor_log_file,
                                           django_capture_on_commit_callbacks):
    settings.AUDIT_RETENTION_DAYS = 365
    clock.set(2025, 10, 16, 9)
    _write("p", 2)
    clock.set(2026, 11, 10, 9)
    _write("p")
    with django_capture_on_commit_callbacks(execute=True):
        anchor_closed_days(until=dt.date(2026, 11, 20))
        clock.set(2026, 11, 20, 20)  # the purge's own record
        purge_expired(now=dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC))
    kinds = [line["kind"] for line in _lines(anchor_log_file)]
    assert kinds == ["anchor", "anchor", "purge"]
    result = verify_all(anchor_log=anchor_log_file)
    assert result.ok, result.broken
    # Deleting the purge mark as well leaves the first anchor's line unexplained.
    tamper("DELETE FROM audit_auditpurgemark")
    assert not verify_all(anchor_log=anchor_log_file).ok
