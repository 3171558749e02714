"""Changing the lookup-hash key (``GRIDGOV_LOOKUP_KEY``): ``gridgov keys rehash``.

Every exact search on an ID number or phone, and the "one person per ID number" index, compare
keyed hashes (``personal_data.lookup_hash``). A new key makes every stored hash stale, so after
the key changes each stored hash is recomputed from the value it was made from: the column's
AES-GCM token, decrypted with the field keys (which do not change here). The old lookup key is
not needed for that.

``rehash()`` walks every hashed column of ``personal_data.ENCRYPTED_COLUMNS`` in primary-key
order, ``batch_size`` rows at a time; each batch is one transaction that updates the stale
hashes and writes one audit record naming the table, the key id and the rows it changed. A row
whose hash is already the current key's is left alone, so an interrupted run is resumed by
running it again, and a second run reports ``0 rehashed``. An empty hash column stays empty (a
person merged into another keeps the token but gives up the unique hash). The update touches
the hash columns only: ``updated_at`` does not move, so delta sync does not send every
row again.

Writers hash with the current key as soon as the processes restart with it, while the rows not
yet rehashed still hold the old key's hashes, so the rotation runs with the writers stopped
(docs/deployment.md, "Keys"): a search would miss those rows and a duplicate ID number could
slip past the unique index.
"""

from django.apps import apps
from django.db import connection, transaction

from gridgov.audit.recorder import record

from . import personal_data

AUDIT_ACTION = "core.lookup_key.rehash"
AUDIT_TYPE = "core.lookup_key"
# Failures listed in the summary record and printed by the command: enough to find them.
MAX_LISTED_FAILURES = 50
WRITE_ROWS = 1000


def _tables() -> dict:
    """{model: [(token column, purpose, hash column), ...]} of every hashed column."""
    out: dict = {}
    for label, column, purpose, hash_column in personal_data.hashed_columns():
        out.setdefault(apps.get_model(label), []).append((column, purpose, hash_column))
    return out


def _fresh_hash(row, column, purpose):
    """(the current key's hash of the row's value, None) or (None, why it cannot be made)."""
    token = getattr(row, column)
    if not token:
        return None, "hash without a value"
    try:
        plain = personal_data.decrypt(token, purpose)
    except personal_data.DecryptionError:
        return None, "token does not decrypt"
    return personal_data.lookup_hash_of(purpose, plain), ""


def _rehash_batch(model, columns, rows, counts, failures, key) -> list:
    """The rows of one batch whose hashes changed (set on the instances)."""
    changed = []
    for row in rows:
        counts["checked"] += 1
        dirty = False
        for column, purpose, hash_column in columns:
            stored = getattr(row, hash_column)
            if not stored:
                continue
            fresh, problem = _fresh_hash(row, column, purpose)
            if problem:
                counts["failed"] += 1
                if len(failures) < MAX_LISTED_FAILURES:
                    failures.append({"model": model._meta.label_lower, "pk": row.pk,
                                     "column": hash_column, "problem": problem})
            elif fresh != stored:
                setattr(row, hash_column, fresh)
                dirty = True
        if dirty:
            changed.append(row)
    return changed


def _write(model, rows, hashes) -> None:
    """One ``UPDATE … FROM (VALUES …)`` per batch (PostgreSQL and SQLite 3.33+ both take it).
    On PostgreSQL 100,000 people took 59 s through ``bulk_update`` (its CASE expressions cost
    more Python than all the decrypting), 30 s as one UPDATE per row, 20 s this way (the
    rest is the database rewriting the rows and their indexes)."""
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(h).column for h in hashes]
    row_sql = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    sets = ", ".join(f"{qn(c)} = v.column{i + 2}" for i, c in enumerate(columns))
    with connection.cursor() as cursor:
        # At most WRITE_ROWS rows per statement: SQLite takes 32,766 parameters at most.
        for start in range(0, len(rows), WRITE_ROWS):
            chunk = rows[start:start + WRITE_ROWS]
            sql = (f"UPDATE {qn(meta.db_table)} SET {sets} "
                   f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v "
                   f"WHERE {qn(meta.db_table)}.{qn(meta.pk.column)} = v.column1")
            cursor.execute(sql, [value for r in chunk
                                 for value in (r.pk, *(getattr(r, h) for h in hashes))])


def _rehash_model(model, columns, *, key, batch_size, dry_run, failures, stdout) -> dict:
    counts = {"checked": 0, "rehashed": 0, "failed": 0}
    names = [c for c, _p, _h in columns]
    hashes = [h for _c, _p, h in columns]
    manager = model._base_manager
    last_pk = None
    while True:
        with transaction.atomic():
            rows = manager.select_for_update().order_by("pk").only("pk", *names, *hashes)
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            rows = list(rows[:batch_size])
            if not rows:
                break
            changed = _rehash_batch(model, columns, rows, counts, failures, key)
            if changed and not dry_run:
                _write(model, changed, hashes)
                record(AUDIT_ACTION, actor=None, object_type=AUDIT_TYPE, object_id=key,
                       changes={"table": model._meta.db_table, "rows": len(changed),
                                "first_pk": str(changed[0].pk), "last_pk": str(changed[-1].pk)})
            counts["rehashed"] += len(changed)
            last_pk = rows[-1].pk
    if stdout is not None:
        verb = "would be rehashed" if dry_run else "rehashed"
        stdout.write(f"{model._meta.label}: {counts['checked']} checked, "
                     f"{counts['rehashed']} {verb}, {counts['failed']} failed\n")
    return counts


def rehash(*, batch_size: int = 500, dry_run: bool = False, stdout=None) -> dict:
    """Recompute every stored lookup hash under the current lookup key (see the module text).

    Returns {"key", "checked", "rehashed", "failed", "tables": {label: counts},
    "failures": [...]}; ``dry_run`` counts what would change and writes nothing. A run that
    changes anything ends with one summary audit record, so the audit log shows when the key
    changed even though the per-batch records already name the rows.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    key = personal_data.lookup_key_id()
    totals = {"checked": 0, "rehashed": 0, "failed": 0}
    tables, failures = {}, []
    for model, columns in _tables().items():
        counts = _rehash_model(model, columns, key=key, batch_size=batch_size,
                               dry_run=dry_run, failures=failures, stdout=stdout)
        tables[model._meta.label_lower] = counts
        for name in totals:
            totals[name] += counts[name]
    if not dry_run and (totals["rehashed"] or totals["failed"]):
        with transaction.atomic():
            record(AUDIT_ACTION + "_done", actor=None, object_type=AUDIT_TYPE, object_id=key,
                   changes={**totals, "tables": tables, "failures": failures})
    return {"key": key, **totals, "tables": tables, "failures": failures}
