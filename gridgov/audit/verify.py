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
"""

from pathlib import Path

from django.db.models import Exists, F, OuterRef, Subquery

from . import anchor_log as anchor_log_file
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
    GAP,
    HEAD,
    LABELS,
    ORPHAN,
    PREV,
    PURGE,
    RETIRED,
    BrokenLink,
    First,
    VerifyResult,
    day_key,
    record_key,
)
from .keys import Keyring
from .models import AuditRecord, ChainHead
from .verify_seals import check_days, check_epochs, check_purge_marks

CHUNK = 2000


def _walk_chains(result: VerifyResult, first: First, chunk_size: int, ring: Keyring,
                 bounds: dict, progress=None) -> None:
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

    total = AuditRecord.objects.count() if progress is not None else None
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
        else:
            signature = _signature_problem(r, ring, bounds)
            if signature:
                problem(signature[0], r, signature[1])
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
        first.add(record_key(None), BrokenLink(
            kind=HEAD, message=HEAD, chain_key=chain_key, seq=seq,
            detail="no records left in this chain",
        ))


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


def verify_all(chunk_size: int = CHUNK, anchor_log=None, progress=None) -> VerifyResult:
    """Verify every record, chain head, anchor, checkpoint, purge mark and key rotation, and
    the copy of the seals in ``anchor_log`` when given; report the first broken link.
    ``progress(done, total, message)``, when given, hears how far the first pass got (a
    background job's reporter: it may raise to stop the run)."""
    result = VerifyResult()
    first = First(result)
    ring = Keyring()
    epochs, bounds = check_epochs(result, first, ring)
    _walk_chains(result, first, chunk_size, ring, bounds, progress)
    if progress is not None:
        progress(result.records, None, "校验每日封存", force=True)
    latest_mark = check_purge_marks(result, first, ring, bounds, chunk_size)
    check_days(result, first, latest_mark, ring, bounds, epochs, chunk_size)
    if anchor_log:
        _check_anchor_log(result, first, anchor_log, ring, latest_mark)
    return result
