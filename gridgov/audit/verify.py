"""``verify_all()``: recompute every link and every seal and report the first broken one.

Two streaming passes (``.iterator(chunk_size)``), so memory stays flat however long the log:

1. every record in (chain_key, seq) order, with its chain head joined in: the sequence has no
   gap, ``prev_hash`` is the previous record's hash (or the chain's purge point, or the
   genesis), the record does not run past its head, and its HMAC matches its content; at the
   end of each chain the head must point at the last record. Heads whose records are all gone
   are found with one anti-join.
2. every record in id order, bucketed by local day (one running digest per day): each sealed
   day's count, digest and id range must match its anchor, and the anchors and purge marks must
   form unbroken HMAC chains.

"First" means: among record and chain problems, the one on the lowest record id; if there are
none, the earliest day with an anchor or purge problem.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from .anchor import local_day, local_tz
from .chain import GENESIS, HASHED_FIELDS, HeadsDigest, anchor_hash, purge_mark_hash, record_hash
from .models import AuditAnchor, AuditPurgeMark, AuditRecord, ChainHead

CHUNK = 2000

EDITED = "hash mismatch (record edited)"
GAP = "sequence gap (record deleted)"
PREV = "prev_hash does not match (record inserted/reordered)"
BEYOND = "record beyond chain head (record inserted)"
ORPHAN = "no chain head for this chain (record inserted)"
HEAD = "chain head mismatch (last record deleted)"
ANCHOR = "anchor count/digest mismatch for day {day}"
ANCHOR_CHAIN = "anchor chain broken"
PURGE = "purge mark mismatch"

# What each kind means, for people reading the verify page.
LABELS = {
    EDITED: _("哈希不符:记录被修改"),
    GAP: _("序号中断:记录被删除"),
    PREV: _("前一哈希不符:记录被插入或调换顺序"),
    BEYOND: _("记录超出链头:记录被插入"),
    ORPHAN: _("链没有链头:记录被插入"),
    HEAD: _("链头与末条记录不符:末尾记录被删除"),
    ANCHOR: _("日锚的记录数或摘要不符"),
    ANCHOR_CHAIN: _("日锚链断裂"),
    PURGE: _("清理标记不符"),
}


@dataclass(frozen=True)
class BrokenLink:
    """One broken link: what is wrong and where."""

    kind: str
    message: str
    record_id: int | None = None
    chain_key: str = ""
    seq: int | None = None
    day: dt.date | None = None
    detail: str = ""

    @property
    def label(self):
        """The kind of break in words (Chinese first)."""
        return LABELS.get(self.kind, self.kind)

    def __str__(self):
        where = []
        if self.record_id is not None:
            where.append(f"record {self.record_id}")
        if self.chain_key:
            where.append(f"chain {self.chain_key}")
        if self.seq is not None:
            where.append(f"seq {self.seq}")
        if self.day is not None and self.kind != ANCHOR:  # that message names its day
            where.append(f"day {self.day.isoformat()}")
        text = self.message
        if where:
            text += " at " + ", ".join(where)
        if self.detail:
            text += f" ({self.detail})"
        return text


@dataclass
class VerifyResult:
    """The outcome of ``verify_all()``: counts, the first broken link and how many there are."""

    records: int = 0
    chains: int = 0
    anchors: int = 0
    purge_marks: int = 0
    problems: int = 0
    broken: BrokenLink | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None

    def summary(self) -> str:
        if self.ok:
            text = f"OK: {self.records} records, {self.chains} chains, {self.anchors} anchors"
            if self.purge_marks:
                text += f", {self.purge_marks} purge marks"
            return text
        return f"BROKEN: {self.broken} [{self.problems} problem(s) in total]"


class _First:
    """Keeps the first problem by a sort key, and the number of problems, in O(1) memory."""

    def __init__(self, result: VerifyResult):
        self.result = result
        self.key = None

    def add(self, key, link: BrokenLink) -> None:
        self.result.problems += 1
        if self.key is None or key < self.key:
            self.key = key
            self.result.broken = link


def _record_key(record_id):
    return (0, record_id if record_id is not None else float("inf"), 0)


def _day_key(day, order):
    return (1, day.toordinal() if day else 0, order)


def _walk_chains(result: VerifyResult, first: _First, chunk_size: int) -> None:
    head = ChainHead.objects.filter(chain_key=OuterRef("chain_key"))
    rows = (
        AuditRecord.objects.order_by("chain_key", "seq")
        .annotate(
            h_seq=Subquery(head.values("seq")[:1]),
            h_hash=Subquery(head.values("last_hash")[:1]),
            h_pseq=Subquery(head.values("purged_seq")[:1]),
            h_phash=Subquery(head.values("purged_hash")[:1]),
        )
        .values("id", "prev_hash", "hash", *HASHED_FIELDS, "h_seq", "h_hash", "h_pseq",
                "h_phash")
        .iterator(chunk_size=chunk_size)
    )

    def problem(message, r, detail=""):
        first.add(_record_key(r["id"]), BrokenLink(
            kind=message, message=message, record_id=r["id"], chain_key=r["chain_key"],
            seq=r["seq"], detail=detail,
        ))

    def end_chain(last):
        if last["h_seq"] is None:
            return  # reported as an orphan chain already
        if last["h_seq"] > last["seq"]:
            problem(HEAD, last, f"head is at seq {last['h_seq']}, last record at seq "
                                f"{last['seq']}")
        elif last["h_seq"] == last["seq"] and last["h_hash"] != last["hash"]:
            problem(HEAD, last, "head hash differs from the last record's hash")

    prev = None
    for r in rows:
        result.records += 1
        if prev is None or r["chain_key"] != prev["chain_key"]:
            if prev is not None:
                end_chain(prev)
            result.chains += 1
            if r["h_seq"] is None:
                problem(ORPHAN, r)
                expected_seq, expected_prev = 1, GENESIS
            else:
                base = r["h_pseq"] or 0
                expected_seq = base + 1
                expected_prev = r["h_phash"] if base else GENESIS
        else:
            expected_seq, expected_prev = prev["seq"] + 1, prev["hash"]

        if r["seq"] > expected_seq:
            problem(GAP, r, f"expected seq {expected_seq}")
        elif r["seq"] < expected_seq:
            problem(PREV, r, "record precedes the chain's purge point")
        elif r["prev_hash"] != expected_prev:
            problem(PREV, r)
        elif r["h_seq"] is not None and r["seq"] > r["h_seq"]:
            problem(BEYOND, r, f"head is at seq {r['h_seq']}")
        elif record_hash(r, r["prev_hash"]) != r["hash"]:
            problem(EDITED, r)
        prev = r
    if prev is not None:
        end_chain(prev)

    # Heads whose records are all gone (a whole chain deleted), unless a purge took them.
    emptied = (
        ChainHead.objects.filter(~Exists(AuditRecord.objects.filter(chain_key=OuterRef("pk"))))
        .exclude(seq=F("purged_seq"), last_hash=F("purged_hash"))
        .values_list("chain_key", "seq")
        .iterator(chunk_size=chunk_size)
    )
    for chain_key, seq in emptied:
        first.add(_record_key(None), BrokenLink(
            kind=HEAD, message=HEAD, chain_key=chain_key, seq=seq,
            detail="no records left in this chain",
        ))


def _check_purge_marks(result, first, chunk_size):
    prev = GENESIS
    latest = None
    for mark in AuditPurgeMark.objects.order_by("cut_day").iterator(chunk_size=chunk_size):
        result.purge_marks += 1
        if mark.prev_hash != prev or purge_mark_hash(mark, mark.prev_hash) != mark.hash:
            first.add(_day_key(mark.cut_day, 0), BrokenLink(
                kind=PURGE, message=PURGE, day=mark.cut_day, detail="purge mark chain broken",
            ))
        prev = mark.hash
        latest = mark

    heads = HeadsDigest()
    rows = (ChainHead.objects.filter(purged_seq__gt=0)
            .values_list("chain_key", "purged_seq", "purged_hash").iterator(chunk_size=chunk_size))
    for chain_key, purged_seq, purged_hash in rows:
        heads.add(chain_key, purged_seq, purged_hash)
    if latest is None:
        if heads.count:
            first.add(_day_key(None, 0), BrokenLink(
                kind=PURGE, message=PURGE,
                detail=f"{heads.count} chain heads carry a purge point but no purge mark exists",
            ))
    elif heads.count != latest.heads_count or heads.hexdigest() != latest.heads_digest:
        first.add(_day_key(latest.cut_day, 0), BrokenLink(
            kind=PURGE, message=PURGE, day=latest.cut_day,
            detail=f"purge points of chain heads changed ({heads.count} found, "
                   f"{latest.heads_count} sealed)",
        ))
    return latest


def _check_days(result, first, latest_mark, chunk_size):
    tz = local_tz()
    buckets = {}  # day -> [count, running digest, first id, last id]; one entry per day
    rows = AuditRecord.objects.order_by("id").values_list("id", "at", "hash")
    for pk, at, value in rows.iterator(chunk_size=chunk_size):
        day = local_day(at, tz)
        bucket = buckets.get(day)
        if bucket is None:
            bucket = buckets[day] = [0, hashlib.sha256(), pk, pk]
        bucket[0] += 1
        bucket[1].update(value.encode("utf-8"))
        bucket[3] = pk

    prev = latest_mark.anchor_hash if latest_mark else GENESIS
    floor = latest_mark.cut_day if latest_mark else None
    last_day = None
    anchored = set()
    for anchor in AuditAnchor.objects.order_by("day").iterator(chunk_size=chunk_size):
        result.anchors += 1
        anchored.add(anchor.day)
        expected = anchor_hash(anchor.day, anchor.record_count, anchor.records_digest,
                               anchor.first_id, anchor.last_id, anchor.prev_hash)
        if (anchor.prev_hash != prev or expected != anchor.hash
                or (floor is not None and anchor.day <= floor)):
            first.add(_day_key(anchor.day, 0), BrokenLink(
                kind=ANCHOR_CHAIN, message=ANCHOR_CHAIN, day=anchor.day,
            ))
        prev = anchor.hash
        last_day = anchor.day
        bucket = buckets.get(anchor.day)
        if bucket is None:
            found = (0, hashlib.sha256().hexdigest(), None, None)
        else:
            found = (bucket[0], bucket[1].hexdigest(), bucket[2], bucket[3])
        sealed = (anchor.record_count, anchor.records_digest, anchor.first_id, anchor.last_id)
        if found != sealed:
            first.add(_day_key(anchor.day, 1), BrokenLink(
                kind=ANCHOR, message=ANCHOR.format(day=anchor.day.isoformat()), day=anchor.day,
                detail=f"sealed {anchor.record_count} records, found {found[0]}",
            ))
    for day, bucket in buckets.items():
        if day in anchored:
            continue
        if (last_day is not None and day < last_day) or (floor is not None and day <= floor):
            first.add(_day_key(day, 1), BrokenLink(
                kind=ANCHOR, message=ANCHOR.format(day=day.isoformat()), day=day,
                detail=f"no anchor, found {bucket[0]} records on a closed day",
            ))


def verify_all(chunk_size: int = CHUNK) -> VerifyResult:
    """Verify every record, chain head, anchor and purge mark; report the first broken link."""
    result = VerifyResult()
    first = _First(result)
    _walk_chains(result, first, chunk_size)
    latest_mark = _check_purge_marks(result, first, chunk_size)
    _check_days(result, first, latest_mark, chunk_size)
    return result
