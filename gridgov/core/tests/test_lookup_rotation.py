"""Changing the lookup-hash key: ``gridgov keys rehash`` recomputes every stored lookup hash
(people's ID numbers and phones, reporters' and users' phones) so exact search and the
one-person-per-ID-number rule work under the new key; batches are atomic, the run resumable."""

import base64
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from gridgov.audit.models import AuditRecord
from gridgov.core import lookup_keys, personal_data
from gridgov.demo.basedata import make_id_number

pytestmark = pytest.mark.django_db

NEW_KEY = base64.b64encode(bytes(range(100, 132))).decode()
PHONE = "13955556666"


@pytest.fixture
def seeded(gulou_grid, grid_worker):
    """A person with an ID number and a phone, an event with a reporter's phone, a user's
    phone, and a merged duplicate (token kept, hash given up)."""
    from gridgov.basedata import actions
    from gridgov.basedata.models import Person
    from gridgov.events.actions import report_event
    from gridgov.events.tests.intake_support import point_in

    number = make_id_number(dt.date(1975, 6, 1), 871, False)
    person = actions.create_person(actor=None, grid=gulou_grid, name="轮换甲",
                                   id_number=number, phone=PHONE)
    twin = actions.create_person(actor=None, grid=gulou_grid, name="轮换乙",
                                 id_number=make_id_number(dt.date(1975, 6, 2), 873, True))
    Person.objects.filter(pk=twin.pk).update(id_hash=None, merged_into=person)
    lng, lat = point_in(gulou_grid)
    event = report_event(source="citizen", description="路灯不亮", lng=lng, lat=lat,
                         reporter_phone="13800001111")
    grid_worker.phone = "13700002222"
    grid_worker.save()
    return {"person": person, "number": number, "twin": twin, "event": event,
            "user": grid_worker}


def _rehash(*args) -> str:
    import io

    out = io.StringIO()
    call_command("keys", "rehash", *args, stdout=out)
    return out.getvalue()


def test_every_stored_hash_is_its_value_under_the_current_key(seeded):
    """The registry names every hashed column with the hash its writer stores: before any key
    change, nothing is stale and everything decrypts."""
    result = lookup_keys.rehash(dry_run=True)
    assert result["checked"] > 0
    assert result["rehashed"] == 0 and result["failed"] == 0, result["failures"]
    labels = {label for label, *_rest in personal_data.hashed_columns()}
    assert {"basedata.Person", "events.Event", "accounts.User"} <= labels


def test_rehash_after_the_key_changed(seeded, settings, monkeypatch):
    from gridgov.accounts.models import User
    from gridgov.basedata import actions
    from gridgov.basedata.models import Person
    from gridgov.events.models import Event

    person, number = seeded["person"], seeded["number"]
    updated_at = Person.objects.get(pk=person.pk).updated_at
    old_key = personal_data.lookup_key_id()
    settings.GRIDGOV_LOOKUP_KEY = NEW_KEY
    assert personal_data.lookup_key_id() != old_key
    # Stale: the new key finds nobody, and a second record of the same number would pass.
    assert not Person.objects.by_id_number(number).exists()
    assert lookup_keys.rehash(dry_run=True)["rehashed"] >= 4

    monkeypatch.setattr(lookup_keys, "WRITE_ROWS", 3)  # several statements per batch
    out = _rehash("--batch-size", "7")
    assert "0 failed" in out

    assert list(Person.objects.by_id_number(number)) == [person]
    assert list(Person.objects.by_phone(PHONE)) == [person]
    event = Event.objects.get(pk=seeded["event"].pk)
    assert event.reporter_phone_hash == personal_data.phone_lookup_hash("13800001111")
    user = User.objects.get(pk=seeded["user"].pk)
    assert user.phone_hash == personal_data.phone_lookup_hash("13700002222")
    # The merged duplicate keeps its token and no hash.
    assert Person.objects.get(pk=seeded["twin"].pk).id_hash is None
    # The unique rule works again under the new key.
    with pytest.raises(ValidationError) as info:
        actions.create_person(actor=None, grid=person.grid, name="重复", id_number=number)
    assert "id_number" in info.value.message_dict
    # Delta sync is not disturbed: the row's updated_at did not move.
    assert Person.objects.get(pk=person.pk).updated_at == updated_at
    # Audited: per batch and a summary naming the new key.
    batches = AuditRecord.objects.filter(action=lookup_keys.AUDIT_ACTION)
    assert batches.exists() and all(r.object_id == personal_data.lookup_key_id()
                                    for r in batches)
    done = AuditRecord.objects.get(action=lookup_keys.AUDIT_ACTION + "_done")
    assert done.changes["rehashed"] >= 4 and done.changes["failed"] == 0
    # Idempotent: nothing left to do.
    assert "0 rehashed" in _rehash().splitlines()[-1]


def test_an_interrupted_run_resumes(seeded, settings, monkeypatch):
    from gridgov.basedata.models import Person

    settings.GRIDGOV_LOOKUP_KEY = NEW_KEY
    stale = lookup_keys.rehash(dry_run=True)["rehashed"]
    real = lookup_keys._rehash_batch
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(lookup_keys, "_rehash_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        lookup_keys.rehash(batch_size=1)
    # The first batch committed, the second rolled back.
    left = lookup_keys.rehash(dry_run=True)["rehashed"]
    assert 0 < left < stale
    monkeypatch.setattr(lookup_keys, "_rehash_batch", real)
    assert lookup_keys.rehash(batch_size=1)["rehashed"] == left
    assert lookup_keys.rehash()["rehashed"] == 0
    assert Person.objects.by_id_number(seeded["number"]).exists()


def test_a_hash_that_cannot_be_recomputed_is_reported(seeded, settings):
    from gridgov.basedata.models import Person

    person = seeded["person"]
    other = base64.b64encode(bytes(range(50, 82))).decode()
    settings.GRIDGOV_FIELD_KEYS = other
    foreign = personal_data.encrypt("110105194912310029", "id_number")
    settings.GRIDGOV_FIELD_KEYS = ""
    Person.objects.filter(pk=person.pk).update(id_number_enc=foreign)
    stored = Person.objects.get(pk=person.pk).id_hash
    settings.GRIDGOV_LOOKUP_KEY = NEW_KEY
    with pytest.raises(CommandError) as info:
        _rehash()
    assert info.value.returncode == 1
    assert "1 failed" in str(info.value)
    # Left as it was, and listed for the operator.
    assert Person.objects.get(pk=person.pk).id_hash == stored
    done = AuditRecord.objects.get(action=lookup_keys.AUDIT_ACTION + "_done")
    assert {"model": "basedata.person", "pk": person.pk, "column": "id_hash",
            "problem": "token does not decrypt"} in done.changes["failures"]


def test_bad_batch_size_is_refused():
    with pytest.raises(CommandError, match="--batch-size"):
        call_command("keys", "rehash", "--batch-size", "0")
