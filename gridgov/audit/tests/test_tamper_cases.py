"""The tamper cases of issue 9 (edit, insert, delete middle, delete tail with the head moved
back, delete a whole chain with its head, delete everything, swap record ids), each on the
current day (sealed so far by a checkpoint) and on a closed day (sealed by its anchor).

Each attack is first tried as an ordinary database session: the triggers refuse it. Then the
attacker is a superuser who switches the triggers off (``tamper.guards_lifted``), and
``verify`` must still catch it. Deleting everything leaves a database that verifies on its
own; the copy of the seals outside it (the anchor log) is what catches that.
"""

import datetime as dt
import json

import pytest
from django.db import DatabaseError, connection, transaction

from gridgov.audit import verify
from gridgov.audit.models import AuditCheckpoint, AuditRecord
from gridgov.audit.recorder import record
from gridgov.audit.seal import seal_now
from gridgov.audit.tests.tamper import db_datetime, guards_lifted, json_param
from gridgov.audit.verify import verify_all

pytestmark = pytest.mark.django_db

CLOSED_DAY = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 3, 5)
TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 5, 10, tzinfo=TZ)  # the server seals at 10:00 on TODAY


def _write(key, n):
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(record("test.tamper", object_type="test.thing", object_id=key,
                              after={"i": i}, remark=f"{key}-{i}"))
    return out


@pytest.fixture
def scene(clock, django_capture_on_commit_callbacks, anchor_log_file):
    """Two chains on a closed day and two on the current day, then one seal as the server
    makes it: the closed day anchored, the current day checkpointed, both copied to the
    anchor log."""
    clock.set(2026, 3, 1, 9)
    closed = {"x": _write("x", 3), "z": _write("z", 2)}
    clock.set(2026, 3, 5, 9)
    today = {"x": _write("tx", 3), "z": _write("tz", 2)}
    with django_capture_on_commit_callbacks(execute=True):
        anchors, checkpoint = seal_now(NOW)
    assert [a.day for a in anchors] == [CLOSED_DAY]
    assert checkpoint.day == TODAY and checkpoint.upto_id == today["z"][-1].pk
    assert len(anchor_log_file.read_text().splitlines()) == 2
    result = verify_all(anchor_log=anchor_log_file)
    assert result.ok and not result.warnings, (result.broken, result.warnings)
    return {"closed": closed, "today": today}


def _edit(records):
    target = records["x"][1]
    return [("UPDATE audit_auditrecord SET remark = 'changed' WHERE id = %s", [target.pk])]


def _insert(records):
    # A forged record appended to chain x, its head moved on to it (moving forward is allowed).
    last = records["x"][-1]
    columns = ["chain_key", "seq", "at", "actor_id", "actor_name", "role", "action",
               "object_type", "object_id", "object_repr", "changes", "remark", "request_id",
               "client_ip", "prev_hash", "hash"]
    values = {name: getattr(last, name) for name in columns}
    values.update(seq=last.seq + 1, at=db_datetime(last.at), changes=json.dumps({"i": 9}),
                  remark="forged", prev_hash=last.hash, hash="e" * 64)
    placeholders = ", ".join(json_param() if c == "changes" else "%s" for c in columns)
    return [
        (f"INSERT INTO audit_auditrecord ({', '.join(columns)}) VALUES ({placeholders})",
         [values[c] for c in columns]),
        ("UPDATE audit_chainhead SET seq = %s, last_hash = %s WHERE chain_key = %s",
         [last.seq + 1, "e" * 64, last.chain_key]),
    ]


def _delete_middle(records):
    return [("DELETE FROM audit_auditrecord WHERE id = %s", [records["x"][1].pk])]


def _delete_tail(records):
    victim, previous = records["x"][-1], records["x"][-2]
    return [
        ("DELETE FROM audit_auditrecord WHERE id = %s", [victim.pk]),
        ("UPDATE audit_chainhead SET seq = %s, last_hash = %s WHERE chain_key = %s",
         [previous.seq, previous.hash, previous.chain_key]),
    ]


def _delete_chain(records):
    key = records["z"][0].chain_key
    return [("DELETE FROM audit_auditrecord WHERE chain_key = %s", [key]),
            ("DELETE FROM audit_chainhead WHERE chain_key = %s", [key])]


def _delete_all(records):
    return [(f"DELETE FROM {table}", []) for table in (
        "audit_auditrecord", "audit_chainhead", "audit_auditanchor", "audit_auditcheckpoint",
        "audit_auditpurgemark", "audit_auditkeyepoch")]


def _swap_ids(records):
    # Two records of the same day trade places in id order (each chain stays intact).
    a, b = records["x"][0].pk, records["z"][0].pk
    return [("UPDATE audit_auditrecord SET id = %s WHERE id = %s", [-a, a]),
            ("UPDATE audit_auditrecord SET id = %s WHERE id = %s", [a, b]),
            ("UPDATE audit_auditrecord SET id = %s WHERE id = %s", [b, -a])]


# case -> (statements, refused by the triggers?, what verify reports on the current day, on
# the closed day)
CASES = {
    "edit": (_edit, True, {verify.EDITED}, {verify.EDITED}),
    "insert": (_insert, False, {verify.EDITED}, {verify.EDITED}),
    "delete-middle": (_delete_middle, True, {verify.GAP}, {verify.GAP}),
    "delete-tail-head-moved-back": (_delete_tail, True, {verify.CHECKPOINT}, {verify.ANCHOR}),
    "delete-chain-and-head": (_delete_chain, True, {verify.CHECKPOINT}, {verify.ANCHOR}),
    "delete-everything": (_delete_all, True, {verify.ANCHOR_LOG}, {verify.ANCHOR_LOG}),
    "swap-ids": (_swap_ids, True, {verify.CHECKPOINT}, {verify.ANCHOR}),
}


@pytest.mark.parametrize("day", ["today", "closed"])
@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_refused_and_still_caught(scene, anchor_log_file, case, day):
    attack, refused, today_kinds, closed_kinds = CASES[case]
    statements = attack(scene[day])
    if refused:
        # An ordinary session: the first statement is refused (the rest would be too).
        sql, params = statements[0]
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        assert verify_all(anchor_log=anchor_log_file).ok
    # A superuser with the triggers off.
    with guards_lifted() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    result = verify_all(anchor_log=anchor_log_file)
    assert not result.ok
    kinds = today_kinds if day == "today" else closed_kinds
    kind = result.broken.kind
    assert kind in kinds, str(result.broken)
    if kind == verify.CHECKPOINT:
        assert result.broken.day == TODAY
    if kind == verify.ANCHOR:
        assert result.broken.day == CLOSED_DAY
    if case == "delete-everything":
        # The database alone says nothing is wrong: only the copy outside it can tell.
        alone = verify_all()
        assert alone.ok and alone.records == 0
        assert "missing from the database" in str(result.broken)


def test_records_younger_than_the_last_checkpoint_are_the_window(scene, clock,
                                                                 anchor_log_file):
    """What stays possible (docs/decisions/0001-audit-chain.md): a record written after the
    last checkpoint, cut from the end of its chain with the head moved back by somebody who
    can switch the triggers off, is not caught. The window is at most
    GRIDGOV_AUDIT_SEAL_SECONDS plus the grace period (the next test)."""
    clock.set(2026, 3, 5, 9, 58)
    late = _write("tx", 1)[0]
    previous = scene["today"]["x"][-1]
    assert late.pk > AuditCheckpoint.objects.get(day=TODAY).upto_id
    with guards_lifted() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [late.pk])
        cursor.execute("UPDATE audit_chainhead SET seq = %s, last_hash = %s "
                       "WHERE chain_key = %s", [previous.seq, previous.hash, previous.chain_key])
    assert verify_all(anchor_log=anchor_log_file).ok
    assert not AuditRecord.objects.filter(pk=late.pk).exists()


def test_the_next_checkpoint_closes_the_window(scene, clock, anchor_log_file):
    clock.set(2026, 3, 5, 9, 58)
    late = _write("tx", 1)[0]
    seal_now(NOW + dt.timedelta(minutes=15))
    assert AuditCheckpoint.objects.filter(day=TODAY, upto_id__gte=late.pk).exists()
    with guards_lifted() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [late.pk])
        previous = scene["today"]["x"][-1]
        cursor.execute("UPDATE audit_chainhead SET seq = %s, last_hash = %s "
                       "WHERE chain_key = %s", [previous.seq, previous.hash, previous.chain_key])
    broken = verify_all(anchor_log=anchor_log_file).broken
    assert broken.kind == verify.CHECKPOINT and "sealed 6 records, found 5" in str(broken)
