"""Rotation of the field-encryption keys over every encrypted column of the platform
(``personal_data.ENCRYPTED_COLUMNS``: people's ID numbers and phones, import reports,
reporters' phones, users' phones and TOTP secrets)."""

from django.apps import apps
from django.db import transaction

from gridgov.audit.recorder import record
from gridgov.core import personal_data

# --- keys -----------------------------------------------------------------------------------


def _tables() -> dict:
    """{model: [(token column, purpose), ...]} from the registry, in its order."""
    out: dict = {}
    for label, column, purpose, _hash in personal_data.ENCRYPTED_COLUMNS:
        out.setdefault(apps.get_model(label), []).append((column, purpose))
    return out


def _rotate_model(model, columns, current, batch_size, counts, stdout) -> None:
    names = [c for c, _p in columns]
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(model.objects.select_for_update().filter(pk__gt=last_pk)
                        .order_by("pk")[:batch_size].only("pk", *names))
            if not rows:
                break
            changed = []
            for row in rows:
                counts["checked"] += 1
                dirty = False
                for field, purpose in columns:
                    token = getattr(row, field)
                    if token and personal_data.token_key_id(token) != current:
                        plain = personal_data.decrypt(token, purpose)
                        setattr(row, field, personal_data.encrypt(plain, purpose))
                        dirty = True
                if dirty:
                    changed.append(row)
            model.objects.bulk_update(changed, names)
            counts["rotated"] += len(changed)
            last_pk = rows[-1].pk
        if stdout is not None:
            stdout.write(f"{model._meta.label}: {counts['checked']} checked, "
                         f"{counts['rotated']} re-encrypted\n")


def rotate_keys(*, batch_size: int = 500, stdout=None) -> dict:
    """Re-encrypt every token not yet under the first configured key, table by table. Safe to
    run again (already rotated rows are skipped); audited once as the system."""
    current = personal_data.current_key_id()
    counts = {"checked": 0, "rotated": 0}
    tables = {}
    for model, columns in _tables().items():
        table = {"checked": 0, "rotated": 0}
        _rotate_model(model, columns, current, batch_size, table, stdout)
        tables[model._meta.label_lower] = table
        counts["checked"] += table["checked"]
        counts["rotated"] += table["rotated"]
    with transaction.atomic():
        record("basedata.rotate_keys", actor=None, object_type="basedata.person",
               object_id="keys", changes={"key": current, **counts, "tables": tables})
    return counts
