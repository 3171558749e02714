"""Sealing the open day: checkpoints, so today's records are as tamper-evident as a closed day's.

Anchors seal closed days only. A checkpoint seals the records of the open day written so far:
their count and a digest over their hashes in id order, up to ``upto_id``, the highest id of
the day's records older than ``anchor.GRACE`` (a transaction still open is not missed and
then found later: the same assumption as the midnight grace of anchors). Each checkpoint
reads only the records since the previous one (the digests chain, ``chain.checkpoint_digest``)
and is HMAC-chained to it, the day's first to the last anchor before the day.

``seal_now()`` is what runs periodically: closed days first (so the open day's first
checkpoint can chain to the last anchor), then a checkpoint. The server runs it itself
(``gridgov.audit.autoseal``), and so do ``gridgov audit anchor`` and the Celery task; several
processes may run it at once: unique ``prev_hash`` and ``(day, upto_id)`` make the second insert
fail, and it starts again from the checkpoint that won.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from . import anchor_log
from .anchor import GRACE, anchor_closed_days, day_bounds, default_until, local_day, local_tz
from .chain import GENESIS, checkpoint_digest, checkpoint_hash
from .models import AuditAnchor, AuditCheckpoint, AuditPurgeMark, AuditRecord

CHUNK = 2000
RETRIES = 3


def tip_before(day: dt.date) -> str:
    """What the first checkpoint of ``day`` chains from: the last anchor before the day, else
    the anchor hash of the last purge mark (its anchors were purged), else the genesis."""
    anchor = (AuditAnchor.objects.filter(day__lt=day).order_by("-day")
              .values_list("hash", flat=True).first())
    if anchor is not None:
        return anchor
    mark = (AuditPurgeMark.objects.filter(cut_day__lt=day).order_by("-cut_day")
            .values_list("anchor_hash", flat=True).first())
    return mark if mark is not None else GENESIS


def last_checkpoint(day: dt.date) -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.filter(day=day).order_by("-upto_id").first()


def _segment(start, end, last, upto) -> tuple[int, str]:
    """(count, chained digest) of the day's records after ``last`` up to id ``upto``."""
    rows = (AuditRecord.objects
            .filter(at__gte=start, at__lt=end, id__gt=last.upto_id if last else 0, id__lte=upto)
            .order_by("id").values_list("hash", flat=True).iterator(chunk_size=CHUNK))
    count = 0

    def hashes():
        nonlocal count
        for value in rows:
            count += 1
            yield value

    digest = checkpoint_digest(last.records_digest if last else "", hashes())
    return count, digest  # count only after the digest has read the rows


def checkpoint_open_day(now: dt.datetime | None = None) -> AuditCheckpoint | None:
    """Seal the open day's records older than the grace period that no checkpoint covers yet;
    None when there is nothing new. Closed days must be anchored first (``seal_now``)."""
    now = now or timezone.now()
    tz = local_tz()
    cutoff = now - GRACE
    day = local_day(cutoff, tz)
    start, end = day_bounds(day, tz)
    for _attempt in range(RETRIES):
        upto = (AuditRecord.objects.filter(at__gte=start, at__lt=cutoff)
                .aggregate(upto=Max("id"))["upto"])
        if upto is None:
            return None
        last = last_checkpoint(day)
        if last is not None and last.upto_id >= upto:
            return None
        count, digest = _segment(start, end, last, upto)
        checkpoint = AuditCheckpoint(
            day=day, upto_id=upto, record_count=(last.record_count if last else 0) + count,
            records_digest=digest, at=now,
            prev_hash=last.hash if last else tip_before(day),
        )
        checkpoint.hash = checkpoint_hash(checkpoint, checkpoint.prev_hash)
        try:
            with transaction.atomic():
                checkpoint.save()
                anchor_log.write(checkpoint)
        except IntegrityError:
            # Another process sealed at the same moment; go on from its checkpoint.
            continue
        return checkpoint
    return None


def seal_now(now: dt.datetime | None = None):
    """Anchor the closed days, then checkpoint the open one: (new anchors, new checkpoint)."""
    now = now or timezone.now()
    anchors = anchor_closed_days(until=default_until(now))
    return anchors, checkpoint_open_day(now)
