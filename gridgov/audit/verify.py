"""``verify_all()``: recompute every link and every seal and report the first broken one.

Two streaming passes (``.iterator(chunk_size)``), so memory stays flat however long the log:

1. every record in (chain_key, seq) order, with its chain head joined in: the sequence has no
   gap, ``prev_hash`` is the previous record's hash (or the chain's purge point, or the
   genesis), the record does not run past its head, and its HMAC matches its content under the
   current key or a retired key it may still carry (``AuditKeyEpoch``); at the end of each
   chain the head must point at the last record. Heads whose records are all gone are found
   with one anti-join.
2. every record in id order, bucketed by local day (``verify_seals``): each sealed day's count,
   digest and id range must match its anchor, each checkpoint's count and digest the day's
   records up to its id, and the anchors, checkpoints, purge marks and key rotations must form
   unbroken HMAC chains.

With ``anchor_log`` (a path: ``GRIDGOV_AUDIT_ANCHOR_LOG`` for the command, the page and the
purge), every seal copied to that file must still be in the database, unchanged.

"First" means: among record and chain problems, the one on the lowest record id; if there are
none, the earliest day with a seal problem.

**Incremental** (``incremental=True``, the command's default): after a successful run a signed
``AuditVerification`` (``verified.py``) says up to which record and which anchored day the log
was verified. The next run recomputes only the records after it (pass 1, each new record's
link taken from its predecessor's stored hash) and the days after that anchor (pass 2), checks
every seal chain, and for what was verified before only that it is all still there: the count
of records up to that id and the pinned anchor. An edit of a record verified before (its
content, with the hash left alone) is caught only by a full run (``gridgov audit verify
--full``, the verify page): run one regularly.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db.models import Exists, F, OuterRef, Subquery

from . import anchor_log as anchor_log_file
from . import verified
from .chain import GENESIS, HASHED_FIELDS, record_hash
from .findings import (  # noqa: F401 (the kinds are used by name as verify.X)
    ANCHOR,
    ANCHOR_CHAIN,
    ANCHOR_LOG,
    BEYOND,
    CHECKPOINT,
    CHECKPOINT_CHAIN,
    EDITED,
    EPOCH,
    FORGED,
    GAP,
    HEAD,
    LABELS,
    ORPHAN,
    PREV,
    PURGE,
    RETIRED,
    VERIFIED,
    BrokenLink,
    First,
    VerifyResult,
    day_key,
    record_key,
)
from .keys import Keyring
from .models import AuditAnchor, AuditRecord, ChainHead
from .verify_seals import check_days, check_epochs, check_purge_marks

CHUNK = 2000
FULL, INCREMENTAL = verified.FULL, verified.INCREMENTAL


@dataclass
class Verification(VerifyResult):
    """A ``VerifyResult`` that also says how the run went: ``mode`` full or incremental;
    incremental, ``records`` counts the records recomputed (those after ``since_id``) and
    ``verified_before`` those verified by earlier runs and only counted now. ``fallback`` says
    why a run asked to be incremental was full."""

    mode: str = FULL
    since_id: int = 0
    verified_before: int = 0
    fallback: str = ""

    def summary(self) -> str:
        text = super().summary()
        if self.mode == INCREMENTAL:
            text += (f" (incremental: {self.records} new records recomputed; "
                     f"{self.verified_before} records up to record {self.since_id} verified "
                     f"before, counted only)")
        return text

    @property
    def mode_text(self) -> str:
        """What was checked, in words, for the command and the page."""
        if self.mode == INCREMENTAL:
            return (f"incremental: records after record {self.since_id} and days after the "
                    f"last verified anchor recomputed; earlier records counted, not "
                    f"recomputed (--full recomputes every record)")
        text = "full: every record and seal recomputed"
        return f"{text} ({self.fallback})" if self.fallback else text


def _records(since_id):
    """The records to walk in (chain_key, seq) order with their head joined in; with
    ``since_id`` only those after it, each with its predecessor's stored hash (``p_hash``:
    verified before, so the link is taken from it)."""
    head = ChainHead.objects.filter(chain_key=OuterRef("chain_key"))
    qs = AuditRecord.objects.all()
    extra = {}
    if since_id is not None:
        qs = qs.filter(id__gt=since_id)
        extra["p_hash"] = Subquery(AuditRecord.objects.filter(
            chain_key=OuterRef("chain_key"), seq=OuterRef("seq") - 1).values("hash")[:1])
    return qs, (
        qs.order_by("chain_key", "seq")
        .annotate(
            h_seq=Subquery(head.values("seq")[:1]),
            h_hash=Subquery(head.values("last_hash")[:1]),
            h_pseq=Subquery(head.values("purged_seq")[:1]),
            h_phash=Subquery(head.values("purged_hash")[:1]),
            **extra,
        )
        .values("id", "prev_hash", "hash", *HASHED_FIELDS, "h_seq", "h_hash", "h_pseq",
                "h_phash", *extra)
    )


def _chain_start(r, since_id):
    """(expected seq, expected prev_hash) of the first record walked in a chain."""
    base = r["h_pseq"] or 0
    if since_id is None or r["seq"] <= base + 1:
        return base + 1, (r["h_phash"] if base else GENESIS)
    if r["p_hash"] is None:
        return r["seq"] - 1, None  # its predecessor is gone: a gap
    return r["seq"], r["p_hash"]


def _walk_chains(result: VerifyResult, first: First, chunk_size: int, ring: Keyring,
                 bounds: dict, progress=None, since_id=None) -> None:
    walked, rows = _records(since_id)
    rows = rows.iterator(chunk_size=chunk_size)

    def problem(message, r, detail=""):
        first.add(record_key(r["id"]), BrokenLink(
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

    total = walked.count() if progress is not None else None
    prev = None
    for r in rows:
        result.records += 1
        if progress is not None and result.records % chunk_size == 0:
            progress(result.records, total, "校验记录链")
        if prev is None or r["chain_key"] != prev["chain_key"]:
            if prev is not None:
                end_chain(prev)
            result.chains += 1
            if r["h_seq"] is None:
                problem(ORPHAN, r)
                expected_seq, expected_prev = 1, GENESIS
            else:
                expected_seq, expected_prev = _chain_start(r, since_id)
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
        else:
            signature = _signature_problem(r, ring, bounds)
            if signature:
                problem(signature[0], r, signature[1])
        prev = r
    if prev is not None:
        end_chain(prev)

    if since_id is not None:
        return  # the heads of chains not walked: their records are counted (_check_verified)
    # Heads whose records are all gone (a whole chain deleted), unless a purge took them.
    emptied = (
        ChainHead.objects.filter(~Exists(AuditRecord.objects.filter(chain_key=OuterRef("pk"))))
        .exclude(seq=F("purged_seq"), last_hash=F("purged_hash"))
        .values_list("chain_key", "seq")
        .iterator(chunk_size=chunk_size)
    )
    for chain_key, seq in emptied:
        first.add(record_key(None), BrokenLink(
            kind=HEAD, message=HEAD, chain_key=chain_key, seq=seq,
            detail="no records left in this chain",
        ))


def _check_verified(first: First, base, result) -> None:
    """What an incremental run asks of the records verified before: all still there, and no
    other (their count up to ``base.upto_id``: a deleted record, a whole chain deleted, a
    forged one slipped into a gap of the ids), and the anchor pinned by ``base`` unchanged.
    Records dated on the verified days but with a later id are walked as new ones."""
    found = AuditRecord.objects.filter(id__lte=base.upto_id).count()
    result.verified_before = found
    if found != base.record_count:
        first.add(record_key(None), BrokenLink(
            kind=VERIFIED, message=VERIFIED, detail=f"{base.record_count} records up to record "
            f"{base.upto_id} were verified, {found} found"))
    if base.anchor_day is None:
        return
    day = base.anchor_day
    pinned = AuditAnchor.objects.filter(day=day).values_list("hash", flat=True).first()
    if pinned != base.anchor_hash:
        first.add(day_key(day, 0), BrokenLink(
            kind=ANCHOR_CHAIN, message=ANCHOR_CHAIN, day=day,
            detail="the anchor the last verification pinned is missing or changed"))


def _signature_problem(r, ring: Keyring, bounds: dict):
    """(kind, detail) when the record's HMAC is not one of ours, or is by a key retired before
    the record was written; None when it is fine."""
    kid = ring.which(r["hash"], lambda key: record_hash(r, r["prev_hash"], key))
    if kid is None:
        return EDITED, ""
    if kid == ring.current_id:
        return None
    epoch = bounds.get(kid)
    if epoch is None:
        return RETIRED, (f"key {kid} is in AUDIT_HMAC_KEYS_OLD but no rotation is recorded; "
                         f"run gridgov audit rotate-key")
    if r["id"] > epoch.upto_id:
        return RETIRED, f"key {kid} was retired after record {epoch.upto_id}"
    return None


def _check_anchor_log(result, first, path, ring, latest_mark):
    problems, warnings = anchor_log_file.check(Path(path), ring,
                                               latest_mark.cut_day if latest_mark else None)
    for day, detail in problems:
        first.add(day_key(day, 4), BrokenLink(kind=ANCHOR_LOG, message=ANCHOR_LOG, day=day,
                                              detail=detail))
    result.warnings.extend(warnings)


def _incremental_base(result, first, ring):
    """The verification checkpoint an incremental run builds on, or None (the run is full,
    ``result.fallback`` says why); a forged checkpoint is reported as broken."""
    base, why, forged = verified.usable(ring)
    if forged:
        first.add(record_key(None), BrokenLink(kind=FORGED, message=FORGED, detail=why))
    if base is None:
        result.fallback = f"incremental asked, full run: {why}"
        return None
    result.mode, result.since_id = INCREMENTAL, base.upto_id
    return base


def verify_all(chunk_size: int = CHUNK, anchor_log=None, progress=None, *,
               incremental: bool = False, save: bool = True, now=None) -> Verification:
    """Verify every record, chain head, anchor, checkpoint, purge mark and key rotation, and
    the copy of the seals in ``anchor_log`` when given; report the first broken link.
    ``progress(done, total, message)``, when given, hears how far the first pass got (a
    background job's reporter: it may raise to stop the run).

    With ``incremental``, build on the last verification checkpoint when there is a usable
    one (module docstring); otherwise, and by default, recompute everything. With ``save``
    (default), a run that finds nothing broken writes the checkpoint the next incremental run
    starts from (``now`` is the run's time: records younger than the seal grace are left to
    the next run)."""
    result = Verification()
    first = First(result)
    ring = Keyring()
    epochs, bounds = check_epochs(result, first, ring)
    base = _incremental_base(result, first, ring) if incremental else None
    if base is not None:
        _check_verified(first, base, result)
    reach = verified.start(now, known=(base.upto_id, result.verified_before) if base else None)
    with verified.few_rows(base is not None):
        _walk_chains(result, first, chunk_size, ring, bounds, progress,
                     since_id=base.upto_id if base else None)
        if progress is not None:
            progress(result.records, None, "校验每日封存", force=True)
        latest_mark = check_purge_marks(result, first, ring, bounds, chunk_size)
        check_days(result, first, latest_mark, ring, bounds, epochs, chunk_size,
                   since_day=base.anchor_day if base else None)
    if anchor_log:
        _check_anchor_log(result, first, anchor_log, ring, latest_mark)
    if save and result.ok:
        verified.save(reach, result.mode, result.records)
    return result
