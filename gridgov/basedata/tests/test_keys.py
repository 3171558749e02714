"""Key rotation of the people's encrypted values, and what the database holds."""

import base64
import os

from django.core.management import call_command
from django.db import connection

from gridgov.audit.models import AuditRecord
from gridgov.basedata.models import Person
from gridgov.core import personal_data


def _key():
    return base64.b64encode(os.urandom(32)).decode()


def test_rotate_keys_command_reencrypts(settings, person):
    plain_id = person.id_number()
    old, new = _key(), _key()
    # The values as a deployment with only the "old" key would have stored them.
    settings.GRIDGOV_FIELD_KEYS = [old]
    Person.objects.filter(pk=person.pk).update(
        id_number_enc=personal_data.encrypt(plain_id, "id_number"),
        phone_enc=personal_data.encrypt("13912345678", "phone"))
    # The demo people are under the default key derived from SECRET_KEY: keep it too.
    demo = base64.b64encode(personal_data._derived("field-key")).decode()
    settings.GRIDGOV_FIELD_KEYS = [new, old, demo]
    call_command("basedata", "rotate_keys", stdout=open(os.devnull, "w"))
    person.refresh_from_db()
    assert personal_data.token_key_id(person.id_number_enc) == personal_data.current_key_id()
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
