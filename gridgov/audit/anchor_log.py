"""A copy of every seal outside the database: one JSON line per anchor, checkpoint, purge mark
and key epoch, appended (and fsync'ed) to ``GRIDGOV_AUDIT_ANCHOR_LOG`` after the seal commits,
and logged to the ``gridgov.audit.anchors`` logger for a log shipper or syslog.

Somebody who deletes records *and* the seals covering them leaves a database that verifies on
its own ("OK: 0 records"); ``check()`` compares the file with the database, so every seal in
the file must still be there with the same hash (unless a purge mark says its day was purged).
A seal in the database and not in the file is only a warning: the line is written after the
commit, so a crash in between can lose it.
"""

import datetime as dt
import json
import logging
import os
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction

from .chain import anchor_hash, checkpoint_hash, epoch_hash, purge_mark_hash
from .models import AuditAnchor, AuditCheckpoint, AuditKeyEpoch, AuditPurgeMark

logger = logging.getLogger("gridgov.audit.anchors")

# Per kind: the model, the fields a line carries (enough to recompute its HMAC), and the
# fields that name it in the database.
KINDS = {
    "anchor": (AuditAnchor, ("day", "record_count", "records_digest", "first_id", "last_id",
                             "prev_hash", "hash"), ("day",)),
    "checkpoint": (AuditCheckpoint, ("day", "upto_id", "record_count", "records_digest", "at",
                                     "prev_hash", "hash"), ("day", "upto_id")),
    "purge": (AuditPurgeMark, ("cut_day", "anchor_hash", "records_purged", "anchors_purged",
                               "heads_count", "heads_digest", "at", "prev_hash", "hash"),
              ("cut_day",)),
    "epoch": (AuditKeyEpoch, ("key_id", "retired_key_id", "upto_id", "anchor_day",
                              "anchor_hash", "checkpoint_day", "checkpoint_upto",
                              "checkpoint_hash", "mark_day", "mark_hash", "at", "prev_hash",
                              "hash", "old_hash"), ("hash",)),
}
DATES = {"day", "cut_day", "anchor_day", "checkpoint_day", "mark_day"}
TIMES = {"at"}


def path() -> Path | None:
    """The configured file, or None when the copy is switched off (an empty setting)."""
    value = getattr(settings, "GRIDGOV_AUDIT_ANCHOR_LOG", "")
    return Path(value) if value else None


def _kind(obj) -> str:
    for kind, (model, _fields, _key) in KINDS.items():
        if isinstance(obj, model):
            return kind
    raise TypeError(f"not an audit seal: {obj!r}")


def _dump(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def line_for(obj) -> str:
    kind = _kind(obj)
    fields = KINDS[kind][1]
    data = {"kind": kind, **{name: _dump(getattr(obj, name)) for name in fields}}
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _append(text: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: lines of several processes never overwrite each other; one write per line.
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (text + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def write(obj, using: str = "default") -> None:
    """Copy a new seal out of the database once its transaction commits (never before: a
    rolled-back seal must not appear in the copy). A failed write is logged, not raised."""
    text = line_for(obj)

    def copy():
        logger.info("%s", text)
        target = path()
        if target is None:
            return
        try:
            _append(text, target)
        except OSError:
            logger.exception("could not append to the audit anchor log %s", target)

    transaction.on_commit(copy, using=using)


# --- comparing the file with the database ---------------------------------------------------


def _parse(data: dict):
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    values = {}
    for name in KINDS[kind][1]:
        value = data[name]
        if value is not None and name in DATES:
            value = dt.date.fromisoformat(value)
        elif value is not None and name in TIMES:
            value = dt.datetime.fromisoformat(value)
        values[name] = value
    return kind, SimpleNamespace(**values)


def _signed(kind, entry, ring) -> bool:
    """Does the line's hash verify under one of the configured keys?"""
    if kind == "anchor":
        def compute(key):
            return anchor_hash(entry.day, entry.record_count, entry.records_digest,
                               entry.first_id, entry.last_id, entry.prev_hash, key=key)
    elif kind == "checkpoint":
        def compute(key):
            return checkpoint_hash(entry, entry.prev_hash, key=key)
    elif kind == "purge":
        def compute(key):
            return purge_mark_hash(entry, entry.prev_hash, key=key)
    else:
        def compute(key):
            return epoch_hash(entry, entry.prev_hash, key=key)
    return ring.which(entry.hash, compute) is not None


def _stored() -> dict:
    """(kind, name) → hash of every seal in the database; a few rows per day at most."""
    out = {}
    for kind, (model, _fields, key) in KINDS.items():
        for row in model.objects.values_list(*key, "hash").iterator(chunk_size=2000):
            out[(kind, *row[:-1])] = row[-1]
    return out


def check(target: Path, ring, purged_until: dt.date | None):
    """Compare the file with the database. Returns (problems, warnings): each problem is
    (day or None, detail) for a seal in the file that the database lost or changed, or a line
    that is not a seal made with our key; warnings are plain texts."""
    stored = _stored()
    if not target.exists():
        if stored:
            return [], [f"anchor log {target} not found: {len(stored)} seals in the database "
                        f"cannot be compared with a copy outside it"]
        return [], []
    problems, seen = [], set()
    with target.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                kind, entry = _parse(json.loads(text))
            except (ValueError, KeyError, TypeError) as exc:
                problems.append((None, f"line {number} of {target} is unreadable ({exc})"))
                continue
            day = getattr(entry, "day", None) or getattr(entry, "cut_day", None)
            if not _signed(kind, entry, ring):
                problems.append((day, f"line {number} of {target}: {kind} not signed with "
                                      f"the audit key"))
                continue
            name = (kind, *(getattr(entry, field) for field in KINDS[kind][2]))
            seen.add(name)
            found = stored.get(name)
            if found == entry.hash:
                continue
            if found is None and kind in ("anchor", "checkpoint") and purged_until \
                    and entry.day <= purged_until:
                continue  # removed by a retention purge, as its purge mark records
            what = "missing from the database" if found is None else "differs in the database"
            label = f"{kind} {day.isoformat()}" if day else kind
            if kind == "checkpoint":
                label += f" up to record {entry.upto_id}"
            problems.append((day, f"{label} {what} (line {number} of {target})"))
    warnings = []
    unlogged = len(set(stored) - seen)
    if unlogged:
        warnings.append(f"{unlogged} seals in the database are not in the anchor log {target} "
                        f"(written before it existed, or lost in a crash after commit)")
    return problems, warnings
