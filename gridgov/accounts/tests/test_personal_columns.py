"""A user's mobile number and TOTP secret are stored encrypted (issue 9, items 6 and 12); the
number is shown masked to everyone but the person themself, and revealed to the security
administrator only with a reason and an audit record."""

import pyotp
import pytest
from django.db import connection

from gridgov.accounts import actions, totp
from gridgov.accounts.models import User
from gridgov.audit.models import AuditRecord
from gridgov.core import personal_data
from gridgov.events.tests.migration_support import ScratchDatabase

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _raw_user(user) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_user WHERE id = %s", [user.pk])
        return " ".join(str(v) for v in cursor.fetchone())


@pytest.fixture
def person(sys_admin):
    return actions.create_user(username="zhang.san", real_name="张三", password="Gg-2026-abcXYZ",
                               phone=PHONE, actor=sys_admin)


def test_a_users_phone_is_stored_encrypted_with_hash_and_mask(person):
    assert PHONE not in _raw_user(person)
    row = User.objects.get(pk=person.pk)
    assert row.phone_enc.startswith("v1$") and row.phone == PHONE
    assert row.phone_hash == personal_data.lookup_hash(PHONE)
    assert row.phone_masked == "139****5678"
    created = AuditRecord.objects.filter(action="accounts.user_created",
                                         object_id=str(person.pk)).get()
    assert created.changes["phone"] == [None, "139****5678"]


def test_pages_and_api_show_the_mask_except_to_the_person(person, client_as, api_as,
                                                          sys_admin, sec_admin):
    url = f"/accounts/users/{person.pk}/"
    page = client_as(sys_admin).get(url).content.decode()
    assert "139****5678" in page and PHONE not in page and "reveal-phone" not in page
    page = client_as(sec_admin).get(url).content.decode()
    assert "139****5678" in page and PHONE not in page and "reveal-phone" in page
    assert api_as(person).get("/api/me/").json()["phone"] == "139****5678"
    # The person's own account page (an administrator's, who reaches it) shows the number.
    sec_admin.phone = "13700001111"
    sec_admin.save(update_fields=["phone_enc", "phone_hash", "phone_masked"])
    own = client_as(sec_admin).get(f"/accounts/users/{sec_admin.pk}/").content.decode()
    assert "13700001111" in own


def test_the_security_administrator_reveals_with_a_reason(person, client_as, sys_admin,
                                                          sec_admin):
    url = f"/accounts/users/{person.pk}/reveal-phone/"
    assert client_as(sys_admin).post(url, {"reason": "核对"}).status_code == 403
    refused = client_as(sec_admin).post(url, {"reason": ""})
    assert refused.status_code == 302 and PHONE not in refused.content.decode()
    shown = client_as(sec_admin).post(url, {"reason": "账号被锁定,电话核实本人"})
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    rec = AuditRecord.objects.get(action="accounts.user.reveal")
    assert rec.object_id == str(person.pk) and rec.changes == {"field": "phone"}
    assert PHONE not in str(rec.changes) + rec.remark


def test_the_totp_secret_is_stored_encrypted_and_still_verifies(person):
    actions.enroll_totp(person, actor=None, secret=SECRET)
    raw = _raw_user(person)
    assert SECRET not in raw and SECRET.lower() not in raw
    row = User.objects.get(pk=person.pk)
    assert row.totp_secret_enc.startswith("v1$") and row.totp_secret == SECRET
    assert totp.unseal(row.totp_secret_enc) == SECRET
    # Bound to its purpose: the token does not open as a phone.
    with pytest.raises(personal_data.DecryptionError):
        personal_data.decrypt(row.totp_secret_enc, "phone")
    assert actions.confirm_totp(row, pyotp.TOTP(SECRET).now(), actor=None)
    assert User.objects.get(pk=person.pk).totp_confirmed


# --- migrations accounts 0004-0006 on real rows ----------------------------------------------


def test_migrations_encrypt_phones_and_secrets_and_reverse(tmp_path):
    db = ScratchDatabase(tmp_path / "accounts.sqlite3")
    db.migrate("accounts", "0004_user_phone_totp_encrypted")
    db.sql("INSERT INTO accounts_user (password, is_superuser, username, first_name,"
           " last_name, email, is_staff, is_active, date_joined, real_name, phone, phone_enc,"
           " phone_hash, phone_masked, totp_secret, totp_secret_enc, totp_confirmed) VALUES"
           " ('!', 0, 'mig.user', '', '', '', 0, 1, '2026-12-01', '迁移', ?, '', '', '', ?,"
           " '', 1)", (PHONE, SECRET))

    db.migrate()
    raw = " ".join(map(str, db.sql("SELECT * FROM accounts_user")[0]))
    assert PHONE not in raw and SECRET not in raw
    assert db.evaluate(
        "[(u.phone, u.phone_masked, u.phone_hash == personal_data.lookup_hash(u.phone),"
        " u.totp_secret) for u in User.objects.filter(username='mig.user')]",
        "from gridgov.core import personal_data", "from gridgov.accounts.models import User",
    ) == [[PHONE, "139****5678", True, SECRET]]
    assert db.sql("SELECT action, changes FROM audit_auditrecord WHERE action LIKE"
                  " 'accounts.%crypt_personal_columns'") == [
        ("accounts.encrypt_personal_columns", '{"phones": [null, 1], "totp_secrets": [null, 1]}')]

    db.migrate("accounts", "0004_user_phone_totp_encrypted")
    assert db.sql("SELECT phone, phone_enc, phone_hash, phone_masked, totp_secret,"
                  " totp_secret_enc FROM accounts_user") == [(PHONE, "", "", "", SECRET, "")]
    assert db.sql("SELECT action FROM audit_auditrecord ORDER BY id DESC LIMIT 1") == [
        ("accounts.decrypt_personal_columns",)]
