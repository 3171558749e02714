"""Rotation of the field-encryption keys over the people's encrypted values."""

from django.db import transaction

from gridgov.audit.recorder import record
from gridgov.core import personal_data

from ..models import Person

# --- keys -----------------------------------------------------------------------------------


def rotate_keys(*, batch_size: int = 500, stdout=None) -> dict:
    """Re-encrypt every ID number and phone not yet under the first configured key. Safe to
    run again (already rotated rows are skipped); audited once as the system."""
    current = personal_data.current_key_id()
    counts = {"checked": 0, "rotated": 0}
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(Person.objects.select_for_update().filter(pk__gt=last_pk)
                        .order_by("pk")[:batch_size]
                        .only("pk", "id_number_enc", "phone_enc"))
            if not rows:
                break
            changed = []
            for person in rows:
                counts["checked"] += 1
                dirty = False
                for field, purpose in (("id_number_enc", "id_number"), ("phone_enc", "phone")):
                    token = getattr(person, field)
                    if token and personal_data.token_key_id(token) != current:
                        plain = personal_data.decrypt(token, purpose)
                        setattr(person, field, personal_data.encrypt(plain, purpose))
                        dirty = True
                if dirty:
                    changed.append(person)
            Person.objects.bulk_update(changed, ["id_number_enc", "phone_enc"])
            counts["rotated"] += len(changed)
            last_pk = rows[-1].pk
        if stdout is not None:
            stdout.write(f"{counts['checked']} checked, {counts['rotated']} re-encrypted\n")
    with transaction.atomic():
        record("basedata.rotate_keys", actor=None, object_type="basedata.person",
               object_id="keys", changes={"key": current, **counts})
    return counts
