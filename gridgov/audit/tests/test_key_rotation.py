"""Rotating AUDIT_HMAC_KEY: what the old key signed still verifies, what the new key signs
verifies, and the old key can neither add records after the rotation nor rewrite what it
signed before (the rotation record pins the seals, HMAC'd with the new key)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse

from gridgov.audit import verify
from gridgov.audit.actions import RotationRefused, record_key_rotation
from gridgov.audit.chain import checkpoint_digest, checkpoint_hash, record_hash
from gridgov.audit.keys import current_key, key_id
from gridgov.audit.models import AuditCheckpoint, AuditKeyEpoch, AuditRecord
from gridgov.audit.recorder import record
from gridgov.audit.seal import seal_now
from gridgov.audit.tests.tamper import db_datetime, json_param, tamper
from gridgov.audit.verify import verify_all

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
KEY_B = "b" * 48
KEY_C = "c" * 48


def at(hour, minute=0):
    return dt.datetime(2026, 3, 5, hour, minute, tzinfo=TZ)


def _write(key, n=1):
    out = []
    for _ in range(n):
        with transaction.atomic():
            out.append(record("test.rotate", object_type="test.thing", object_id=key,
                              after={"k": key}))
    return out


@pytest.fixture
def rotated(clock, settings, django_capture_on_commit_callbacks, anchor_log_file):
    """A log written and sealed under key A, then the server restarted with key B (A kept as
    old) and the rotation recorded."""
    key_a = current_key()
    clock.set(2026, 3, 1, 9)
    _write("x", 2)
    clock.set(2026, 3, 5, 9)
    before = _write("y", 2)
    with django_capture_on_commit_callbacks(execute=True):
        seal_now(at(10))
    settings.AUDIT_HMAC_KEY = KEY_B
    settings.AUDIT_HMAC_KEYS_OLD = [key_a.decode()]
    # Until the rotation is recorded, nothing tells old records from new forgeries.
    broken = verify_all().broken
    assert broken.kind == verify.RETIRED and "no rotation is recorded" in str(broken)
    with django_capture_on_commit_callbacks(execute=True):
        epoch = record_key_rotation(now=at(10, 30))
    return {"key_a": key_a, "before": before, "epoch": epoch}


def test_old_records_verify_with_the_old_key_new_ones_with_the_new(
        rotated, clock, anchor_log_file, django_capture_on_commit_callbacks):
    epoch = rotated["epoch"]
    assert (epoch.key_id, epoch.retired_key_id) == (key_id(KEY_B.encode()),
                                                    key_id(rotated["key_a"]))
    assert epoch.upto_id >= rotated["before"][-1].pk
    assert epoch.checkpoint_hash == AuditCheckpoint.objects.get().hash
    assert AuditRecord.objects.filter(action="audit.rotate_key").exists()
    clock.set(2026, 3, 5, 10, 40)
    (after,) = _write("y")
    assert after.hash == record_hash(after, after.prev_hash, KEY_B.encode())
    with django_capture_on_commit_callbacks(execute=True):
        assert seal_now(at(11))[1].upto_id == after.pk
    result = verify_all(anchor_log=anchor_log_file)
    assert result.ok, result.broken
    assert result.key_epochs == 1 and not result.warnings
    assert result.summary().endswith(", 1 key rotations")


def test_forging_with_the_old_key_after_the_rotation_is_caught(rotated):
    last = rotated["before"][-1]
    columns = ["chain_key", "seq", "at", "actor_id", "actor_name", "role", "action",
               "object_type", "object_id", "object_repr", "changes", "remark", "request_id",
               "client_ip", "prev_hash", "hash"]
    forged = AuditRecord(**{name: getattr(last, name) for name in columns if name != "hash"})
    forged.seq, forged.remark = last.seq + 1, "forged with the leaked old key"
    forged.prev_hash = last.hash
    forged.hash = record_hash(forged, last.hash, rotated["key_a"])
    values = {name: getattr(forged, name) for name in columns}
    values.update(at=db_datetime(forged.at), changes=json.dumps(forged.changes))
    placeholders = ", ".join(json_param() if c == "changes" else "%s" for c in columns)
    tamper(f"INSERT INTO audit_auditrecord ({', '.join(columns)}) VALUES ({placeholders})",
           [values[c] for c in columns])
    tamper("UPDATE audit_chainhead SET seq = %s, last_hash = %s WHERE chain_key = %s",
           [forged.seq, forged.hash, forged.chain_key])
    broken = verify_all().broken
    assert broken.kind == verify.RETIRED
    assert f"was retired after record {rotated['epoch'].upto_id}" in str(broken)


def test_rewriting_history_with_the_old_key_is_caught_by_the_rotation_pin(rotated):
    key_a = rotated["key_a"]
    victim = rotated["before"][-1]
    # Edit the record and re-sign it, its head and the day's checkpoint, all with key A.
    victim.remark = "rewritten"
    new_hash = record_hash(victim, victim.prev_hash, key_a)
    tamper("UPDATE audit_auditrecord SET remark = %s, hash = %s WHERE id = %s",
           ["rewritten", new_hash, victim.pk])
    tamper("UPDATE audit_chainhead SET last_hash = %s WHERE chain_key = %s",
           [new_hash, victim.chain_key])
    checkpoint = AuditCheckpoint.objects.get()
    hashes = AuditRecord.objects.filter(
        at__gte=at(0), at__lt=at(23, 59), pk__lte=checkpoint.upto_id).order_by("id")
    checkpoint.records_digest = checkpoint_digest("", hashes.values_list("hash", flat=True))
    checkpoint.hash = checkpoint_hash(checkpoint, checkpoint.prev_hash, key_a)
    tamper("UPDATE audit_auditcheckpoint SET records_digest = %s, hash = %s WHERE id = %s",
           [checkpoint.records_digest, checkpoint.hash, checkpoint.pk])
    result = verify_all()
    assert result.problems == 1
    assert result.broken.kind == verify.EPOCH
    assert "pinned checkpoint 2026-03-05" in str(result.broken)


def test_dropping_the_old_key_breaks_what_it_signed(rotated, settings):
    settings.AUDIT_HMAC_KEYS_OLD = []
    broken = verify_all().broken
    assert broken.kind == verify.EDITED


def test_deleting_the_rotation_record_is_caught(rotated, anchor_log_file):
    tamper("DELETE FROM audit_auditkeyepoch")
    assert verify_all().broken.kind == verify.RETIRED
    assert not verify_all(anchor_log=anchor_log_file).ok


def test_a_second_rotation(rotated, settings, clock):
    settings.AUDIT_HMAC_KEY = KEY_C
    settings.AUDIT_HMAC_KEYS_OLD = [KEY_B, rotated["key_a"].decode()]
    second = record_key_rotation(now=at(12))
    assert second.retired_key_id == key_id(KEY_B.encode())
    assert second.prev_hash == rotated["epoch"].hash
    clock.set(2026, 3, 5, 12, 5)
    _write("z")
    assert verify_all().ok
    assert AuditKeyEpoch.objects.count() == 2


def test_rotation_is_refused_when_there_is_nothing_to_rotate(settings, rotated):
    with pytest.raises(RotationRefused, match="already recorded"):
        record_key_rotation()
    settings.AUDIT_HMAC_KEYS_OLD = []
    with pytest.raises(RotationRefused, match="AUDIT_HMAC_KEYS_OLD is empty"):
        record_key_rotation()
    with pytest.raises(CommandError, match="rotation refused"):
        call_command("audit", "rotate-key", stdout=io.StringIO())


def test_rotate_key_command(settings):
    key_a = current_key()
    _write("cmd")
    settings.AUDIT_HMAC_KEY = KEY_B
    settings.AUDIT_HMAC_KEYS_OLD = key_a.decode()  # a comma-separated string works too
    out = io.StringIO()
    call_command("audit", "rotate-key", stdout=out)
    assert out.getvalue().startswith(
        f"recorded the rotation from key {key_id(key_a)} to {key_id(KEY_B.encode())}")
    assert verify_all().ok


def test_record_page_checks_an_old_record_with_the_old_key(rotated, client_as, audit_admin):
    old = rotated["before"][0]
    response = client_as(audit_admin).get(reverse("audit:record", args=[old.pk]))
    assert response.status_code == 200 and response.context["hash_ok"] is True
