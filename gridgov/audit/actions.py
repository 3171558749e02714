"""Writes of the audit app: the retention purge, the record of a key rotation, and the audit
of reading the audit log.

Nothing here edits a record. The purge removes whole anchored days older than the retention
period (with their anchors and checkpoints) and leaves a purge mark, so ``verify_all()`` stays
valid; on PostgreSQL it runs as the purge database role (``gridgov.audit.guard``). See
docs/decisions/0001-audit-chain.md.
"""

import datetime as dt
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from gridgov.core.access import require
from gridgov.core.context import current_request_id

from . import anchor_log
from .anchor import day_bounds, local_day, local_tz
from .chain import GENESIS, HeadsDigest, epoch_hash, purge_mark_hash
from .guard import deletion_permitted, purge_alias
from .keys import Keyring
from .models import (
    AuditAnchor,
    AuditCheckpoint,
    AuditKeyEpoch,
    AuditPurgeMark,
    AuditRecord,
    ChainHead,
)
from .recorder import record
from .retention import validate_retention_days

CHUNK = 2000


class PurgeRefused(Exception):
    """The purge would destroy evidence or break the chains, so nothing was deleted."""


@dataclass
class PurgePlan:
    """What a purge removes: every record up to and including ``cut_day`` (an anchored day)."""

    keep_from: dt.date
    cut_day: dt.date | None = None
    records: int = 0
    anchors: int = 0
    mark: AuditPurgeMark | None = None


def _check_actor(actor):
    # Run by the ``gridgov audit purge`` command (no person) or, if ever wired to a page, by
    # a holder of "audit.purge" (the audit administrator) alone.
    require(actor, "audit.purge", message="only the audit administrator may purge audit records")


def plan_purge(*, now=None, retention_days=None) -> PurgePlan:
    """Which whole anchored days are older than the retention period (never below 180 days)."""
    days = validate_retention_days(
        settings.AUDIT_RETENTION_DAYS if retention_days is None else retention_days
    )
    tz = local_tz()
    keep_from = local_day(now or timezone.now(), tz) - dt.timedelta(days=days)
    anchor = AuditAnchor.objects.filter(day__lt=keep_from).order_by("-day").first()
    plan = PurgePlan(keep_from=keep_from)
    if anchor is None:
        return plan
    plan.cut_day = anchor.day
    plan.records = AuditRecord.objects.filter(at__lt=day_bounds(anchor.day, tz)[1]).count()
    plan.anchors = AuditAnchor.objects.filter(day__lte=anchor.day).count()
    return plan


def _set_purge_points(end, using) -> None:
    """Store, on each chain head, the last link the purge removes from the start of its chain."""
    heads = ChainHead.objects.using(using)
    head = heads.filter(chain_key=OuterRef("chain_key"))
    rows = (
        AuditRecord.objects.using(using).filter(at__lt=end).order_by("chain_key", "seq")
        .annotate(base=Subquery(head.values("purged_seq")[:1]))
        .values_list("chain_key", "seq", "hash", "base")
        .iterator(chunk_size=CHUNK)
    )
    pending = []
    current = None
    expected = 0
    last = None
    for chain_key, seq, value, base in rows:
        if chain_key != current:
            if last is not None:
                pending.append(ChainHead(chain_key=current, purged_seq=last[0],
                                         purged_hash=last[1]))
            current, expected = chain_key, (base or 0) + 1
        if seq != expected:
            # Only a prefix of a chain may go; anything else would leave a hole in it.
            raise PurgeRefused(f"chain {chain_key}: records to purge are not a prefix "
                               f"(seq {seq}, expected {expected})")
        expected += 1
        last = (seq, value)
        if len(pending) >= CHUNK:
            heads.bulk_update(pending, ["purged_seq", "purged_hash"])
            pending = []
    if last is not None:
        pending.append(ChainHead(chain_key=current, purged_seq=last[0], purged_hash=last[1]))
    if pending:
        heads.bulk_update(pending, ["purged_seq", "purged_hash"])


def _heads_digest(using) -> HeadsDigest:
    digest = HeadsDigest()
    rows = (ChainHead.objects.using(using).filter(purged_seq__gt=0)
            .values_list("chain_key", "purged_seq", "purged_hash").iterator(chunk_size=CHUNK))
    for chain_key, purged_seq, purged_hash in rows:
        digest.add(chain_key, purged_seq, purged_hash)
    return digest


def _raw_delete(queryset, using) -> int:
    """DELETE the rows of ``queryset`` in SQL (the models refuse it), returning the count."""
    model = queryset.model
    connection = connections[using]
    sql, params = queryset.order_by().values("pk").query.get_compiler(using).as_sql()
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)
        return cursor.rowcount


def purge_expired(*, actor=None, now=None, retention_days=None) -> PurgePlan:
    """Delete whole anchored days older than ``AUDIT_RETENTION_DAYS`` (at least 180).

    Refuses when the log does not verify (a purge must never launder tampering). Leaves a purge
    mark and writes an ``audit.purge`` record, in the same transaction as the deletion, on the
    purge's own database connection (``guard.purge_alias``).
    """
    from .verify import verify_all

    _check_actor(actor)
    plan = plan_purge(now=now, retention_days=retention_days)
    if plan.cut_day is None:
        with transaction.atomic():
            record("audit.purge", actor=actor, object_type="audit.purge",
                   object_id=plan.keep_from.isoformat(), object_repr="审计记录清理",
                   after={"keep_from": plan.keep_from, "records": 0},
                   remark="nothing older than the retention period")
        return plan
    result = verify_all(anchor_log=anchor_log.path())
    if not result.ok:
        raise PurgeRefused(f"the audit log does not verify: {result.broken}")
    tz = local_tz()
    end = day_bounds(plan.cut_day, tz)[1]
    using = purge_alias()
    with transaction.atomic(using=using):
        cut = (AuditAnchor.objects.using(using).select_for_update()
               .filter(day=plan.cut_day).first())
        if cut is None:
            raise PurgeRefused(f"the anchor of {plan.cut_day} is gone (another purge?)")
        with deletion_permitted(using):
            _set_purge_points(end, using)
            heads = _heads_digest(using)
            plan.records = _raw_delete(AuditRecord.objects.filter(at__lt=end), using)
            plan.anchors = _raw_delete(AuditAnchor.objects.filter(day__lte=plan.cut_day), using)
            _raw_delete(AuditCheckpoint.objects.filter(day__lte=plan.cut_day), using)
        previous = AuditPurgeMark.objects.using(using).order_by("-cut_day").first()
        mark = AuditPurgeMark(
            cut_day=plan.cut_day, anchor_hash=cut.hash, records_purged=plan.records,
            anchors_purged=plan.anchors, heads_count=heads.count,
            heads_digest=heads.hexdigest(), at=timezone.now(),
            prev_hash=previous.hash if previous else GENESIS,
        )
        mark.hash = purge_mark_hash(mark, mark.prev_hash)
        mark.save(using=using)
        anchor_log.write(mark, using=using)
        plan.mark = mark
        record("audit.purge", actor=actor, obj=mark, object_repr="审计记录清理",
               after={"cut_day": plan.cut_day, "keep_from": plan.keep_from,
                      "records": plan.records, "anchors": plan.anchors,
                      "retention_days": (settings.AUDIT_RETENTION_DAYS
                                         if retention_days is None else retention_days)},
               using=using)
    return plan


class RotationRefused(Exception):
    """The key rotation cannot be recorded as configured; nothing was written."""


def record_key_rotation(*, actor=None, now=None) -> AuditKeyEpoch:
    """Record that ``AUDIT_HMAC_KEY`` replaced the previous key (``gridgov audit rotate-key``).

    Run once every process signs with the new key, the previous one in
    ``AUDIT_HMAC_KEYS_OLD``. Seals first (closed days, then a checkpoint of the open day, under
    the new key), then writes the epoch: the highest record id and the tips of the anchor,
    checkpoint and purge-mark chains, HMAC'd with the new key and with the retired one. From
    then on the retired key verifies only what the epoch pins.
    """
    from .seal import seal_now

    require(actor, "audit.rotate_key")
    ring = Keyring()
    if not ring.old:
        raise RotationRefused("AUDIT_HMAC_KEYS_OLD is empty: put the previous key there, the "
                              "new one in AUDIT_HMAC_KEY")
    previous = AuditKeyEpoch.objects.order_by("-id").first()
    if previous is not None and previous.key_id == ring.current_id:
        raise RotationRefused(f"the rotation to the current key ({ring.current_id}) is already "
                              f"recorded")
    # The key signing until now: the last rotation's new key, else the newest old key.
    retired = previous.key_id if previous is not None else ring.old[0][0]
    retired_key = ring.get(retired)
    if retired_key is None:
        raise RotationRefused(f"the key of the last rotation ({retired}) is not in "
                              f"AUDIT_HMAC_KEYS_OLD")
    now = now or timezone.now()
    seal_now(now)
    with transaction.atomic():
        anchor = AuditAnchor.objects.order_by("-day").first()
        checkpoint = AuditCheckpoint.objects.order_by("-day", "-upto_id").first()
        mark = AuditPurgeMark.objects.order_by("-cut_day").first()
        epoch = AuditKeyEpoch(
            key_id=ring.current_id, retired_key_id=retired,
            upto_id=AuditRecord.objects.aggregate(upto=Max("id"))["upto"] or 0,
            anchor_day=anchor.day if anchor else None, anchor_hash=anchor.hash if anchor else "",
            checkpoint_day=checkpoint.day if checkpoint else None,
            checkpoint_upto=checkpoint.upto_id if checkpoint else None,
            checkpoint_hash=checkpoint.hash if checkpoint else "",
            mark_day=mark.cut_day if mark else None, mark_hash=mark.hash if mark else "",
            at=now, prev_hash=previous.hash if previous is not None else GENESIS,
        )
        epoch.hash = epoch_hash(epoch, epoch.prev_hash)
        epoch.old_hash = epoch_hash(epoch, epoch.prev_hash, retired_key)
        epoch.save()
        anchor_log.write(epoch)
        record("audit.rotate_key", actor=actor, obj=epoch, object_repr="审计密钥轮换",
               after={"key_id": epoch.key_id, "retired_key_id": retired,
                      "upto_id": epoch.upto_id})
    return epoch


def record_export(*, actor, filters: dict, fmt: str):
    """Audit an export of the audit log: who took which records out (filters and format)."""
    require(actor, "audit.export_log")
    with transaction.atomic():
        return record("audit.export", actor=actor, object_type="audit.export",
                      object_id=current_request_id(), object_repr="审计记录导出",
                      after={"format": fmt, "filters": {k: v for k, v in filters.items() if v}},
                      remark=json.dumps(filters, ensure_ascii=False, default=str))


def record_verify(*, actor, result):
    """Audit a verification run and its outcome."""
    require(actor, "audit.verify_chain")
    with transaction.atomic():
        return record("audit.verify", actor=actor, object_type="audit.verify",
                      object_id=current_request_id(), object_repr="审计链校验",
                      after={"ok": result.ok, "records": result.records,
                             "chains": result.chains, "anchors": result.anchors,
                             "broken": str(result.broken) if result.broken else ""})
