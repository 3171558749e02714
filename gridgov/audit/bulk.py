"""Appending many audit records at once, for imports (the demo's generated history).

``record()`` appends one record per call: it locks the chain head, reads it, inserts the record
and moves the head (three or four statements). An import of tens of thousands of steps cannot
afford that, so ``append`` does the same work in bulk and keeps every guarantee of ``record``:

* records are appended to their chain in the order given, each linked by its HMAC to the
  previous one (``chain.record_hash``), starting at the chain's head, or at the genesis for a
  chain that does not exist yet;
* every record carries the time it is written (``recorder._now()``), never a time passed in:
  an import says in its content which past moment a record describes, so sealed days and
  checkpoints stay honest;
* the heads move forward only, and only from the exact link they were read at: if another
  writer appended to one of the chains in between, or created one of the "new" chains, the
  whole append is refused (``BulkAppendRefused``) and, as it must run inside the caller's
  transaction, nothing of the import is kept. The database guards (migrations 0002 and 0004)
  are untouched: records are inserted, heads inserted or moved forward.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, connections, transaction

from . import recorder
from .chain import GENESIS, record_hash
from .models import AuditRecord, ChainHead

# Rows per INSERT; well under SQLite's limit on bound variables (15 columns each).
BATCH = 500


class BulkAppendRefused(Exception):
    """The bulk append would break a chain (a head moved, a new chain exists): nothing written."""


@dataclass
class Entry:
    """One record to append: what ``record()`` takes, with the chain already known.

    ``role`` should be given for a person (``record()`` would otherwise look their roles up,
    one query each); ``actor=None`` is the system.
    """

    chain_key: str
    action: str
    object_type: str
    object_id: str
    object_repr: str = ""
    changes: dict = field(default_factory=dict)
    remark: str = ""
    actor: object = None
    role: str = ""


@dataclass
class Plan:
    """The records of an append, hashed, and the heads they were linked to (for ``write``)."""

    records: list
    # chain key -> (seq, last hash) the chain was read at; absent: a new chain.
    read_heads: dict
    # chain key -> (seq, hash) of its last new record.
    new_heads: dict


def _read_heads(keys, using) -> dict:
    heads = {}
    keys = sorted(keys)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start:start + BATCH]
        for key, seq, last in ChainHead.objects.using(using).filter(
                chain_key__in=chunk).values_list("chain_key", "seq", "last_hash"):
            heads[key] = (seq, last)
    return heads


def prepare(entries, *, new_chains: bool = False, using: str = "default") -> Plan:
    """Link ``entries`` to their chains' heads as they stand now and hash them.

    ``new_chains=True``: every chain must be new (the objects were created by the import);
    one that exists refuses the append.
    """
    entries = list(entries)
    keys = {entry.chain_key[:120] for entry in entries}
    read = _read_heads(keys, using)
    if new_chains and read:
        raise BulkAppendRefused(f"{len(read)} of the chains exist already, e.g. "
                                f"{sorted(read)[0]}")
    tips = {key: (seq, last or GENESIS) for key, (seq, last) in read.items()}
    records, new_heads = [], {}
    for entry in entries:
        key = entry.chain_key[:120]
        seq, prev_hash = tips.get(key, (0, GENESIS))
        actor_id, actor_name, role = recorder._actor_fields(entry.actor, entry.role)
        rec = AuditRecord(
            chain_key=key, seq=seq + 1, at=recorder._now(), actor_id=actor_id,
            actor_name=actor_name[:150], role=role[:120], action=entry.action,
            object_type=entry.object_type[:60], object_id=str(entry.object_id)[:64],
            object_repr=entry.object_repr[:200], changes=recorder.jsonable(entry.changes),
            remark=entry.remark, request_id="", client_ip="", prev_hash=prev_hash,
        )
        rec.hash = record_hash(rec, prev_hash)
        records.append(rec)
        tips[key] = new_heads[key] = (rec.seq, rec.hash)
    return Plan(records=records, read_heads=read, new_heads=new_heads)


def write(plan: Plan, *, using: str = "default") -> list:
    """Insert the planned records and move their heads; ``BulkAppendRefused`` (and the
    caller's transaction rolls back) if any head is no longer where ``prepare`` read it.

    Must run inside ``transaction.atomic(using=using)``. Returns the records with their ids.
    """
    if not connections[using].in_atomic_block:
        raise RuntimeError("audit.bulk.write() must run inside transaction.atomic()")
    heads = ChainHead.objects.using(using)
    # Heads first, as record() does for a new chain: a chain created meanwhile fails here.
    fresh = [ChainHead(chain_key=key, seq=seq, last_hash=last)
             for key, (seq, last) in plan.new_heads.items() if key not in plan.read_heads]
    try:
        with transaction.atomic(using=using):
            heads.bulk_create(fresh, batch_size=BATCH)
    except IntegrityError as exc:
        raise BulkAppendRefused("a chain the import creates exists already") from exc
    for key, (seq, last) in plan.read_heads.items():
        new_seq, new_last = plan.new_heads[key]
        moved = heads.filter(chain_key=key, seq=seq, last_hash=last).update(
            seq=new_seq, last_hash=new_last)
        if moved != 1:
            raise BulkAppendRefused(f"the chain {key} moved since the import read it")
    _insert(plan.records, using)
    return plan.records


# The columns of a record as inserted (the id reserved first, so no row has to be read back).
COLUMNS = ("id", "chain_key", "seq", "at", "actor_id", "actor_name", "role", "action",
           "object_type", "object_id", "object_repr", "changes", "remark", "request_id",
           "client_ip", "prev_hash", "hash")


def _reserve_ids(n: int, using: str) -> list[int]:
    """``n`` record ids nobody else takes: PostgreSQL's sequence, elsewhere above the highest
    id (SQLite's AUTOINCREMENT continues after them; the import runs in one transaction)."""
    connection = connections[using]
    table = AuditRecord._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")
        top = cursor.fetchone()[0] or 0
    return list(range(top + 1, top + 1 + n))


def _insert(records, using: str) -> None:
    """One INSERT statement run for all the records (``executemany``): the ORM's bulk_create
    prepares every value of every row through the query compiler, several times slower for
    the hundreds of thousands of rows an import writes. Values are prepared by the model's
    own fields, so they are stored exactly as ``save()`` would store them."""
    if not records:
        return
    connection = connections[using]
    for rec, pk in zip(records, _reserve_ids(len(records), using), strict=True):
        rec.pk = pk
    fields = [AuditRecord._meta.get_field("actor" if c == "actor_id" else c) for c in COLUMNS]
    prepared = [(c, f) for c, f in zip(COLUMNS, fields, strict=True)
                if f.get_internal_type() in ("JSONField", "DateTimeField")]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(AuditRecord._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    special = {c: f for c, f in prepared}
    rows = []
    for rec in records:
        row = []
        for column in COLUMNS:
            value = getattr(rec, "pk" if column == "id" else column)
            field_ = special.get(column)
            if field_ is not None:
                value = field_.get_db_prep_save(value, connection)
            row.append(value)
        rows.append(row)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH * 10):
            cursor.executemany(sql, rows[start:start + BATCH * 10])
    for rec in records:
        rec._state.adding = False
        rec._state.db = using


def append(entries, *, new_chains: bool = False, using: str = "default") -> list:
    """``prepare`` and ``write`` in one call (inside the caller's transaction)."""
    if not connections[using].in_atomic_block:
        raise RuntimeError("audit.bulk.append() must run inside transaction.atomic()")
    return write(prepare(entries, new_chains=new_chains, using=using), using=using)
