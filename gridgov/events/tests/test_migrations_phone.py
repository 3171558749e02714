"""Migrations 0008-0010 move the reporter's phone into its encrypted columns and back, on a
real row, with an audit record each way (issue 9, item 6)."""

from .migration_support import ScratchDatabase

PHONE = "13812345678"
COLUMNS = "reporter_phone_enc, reporter_phone_hash, reporter_phone_masked"


def test_reporter_phones_are_encrypted_forwards_and_restored_backwards(tmp_path):
    db = ScratchDatabase(tmp_path / "events.sqlite3")
    db.migrate("events", "0008_event_reporter_phone_encrypted")
    db.sql("INSERT INTO areas_area (id, code, name, level, kind, geometry, area_m2,"
           " centroid_lng, centroid_lat, land_use, management_level, responsible_party,"
           " valid_from, generated, source, created_at, updated_at) VALUES (1,"
           " '330203005001001', '网格', 'grid', 'grid', '{}', 1, 121.55, 29.87, '', '', '',"
           " '2026-01-01', 0, '', '2026-01-01', '2026-01-01')")
    for number, phone in (("EMIG0001", PHONE), ("EMIG0002", "")):
        db.sql("INSERT INTO events_event (number, source, nature, urgency, state, description,"
               " lng, lat, address, grid_id, area_code, level, reporter_name, reporter_phone,"
               " reporter_phone_enc, reporter_phone_hash, reporter_phone_masked, camera_code,"
               " external_id, hold_reason, public_token_hash, supervised, resolved_on_spot,"
               " deadline_note, deadline_alert, overdue_reason, evaluation_comment, version,"
               " created_at, updated_at) VALUES (?, 'citizen', 'request', 'normal',"
               " 'reported', '迁移测试', 121.55, 29.87, '', 1, '330203005001001', 'community',"
               " '', ?, '', '', '', '', '', '', '', 0, 0, '', '', '', '', 1,"
               " '2026-12-01 00:00:00', '2026-12-01 00:00:00')", (number, phone))

    db.migrate()
    assert "reporter_phone" not in [c[1] for c in db.sql("PRAGMA table_info(events_event)")]
    row = db.sql("SELECT * FROM events_event WHERE number = 'EMIG0001'")[0]
    assert PHONE not in " ".join(map(str, row))
    stored = db.evaluate(
        "[{'plain': e.reporter_phone, 'hash_ok': e.reporter_phone_hash =="
        " personal_data.lookup_hash(e.reporter_phone), 'mask': e.reporter_phone_masked}"
        " for e in Event.objects.filter(number__startswith='EMIG').order_by('number')]",
        "from gridgov.core import personal_data", "from gridgov.events.models import Event")
    assert stored == [{"plain": PHONE, "hash_ok": True, "mask": "138****5678"},
                      {"plain": "", "hash_ok": True, "mask": ""}]
    audit = db.sql("SELECT action, actor_name, changes FROM audit_auditrecord"
                   " WHERE action LIKE 'events.%crypt_reporter_phones'")
    assert audit == [("events.encrypt_reporter_phones", "system", '{"encrypted": [null, 1]}')]

    db.migrate("events", "0008_event_reporter_phone_encrypted")
    assert db.sql(f"SELECT reporter_phone, {COLUMNS} FROM events_event ORDER BY number") == [
        (PHONE, "", "", ""), ("", "", "", "")]
    assert db.sql("SELECT action, changes FROM audit_auditrecord ORDER BY id DESC LIMIT 1") == [
        ("events.decrypt_reporter_phones", '{"decrypted": [null, 1]}')]
