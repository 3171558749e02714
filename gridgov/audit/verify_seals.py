"""The second verification pass: the seals (anchors, checkpoints, purge marks, key epochs).

Records are streamed in id order and bucketed by local day, with one running digest per day
for its anchor and one per day for its checkpoints (cut at each checkpoint's ``upto_id``, the
digest chained on as ``chain.checkpoint_digest`` does), so memory stays flat in the number of
records. Each seal's HMAC is checked against the configured keys: one signed with a retired
key counts only up to the tip that key's rotation pinned (``AuditKeyEpoch``).
"""

import bisect
import hashlib
from collections import deque

from .anchor import day_bounds, local_day, local_tz
from .chain import (
    GENESIS,
    HeadsDigest,
    anchor_hash,
    checkpoint_hash,
    epoch_hash,
    purge_mark_hash,
)
from .findings import (
    ANCHOR,
    ANCHOR_CHAIN,
    CHECKPOINT,
    CHECKPOINT_CHAIN,
    EPOCH,
    PURGE,
    BrokenLink,
    day_key,
)
from .models import (
    AuditAnchor,
    AuditCheckpoint,
    AuditKeyEpoch,
    AuditPurgeMark,
    AuditRecord,
    ChainHead,
)


def _problem(first, day, order, kind, message=None, detail=""):
    first.add(day_key(day, order), BrokenLink(kind=kind, message=message or kind, day=day,
                                              detail=detail))


def _retired_ok(kid, ring, bounds, within) -> bool:
    """A seal signed by key ``kid``: the current key always; a retired key only inside the
    tip its rotation pinned (``within(epoch)``)."""
    if kid == ring.current_id:
        return True
    epoch = bounds.get(kid)
    return epoch is not None and within(epoch)


def check_epochs(result, first, ring):
    """The key rotations form an HMAC chain, each signed with its new key (and the retired one
    when still configured). Returns (epochs, {retired key id: its epoch})."""
    tz = local_tz()
    prev, prev_key = GENESIS, None
    epochs, bounds = [], {}
    for epoch in AuditKeyEpoch.objects.order_by("id"):
        result.key_epochs += 1
        key, old = ring.get(epoch.key_id), ring.get(epoch.retired_key_id)
        detail = ""
        if epoch.prev_hash != prev or (prev_key and epoch.retired_key_id != prev_key):
            detail = "rotation chain broken"
        elif key is None:
            detail = f"key {epoch.key_id} of this rotation is not configured"
        elif epoch_hash(epoch, epoch.prev_hash, key) != epoch.hash:
            detail = "not signed with the new key"
        elif old is not None and epoch_hash(epoch, epoch.prev_hash, old) != epoch.old_hash:
            detail = "not signed with the retired key"
        if detail:
            _problem(first, local_day(epoch.at, tz), 5, EPOCH, detail=detail)
        bounds.setdefault(epoch.retired_key_id, epoch)
        epochs.append(epoch)
        prev, prev_key = epoch.hash, epoch.key_id
    return epochs, bounds


def check_purge_marks(result, first, ring, bounds, chunk_size):
    """The purge marks' chain and the heads digest sealed in the latest one."""
    prev = GENESIS
    latest = latest_kid = None
    for mark in AuditPurgeMark.objects.order_by("cut_day").iterator(chunk_size=chunk_size):
        result.purge_marks += 1
        kid = ring.which(mark.hash, lambda key, m=mark: purge_mark_hash(m, m.prev_hash, key))
        if (mark.prev_hash != prev or kid is None or not _retired_ok(
                kid, ring, bounds, lambda e, m=mark: bool(e.mark_day) and m.cut_day <= e.mark_day)):
            _problem(first, mark.cut_day, 0, PURGE, detail="purge mark chain broken")
        prev = mark.hash
        latest, latest_kid = mark, kid

    # The digest was computed with the key the latest mark was signed with.
    heads = HeadsDigest(ring.get(latest_kid) if latest_kid else None)
    rows = (ChainHead.objects.filter(purged_seq__gt=0)
            .values_list("chain_key", "purged_seq", "purged_hash").iterator(chunk_size=chunk_size))
    for chain_key, purged_seq, purged_hash in rows:
        heads.add(chain_key, purged_seq, purged_hash)
    if latest is None:
        if heads.count:
            _problem(first, None, 0, PURGE, detail=f"{heads.count} chain heads carry a purge "
                                                   f"point but no purge mark exists")
    elif heads.count != latest.heads_count or heads.hexdigest() != latest.heads_digest:
        _problem(first, latest.cut_day, 0, PURGE,
                 detail=f"purge points of chain heads changed ({heads.count} found, "
                        f"{latest.heads_count} sealed)")
    return latest


def _stream_days(checkpoints, chunk_size, since_day=None):
    """Walk the records once in id order: per day (count, digest, first id, last id), and for
    each checkpoint the (count, digest) of its day's records up to its ``upto_id``; with
    ``since_day``, only the records of the days after it (through the index on ``at``)."""
    tz = local_tz()
    queues = {day: deque(items) for day, items in checkpoints.items()}
    found = {}  # checkpoint id -> (count, digest)
    buckets = {}  # day -> [count, day digest, first id, last id, checkpoint digest]

    def cut(checkpoint, bucket):
        digest = bucket[4].hexdigest()
        found[checkpoint.pk] = (bucket[0], digest)
        bucket[4] = hashlib.sha256(digest.encode("utf-8"))

    rows = AuditRecord.objects.order_by("id").values_list("id", "at", "hash")
    if since_day is not None:
        rows = rows.filter(at__gte=day_bounds(since_day, tz)[1])
    for pk, at, value in rows.iterator(chunk_size=chunk_size):
        day = local_day(at, tz)
        bucket = buckets.get(day)
        if bucket is None:
            bucket = buckets[day] = [0, hashlib.sha256(), pk, pk, hashlib.sha256()]
        queue = queues.get(day)
        while queue and pk > queue[0].upto_id:
            cut(queue.popleft(), bucket)
        encoded = value.encode("utf-8")
        bucket[0] += 1
        bucket[1].update(encoded)
        bucket[4].update(encoded)
        bucket[3] = pk
    for day, queue in queues.items():
        bucket = buckets.get(day) or [0, None, None, None, hashlib.sha256()]
        while queue:
            cut(queue.popleft(), bucket)
    return buckets, found


def check_days(result, first, latest_mark, ring, bounds, epochs, chunk_size, since_day=None):
    """Anchors against their days, checkpoints against their prefixes, both chains, the pins
    of the key rotations. With ``since_day`` (an incremental run: the days up to it were
    compared with their seals before), the anchors and checkpoints of those days have their
    chains checked but not their records re-read."""
    checkpoints = {}
    for checkpoint in AuditCheckpoint.objects.order_by("day", "upto_id").iterator(
            chunk_size=chunk_size):
        checkpoints.setdefault(checkpoint.day, []).append(checkpoint)
    buckets, found = _stream_days(
        {day: items for day, items in checkpoints.items()
         if since_day is None or day > since_day}, chunk_size, since_day)

    base = latest_mark.anchor_hash if latest_mark else GENESIS
    floor = latest_mark.cut_day if latest_mark else None
    prev, last_day = base, None
    anchor_days, anchor_hashes = [], []
    for anchor in AuditAnchor.objects.order_by("day").iterator(chunk_size=chunk_size):
        result.anchors += 1
        kid = ring.which(anchor.hash, lambda key, a=anchor: anchor_hash(
            a.day, a.record_count, a.records_digest, a.first_id, a.last_id, a.prev_hash, key))
        if (anchor.prev_hash != prev or kid is None
                or (floor is not None and anchor.day <= floor)
                or not _retired_ok(kid, ring, bounds, lambda e, a=anchor: bool(e.anchor_day)
                                   and a.day <= e.anchor_day)):
            _problem(first, anchor.day, 0, ANCHOR_CHAIN)
        prev = anchor.hash
        last_day = anchor.day
        anchor_days.append(anchor.day)
        anchor_hashes.append(anchor.hash)
        if since_day is not None and anchor.day <= since_day:
            continue  # compared with its records by an earlier run
        bucket = buckets.get(anchor.day)
        if bucket is None:
            seen = (0, hashlib.sha256().hexdigest(), None, None)
        else:
            seen = (bucket[0], bucket[1].hexdigest(), bucket[2], bucket[3])
        sealed = (anchor.record_count, anchor.records_digest, anchor.first_id, anchor.last_id)
        if seen != sealed:
            _problem(first, anchor.day, 1, ANCHOR, ANCHOR.format(day=anchor.day.isoformat()),
                     f"sealed {anchor.record_count} records, found {seen[0]}")
    anchored = set(anchor_days)
    for day, bucket in buckets.items():
        if day in anchored:
            continue
        if (last_day is not None and day < last_day) or (floor is not None and day <= floor):
            _problem(first, day, 1, ANCHOR, ANCHOR.format(day=day.isoformat()),
                     f"no anchor, found {bucket[0]} records on a closed day")

    def tip_before(day):
        i = bisect.bisect_left(anchor_days, day)
        return anchor_hashes[i - 1] if i else base

    stored = {}
    for day, items in checkpoints.items():
        prev = tip_before(day)
        for checkpoint in items:
            result.checkpoints += 1
            stored[(checkpoint.day, checkpoint.upto_id)] = checkpoint.hash
            kid = ring.which(checkpoint.hash, lambda key, c=checkpoint: checkpoint_hash(
                c, c.prev_hash, key))
            if (checkpoint.prev_hash != prev or kid is None
                    or (floor is not None and day <= floor)
                    or not _retired_ok(kid, ring, bounds, lambda e, c=checkpoint: bool(
                        e.checkpoint_day) and (c.day, c.upto_id) <= (e.checkpoint_day,
                                                                      e.checkpoint_upto))):
                _problem(first, day, 2, CHECKPOINT_CHAIN,
                         detail=f"checkpoint up to record {checkpoint.upto_id}")
            prev = checkpoint.hash
            if checkpoint.pk not in found:
                continue  # a day compared with its records by an earlier run
            count, digest = found[checkpoint.pk]
            if (count, digest) != (checkpoint.record_count, checkpoint.records_digest):
                _problem(first, day, 3, CHECKPOINT, CHECKPOINT.format(day=day.isoformat()),
                         f"up to record {checkpoint.upto_id}: sealed {checkpoint.record_count} "
                         f"records, found {count}")

    _check_pins(first, epochs, dict(zip(anchor_days, anchor_hashes, strict=True)), stored,
                floor)


def _check_pins(first, epochs, anchors, checkpoints, floor):
    """Each rotation pinned the tips of the anchor, checkpoint and purge-mark chains: they must
    still be there, unchanged (unless a later purge removed them)."""
    marks = dict(AuditPurgeMark.objects.values_list("cut_day", "hash"))

    def kept(day):
        return floor is None or day > floor

    for epoch in epochs:
        wrong = []
        if epoch.anchor_day and kept(epoch.anchor_day) \
                and anchors.get(epoch.anchor_day) != epoch.anchor_hash:
            wrong.append(f"anchor {epoch.anchor_day}")
        if epoch.checkpoint_day and kept(epoch.checkpoint_day) and checkpoints.get(
                (epoch.checkpoint_day, epoch.checkpoint_upto)) != epoch.checkpoint_hash:
            wrong.append(f"checkpoint {epoch.checkpoint_day} up to record "
                         f"{epoch.checkpoint_upto}")
        if epoch.mark_day and marks.get(epoch.mark_day) != epoch.mark_hash:
            wrong.append(f"purge mark {epoch.mark_day}")
        if wrong:
            _problem(first, epoch.anchor_day or epoch.checkpoint_day, 5, EPOCH,
                     detail="pinned " + ", ".join(wrong) + " changed or missing")
