"""Writes of the audit app: the retention purge, and the audit of reading the audit log.

Nothing here edits a record. The purge removes whole anchored days older than the retention
period and leaves a purge mark, so ``verify_all()`` stays valid (see
docs/decisions/0001-audit-chain.md).
"""

import datetime as dt
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from gridgov.core.access import require
from gridgov.core.context import current_request_id

from .anchor import day_bounds, local_day, local_tz
from .chain import GENESIS, HeadsDigest, purge_mark_hash
from .guard import deletion_permitted
from .models import AuditAnchor, AuditPurgeMark, AuditRecord, ChainHead
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


def _set_purge_points(end) -> None:
    """Store, on each chain head, the last link the purge removes from the start of its chain."""
    head = ChainHead.objects.filter(chain_key=OuterRef("chain_key"))
    rows = (
        AuditRecord.objects.filter(at__lt=end).order_by("chain_key", "seq")
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
            ChainHead.objects.bulk_update(pending, ["purged_seq", "purged_hash"])
            pending = []
    if last is not None:
        pending.append(ChainHead(chain_key=current, purged_seq=last[0], purged_hash=last[1]))
    if pending:
        ChainHead.objects.bulk_update(pending, ["purged_seq", "purged_hash"])


def _heads_digest() -> HeadsDigest:
    digest = HeadsDigest()
    rows = (ChainHead.objects.filter(purged_seq__gt=0)
            .values_list("chain_key", "purged_seq", "purged_hash").iterator(chunk_size=CHUNK))
    for chain_key, purged_seq, purged_hash in rows:
        digest.add(chain_key, purged_seq, purged_hash)
    return digest


def _raw_delete(queryset) -> int:
    """DELETE the rows of ``queryset`` in SQL (the models refuse it), returning the count."""
    model = queryset.model
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)
        return cursor.rowcount


def purge_expired(*, actor=None, now=None, retention_days=None) -> PurgePlan:
    """Delete whole anchored days older than ``AUDIT_RETENTION_DAYS`` (at least 180).

    Refuses when the log does not verify (a purge must never launder tampering). Leaves a purge
    mark and writes an ``audit.purge`` record, in the same transaction as the deletion.
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
    result = verify_all()
    if not result.ok:
        raise PurgeRefused(f"the audit log does not verify: {result.broken}")
    tz = local_tz()
    end = day_bounds(plan.cut_day, tz)[1]
    with transaction.atomic():
        cut = (AuditAnchor.objects.select_for_update().filter(day=plan.cut_day).first())
        if cut is None:
            raise PurgeRefused(f"the anchor of {plan.cut_day} is gone (another purge?)")
        _set_purge_points(end)
        heads = _heads_digest()
        with deletion_permitted():
            plan.records = _raw_delete(AuditRecord.objects.filter(at__lt=end))
            plan.anchors = _raw_delete(AuditAnchor.objects.filter(day__lte=plan.cut_day))
        previous = AuditPurgeMark.objects.order_by("-cut_day").first()
        mark = AuditPurgeMark(
            cut_day=plan.cut_day, anchor_hash=cut.hash, records_purged=plan.records,
            anchors_purged=plan.anchors, heads_count=heads.count,
            heads_digest=heads.hexdigest(), at=timezone.now(),
            prev_hash=previous.hash if previous else GENESIS,
        )
        mark.hash = purge_mark_hash(mark, mark.prev_hash)
        mark.save()
        plan.mark = mark
        record("audit.purge", actor=actor, obj=mark, object_repr="审计记录清理",
               after={"cut_day": plan.cut_day, "keep_from": plan.keep_from,
                      "records": plan.records, "anchors": plan.anchors,
                      "retention_days": (settings.AUDIT_RETENTION_DAYS
                                         if retention_days is None else retention_days)})
    return plan


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
