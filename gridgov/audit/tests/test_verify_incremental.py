# ruff: noqa: F811  (the ``scene`` fixture of the tamper cases, imported, is used by name)
"""Incremental verification (issue 16): a run builds on the signed checkpoint of the last
successful one, recomputes only the records written since (and the days sealed since), and
still catches what matters; ``--full`` recomputes everything and is the only mode that catches
an edit of a record verified before. The checkpoint cannot be forged to skip records."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from gridgov.audit import verified, verify
from gridgov.audit.models import AuditRecord, AuditVerification
from gridgov.audit.tests.tamper import tamper
from gridgov.audit.tests.test_tamper_cases import CASES, _write, scene  # noqa: F401
from gridgov.audit.verify import verify_all

pytestmark = pytest.mark.django_db


def _incremental(anchor_log_file, **kwargs):
    return verify_all(anchor_log=anchor_log_file, incremental=True, **kwargs)


def test_a_successful_run_leaves_a_signed_checkpoint(scene):
    v = AuditVerification.objects.get()  # written by the scene's full run
    total = AuditRecord.objects.count()  # the demo's records and the scene's
    assert v.mode == verify.FULL and v.records_checked == total and v.record_count == total
    assert v.anchor_day == dt.date(2026, 3, 1)
    assert v.hash == verified.signature(v)


def test_incremental_recomputes_only_the_new_records(scene, clock, anchor_log_file):
    before = AuditRecord.objects.count()
    clock.set(2026, 3, 5, 11)
    _write("tx", 2)
    _write("new", 1)
    result = _incremental(anchor_log_file)
    assert result.ok, result.broken
    assert result.mode == verify.INCREMENTAL
    assert result.records == 3 and result.chains == 2
    assert result.verified_before == before
    assert "incremental: 3 new records recomputed" in result.summary()
    # Its own checkpoint: the next run has nothing new to recompute.
    again = _incremental(anchor_log_file)
    assert again.ok and again.records == 0
    assert AuditVerification.objects.order_by("-id").first().record_count == before + 3


def test_incremental_catches_an_edited_new_record(scene, clock, anchor_log_file):
    clock.set(2026, 3, 5, 11)
    new = _write("tx", 2)
    tamper("UPDATE audit_auditrecord SET remark = 'changed' WHERE id = %s", [new[0].pk])
    result = _incremental(anchor_log_file)
    assert result.mode == verify.INCREMENTAL
    assert result.broken.kind == verify.EDITED and result.broken.record_id == new[0].pk


def test_incremental_catches_a_new_record_linked_to_a_deleted_old_one(scene, clock,
                                                                      anchor_log_file):
    clock.set(2026, 3, 5, 11)
    new = _write("tx", 1)[0]
    previous = scene["today"]["x"][-1]
    tamper("DELETE FROM audit_auditrecord WHERE id = %s", [previous.pk])
    result = _incremental(anchor_log_file)
    kinds = {verify.GAP, verify.VERIFIED}
    assert result.broken.kind in kinds and result.problems >= 2
    assert result.broken.record_id in (new.pk, None)


def test_an_edit_of_a_verified_record_needs_full(scene, anchor_log_file):
    """The documented limit: incremental does not recompute what it verified before."""
    old = scene["closed"]["x"][1]
    tamper("UPDATE audit_auditrecord SET remark = 'changed' WHERE id = %s", [old.pk])
    assert _incremental(anchor_log_file).ok
    full = verify_all(anchor_log=anchor_log_file)
    assert full.mode == verify.FULL
    assert full.broken.kind == verify.EDITED and full.broken.record_id == old.pk


@pytest.mark.parametrize("day", ["today", "closed"])
@pytest.mark.parametrize("case", ["insert", "delete-middle", "delete-tail-head-moved-back",
                                  "delete-chain-and-head", "delete-everything"])
def test_incremental_catches_records_deleted_or_inserted(scene, anchor_log_file, case, day):
    attack = CASES[case][0]
    for sql, params in attack(scene[day]):
        tamper(sql, params)
    result = _incremental(anchor_log_file)
    assert not result.ok, case
    assert result.mode == verify.INCREMENTAL or case == "delete-everything"


def test_a_forged_checkpoint_is_broken_and_the_run_is_full(scene, anchor_log_file):
    old = scene["closed"]["x"][1]
    tamper("UPDATE audit_auditrecord SET remark = 'changed' WHERE id = %s", [old.pk])
    v = AuditVerification.objects.get()
    # Whoever cannot sign moves the checkpoint past the edited record's re-verification...
    tamper("UPDATE audit_auditverification SET upto_id = upto_id + 100, "
           "record_count = record_count + 1 WHERE id = %s", [v.pk])
    result = _incremental(anchor_log_file)
    assert result.mode == verify.FULL and "does not verify" in result.fallback
    kinds = {link for link in (verify.FORGED, verify.EDITED)}
    assert result.broken.kind in kinds and result.problems == 2
    # ... or writes one of his own with a made-up hash.
    AuditVerification(upto_id=10**9, record_count=10, mode="full", records_checked=0,
                      at=dt.datetime(2026, 3, 6, tzinfo=dt.UTC), hash="f" * 64).save()
    assert not _incremental(anchor_log_file).ok


def test_a_checkpoint_under_a_retired_key_makes_the_run_full(scene, anchor_log_file, settings):
    with override_settings(AUDIT_HMAC_KEY="new-key-" + "x" * 32,
                           AUDIT_HMAC_KEYS_OLD=[settings.AUDIT_HMAC_KEY]):
        base, why, forged = verified.usable(verify.Keyring())
    assert base is None and "retired key" in why and not forged


def test_nothing_saved_when_broken(scene, anchor_log_file):
    tamper("DELETE FROM audit_auditrecord WHERE id = %s", [scene["closed"]["x"][1].pk])
    assert not verify_all(anchor_log=anchor_log_file).ok
    assert AuditVerification.objects.count() == 1


def test_records_younger_than_the_grace_are_left_to_the_next_run(scene, clock, anchor_log_file):
    clock.set(2026, 3, 5, 11)
    new = _write("tx", 1)[0]
    at = dt.datetime(2026, 3, 5, 11, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert _incremental(anchor_log_file, now=at).ok
    assert AuditVerification.objects.order_by("-id").first().upto_id < new.pk


def _run(*args):
    out = io.StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def test_command_says_which_mode_ran(scene, clock):
    clock.set(2026, 3, 5, 11)
    _write("tx", 1)
    text = _run()
    assert "MODE: incremental" in text and "1 new records recomputed" in text
    text = _run("--full")
    assert text.startswith(f"OK: {AuditRecord.objects.count()} records")
    assert "MODE: full: every record" in text
    old = scene["closed"]["x"][0]
    tamper("UPDATE audit_auditrecord SET remark = 'changed' WHERE id = %s", [old.pk])
    assert "MODE: incremental" in _run()
    with pytest.raises(CommandError):
        _run("--full")


def test_first_command_run_is_full(clock):
    clock.set(2026, 3, 5, 11)
    _write("solo", 2)
    text = _run()
    assert "MODE: full" in text and "no earlier verification" in text


def test_verify_page_says_it_runs_full_and_shows_the_last_run(client_as, audit_admin, clock):
    clock.set(2026, 3, 5, 11)
    _write("page", 1)
    assert verify_all().ok
    response = client_as(audit_admin).get(reverse("audit:verify"))
    text = response.content.decode()
    assert "本页的校验为完整校验" in text and "--full" in text
    v = AuditVerification.objects.get()
    assert f"#{v.upto_id}" in text
