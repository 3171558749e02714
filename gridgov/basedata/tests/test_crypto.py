import base64
import os

import pytest
from django.core.management import call_command
from django.db import connection

from gridgov.audit.models import AuditRecord
from gridgov.basedata import crypto
from gridgov.basedata.models import Person


def _key():
    return base64.b64encode(os.urandom(32)).decode()


def test_round_trip_and_purpose_binding():
    token = crypto.encrypt("330203198001011234", "id_number")
    assert "330203198001011234" not in token
    assert crypto.decrypt(token, "id_number") == "330203198001011234"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, "phone")
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""
    # A fresh nonce each time: equal values do not give equal tokens.
    assert crypto.encrypt("x") != crypto.encrypt("x")


def test_masks():
    assert crypto.mask_id_number("330203198001011234") == "330203********1234"
    assert crypto.mask_phone("13812345678") == "138****5678"


def test_lookup_hash_is_keyed_and_normalised(settings):
    h = crypto.lookup_hash("33020319800101123x")
    assert h == crypto.lookup_hash(" 33020319800101123X ")
    settings.GRIDGOV_LOOKUP_KEY = _key()
    assert crypto.lookup_hash("33020319800101123X") != h


def test_rotation_old_keys_decrypt_new_key_encrypts(settings):
    old, new = _key(), _key()
    settings.GRIDGOV_FIELD_KEYS = [old]
    token = crypto.encrypt("secret", "phone")
    settings.GRIDGOV_FIELD_KEYS = [new, old]
    assert crypto.decrypt(token, "phone") == "secret"
    assert crypto.token_key_id(crypto.encrypt("secret", "phone")) == crypto.current_key_id()
    settings.GRIDGOV_FIELD_KEYS = [new]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, "phone")


def test_rotate_keys_command_reencrypts(settings, person):
    plain_id = person.id_number()
    old, new = _key(), _key()
    # The values as a deployment with only the "old" key would have stored them.
    settings.GRIDGOV_FIELD_KEYS = [old]
    Person.objects.filter(pk=person.pk).update(
        id_number_enc=crypto.encrypt(plain_id, "id_number"),
        phone_enc=crypto.encrypt("13912345678", "phone"))
    # The demo people are under the default key derived from SECRET_KEY: keep it too.
    demo = base64.b64encode(crypto._derived("field-key")).decode()
    settings.GRIDGOV_FIELD_KEYS = [new, old, demo]
    call_command("basedata", "rotate_keys", stdout=open(os.devnull, "w"))
    person.refresh_from_db()
    assert crypto.token_key_id(person.id_number_enc) == crypto.current_key_id()
    settings.GRIDGOV_FIELD_KEYS = [new]
    assert person.id_number() == plain_id
    assert person.phone() == "13912345678"
    assert AuditRecord.objects.filter(action="basedata.rotate_keys").exists()


def test_raw_database_holds_no_plain_id_number_or_phone(person):
    plain_id = person.id_number()
    tables = ["basedata_person", "basedata_changerecord", "audit_auditrecord"]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dump = repr(cursor.fetchall())
            assert plain_id not in dump, table
            assert "13912345678" not in dump, table
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_enc, id_masked FROM basedata_person WHERE id = %s",
                       [person.pk])
        enc, masked = cursor.fetchone()
    assert enc.startswith("v1$") and masked == plain_id[:6] + "********" + plain_id[-4:]
