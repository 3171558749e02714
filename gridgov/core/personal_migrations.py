"""Data migrations that move a plain personal value into its encrypted columns, and back.

The schema migrations before them add the token / lookup-hash / mask columns beside the old
plain column, and the ones after them drop the plain column; between the two, these
functions copy each value across (``seal``) or, when the migration is reversed, back
(``unseal``). They take the historical model as an argument (a migration must not read
today's model), work in batches of ``BATCH`` rows by primary key, and leave the plain column
empty, so no plain copy stays behind even where the column is not dropped yet.

What a migration changed is itself audited: ``record_summary`` writes one audit record (actor:
the system) with the counts, forwards and backwards, the way the events backfill does
(``gridgov.events.migrations.0007``). The values never appear in it.
"""

from dataclasses import dataclass

from gridgov.audit.recorder import record

from . import personal_data

BATCH = 500


@dataclass(frozen=True)
class Column:
    """One plain column and where its value goes: the token column and the purpose it is
    sealed for, and (optionally) the lookup-hash column and the mask column."""

    plain: str
    token: str
    purpose: str
    hash_column: str = ""
    mask_column: str = ""
    # How the lookup hash is computed: phones on their digits only (``phone_lookup_hash``).
    phone: bool = False

    def sealed(self, value: str) -> dict:
        out = {self.token: personal_data.encrypt(value, self.purpose)}
        if self.hash_column:
            out[self.hash_column] = (personal_data.phone_lookup_hash(value) if self.phone
                                     else personal_data.lookup_hash(value))
        if self.mask_column:
            out[self.mask_column] = personal_data.mask_phone(value) if self.phone else (
                personal_data.mask_value(value))
        return out

    def cleared(self) -> dict:
        out = {self.token: ""}
        if self.hash_column:
            out[self.hash_column] = ""
        if self.mask_column:
            out[self.mask_column] = ""
        return out


def _walk(Model, columns, convert) -> int:
    """Apply ``convert(column, row) -> dict | None`` to every row, in batches; the count of
    rows changed."""
    names = sorted({n for c in columns for n in (c.plain, *c.cleared())})
    changed_rows = 0
    last_pk = 0
    while True:
        rows = list(Model.objects.filter(pk__gt=last_pk).order_by("pk")
                    .only("pk", *names)[:BATCH])
        if not rows:
            return changed_rows
        changed = []
        for row in rows:
            dirty = False
            for column in columns:
                values = convert(column, row)
                if values:
                    for name, value in values.items():
                        setattr(row, name, value)
                    dirty = True
            if dirty:
                changed.append(row)
        if changed:
            Model.objects.bulk_update(changed, names, batch_size=BATCH)
        changed_rows += len(changed)
        last_pk = rows[-1].pk


def seal(Model, columns) -> int:
    """Forwards: every non-empty plain value encrypted (plus hash and mask), the plain column
    emptied. A row whose plain column is already empty is left alone (safe to run again)."""

    def convert(column, row):
        value = getattr(row, column.plain) or ""
        if not value:
            return None
        return {**column.sealed(value), column.plain: ""}

    return _walk(Model, columns, convert)


def unseal(Model, columns) -> int:
    """Backwards: every token decrypted into the plain column again, the token, hash and mask
    columns emptied (a token no configured key opens raises ``DecryptionError``: reversing
    needs the keys that sealed the data)."""

    def convert(column, row):
        token = getattr(row, column.token) or ""
        if not token:
            return None
        return {**column.cleared(),
                column.plain: personal_data.decrypt(token, column.purpose)}

    return _walk(Model, columns, convert)


def record_summary(action: str, *, object_type: str, object_id: str, counts: dict,
                   remark: str) -> None:
    """One audit record (actor: the system) of what such a migration changed: counts only."""
    record(action, actor=None, object_type=object_type, object_id=object_id,
           changes={k: [None, v] for k, v in counts.items()}, remark=remark)
