"""``gridgov backup`` / ``gridgov restore``: a round trip into a fresh database (a new SQLite
file, or a new PostgreSQL database) keeps every row, the attachments' bytes, a verifying audit
chain with its guards and decryptable personal data; a damaged, foreign or newer archive, or a
target in use, is refused with nothing changed."""

import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gridgov.core import backup, restore

ROUND_TRIP_CHECK = """
import hashlib, json
from django.db import connection, transaction
from gridgov.audit.verify import verify_all
from gridgov.basedata.models import Person
from gridgov.core import personal_data
from gridgov.events.models import EventAttachment
with connection.cursor() as c:
    counts = {}
    for t in connection.introspection.table_names(c):
        c.execute('SELECT count(*) FROM "%s"' % t)
        counts[t] = c.fetchone()[0]
person = Person.objects.get(pk=PERSON)
att = EventAttachment.objects.get(pk=ATTACHMENT)
with att.file.open("rb") as f:
    digest = hashlib.sha256(f.read()).hexdigest()
result = verify_all(save=False)  # only look: the counts compare before and after
guard = ""
try:
    with transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE audit_auditrecord SET action = 'forged'")
except Exception as exc:
    guard = str(exc)
print(json.dumps({"counts": counts, "attachment": digest, "verify": result.summary(),
                  "ok": result.ok, "guard": guard,
                  "id": personal_data.decrypt(person.id_number_enc, "id_number"),
                  "found": list(Person.objects.by_id_number(ID).values_list("pk", flat=True))}))
"""


def _gridgov(args, env, tmp_path):
    environ = dict(os.environ, GRIDGOV_DATA_DIR=str(tmp_path),
                   DJANGO_SETTINGS_MODULE="gridgov.settings", **env)
    return subprocess.run([sys.executable, "-m", "gridgov.cli", *args], env=environ,
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.fixture
def fresh_target(tmp_path):
    """The DATABASE_URL of a new, empty database of the same engine as the tests'."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{settings_dict['NAME']}_restored"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    yield f"postgres://{user}{password}@{host}{port}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_a_fresh_database(tmp_path, fresh_target, gulou_grid, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.basedata import actions
    from gridgov.demo.basedata import make_id_number
    from gridgov.events.actions import report_event
    from gridgov.events.models import EventAttachment
    from gridgov.events.tests.intake_support import png_with_text, point_in

    settings.MEDIA_ROOT = str(tmp_path / "media")
    number = make_id_number(dt.date(1968, 2, 29), 517, True)
    person = actions.create_person(actor=None, grid=gulou_grid, name="备份甲",
                                   id_number=number, phone="13966667777")
    lng, lat = point_in(gulou_grid)
    photo = png_with_text()
    event = report_event(source="citizen", description="井盖缺失", lng=lng, lat=lat,
                         attachments=[SimpleUploadedFile("well.png", photo, "image/png")])
    attachment = EventAttachment.objects.filter(event=event).order_by("pk").first()
    with attachment.file.open("rb") as handle:
        attachment_sha = hashlib.sha256(handle.read()).hexdigest()

    archive = tmp_path / "out" / "backup.tar.gz"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert f"backup written: {archive}" in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["row_counts"]["basedata_person"] >= 1
    assert "0001_initial" in manifest["migrations"]["audit"]
    assert any(name.startswith("media/events/") for name in manifest["members"])
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    target = {"DATABASE_URL": fresh_target, "MEDIA_ROOT": str(tmp_path / "restored-media")}
    done = _gridgov(["restore", str(archive), "--yes"], target, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "restored the backup of" in done.stdout
    assert f"{manifest['media']['files']} files" in done.stdout

    script = (ROUND_TRIP_CHECK.replace("PERSON", str(person.pk))
              .replace("ATTACHMENT", str(attachment.pk)).replace("ID", repr(number)))
    checked = _gridgov(["shell", "-c", script], target, tmp_path)
    assert checked.returncode == 0, checked.stderr
    found = json.loads(checked.stdout.strip().splitlines()[-1])
    audit_tables = {"audit_auditrecord", "audit_chainhead"}
    expected = {t: n for t, n in manifest["row_counts"].items() if t not in audit_tables}
    assert {t: n for t, n in found["counts"].items() if t not in audit_tables} == expected
    # The restore is itself one audit record in the restored database.
    assert found["counts"]["audit_auditrecord"] == manifest["row_counts"]["audit_auditrecord"] + 1
    assert found["attachment"] == attachment_sha
    assert found["ok"], found["verify"]
    assert "append-only" in found["guard"]
    assert found["id"] == number and found["found"] == [person.pk]

    # A second restore into the now used database is refused, and changes nothing.
    again = _gridgov(["restore", str(archive), "--yes"], target, tmp_path)
    assert again.returncode == 1
    assert "not empty" in again.stderr and "--force" in again.stderr
    # A restore that fails in the database step itself (row counts that do not match the
    # manifest: checked on the file on SQLite, inside the restoring transaction on
    # PostgreSQL) leaves the database and the media as they were.
    wrong = _rewrite_manifest(archive, tmp_path / "wrong.tar.gz", lambda body: {
        **body, "row_counts": {**body["row_counts"],
                               "basedata_person": body["row_counts"]["basedata_person"] + 1}})
    failed = _gridgov(["restore", str(wrong), "--yes", "--force"], target, tmp_path)
    assert failed.returncode == 1
    assert "nothing was changed" in failed.stderr
    assert "basedata_person" in failed.stderr
    after = _gridgov(["shell", "-c", script], target, tmp_path)
    assert json.loads(after.stdout.strip().splitlines()[-1])["counts"] == found["counts"]


def _rewrite_manifest(source: Path, dest: Path, change) -> Path:
    """A copy of a real archive with its manifest changed (the members' checksums hold)."""
    with tarfile.open(source) as src, tarfile.open(dest, "w:gz") as out:
        for member in src:
            data = src.extractfile(member).read()
            if member.name == backup.MANIFEST:
                data = json.dumps(change(json.loads(data))).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return dest


# --- archives made by hand, to damage ---------------------------------------------------------


def _current_migrations() -> dict:
    from django.db.migrations.recorder import MigrationRecorder

    rows = MigrationRecorder(connection).migration_qs.order_by("id").values_list("app", "name")
    out: dict = {}
    for app, name in rows:
        out.setdefault(app, []).append(name)
    return out


def _make_archive(path: Path, *, members=None, manifest=None, damage=None) -> Path:
    """A well-formed archive of this database's engine (the database member is a small SQLite
    file; these tests never get as far as restoring it), optionally changed."""
    members = dict(members or {})
    db_member = backup.SQLITE_MEMBER if connection.vendor == "sqlite" else backup.PG_MEMBER
    members.setdefault(db_member, b"database bytes")
    members.setdefault("media/events/a.png", b"\x89PNG attachment")
    body = {"format": backup.FORMAT, "format_version": backup.FORMAT_VERSION,
            "created_at": "2026-12-01T00:00:00+00:00",
            "database": {"vendor": connection.vendor, "member": db_member},
            "migrations": _current_migrations(), "row_counts": {},
            "members": {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                        for name, data in members.items()},
            **(manifest or {})}
    if damage:
        members, body = damage(members, body)
    with tarfile.open(path, "w:gz") as tar:
        for name, data in [*members.items(),
                           (backup.MANIFEST, json.dumps(body).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def media(settings, tmp_path):
    """A media folder holding one file that no refused restore may touch."""
    root = tmp_path / "media"
    (root / "events").mkdir(parents=True)
    (root / "events" / "keep.jpg").write_bytes(b"original")
    settings.MEDIA_ROOT = str(root)
    return root


def _refused(path, *extra) -> str:
    with pytest.raises(CommandError) as info:
        call_command("restore", str(path), "--yes", *extra, stdout=io.StringIO())
    return str(info.value)


def _unchanged(media_root: Path, users_before: int) -> None:
    from gridgov.accounts.models import User

    assert (media_root / "events" / "keep.jpg").read_bytes() == b"original"
    # No staging folder left beside it.
    assert not [p for p in media_root.parent.iterdir() if p.name.startswith(".gridgov")]
    assert User.objects.count() == users_before


def _flip_db_byte(members, body):
    name = next(n for n in members if n.startswith("db/"))
    data = bytearray(members[name])
    data[0] ^= 0xFF
    return {**members, name: bytes(data)}, body


@pytest.mark.django_db
@pytest.mark.parametrize("damage, says", [
    (_flip_db_byte, "checksum or size mismatch: db/"),
    (lambda m, b: ({**m, "media/extra.txt": b"x"}, b), "not in the manifest: media/extra.txt"),
    (lambda m, b: ({k: v for k, v in m.items() if not k.startswith("media/")}, b),
     "missing: media/events/a.png"),
    (lambda m, b: ({**m, "media/../../escape": b"x"}, b), "unexpected member"),
    (lambda m, b: (m, {**b, "format": "something-else"}), "not a gridgov backup manifest"),
    (lambda m, b: (m, {**b, "format_version": 99}), "format version 99 is newer"),
    (lambda m, b: (m, {**b, "migrations": {**b["migrations"], "audit": ["0001_initial",
                                                                         "0999_future"]}}),
     "newer version of GridGov (migrations this version does not have: audit.0999_future)"),
])
def test_a_bad_archive_is_refused_before_anything_changes(tmp_path, media, damage, says):
    from gridgov.accounts.models import User

    users = User.objects.count()
    archive = _make_archive(tmp_path / "a.tar.gz", damage=damage)
    text = _refused(archive, "--force")
    assert says in text and "nothing was changed" in text
    _unchanged(media, users)


@pytest.mark.django_db
def test_a_truncated_or_foreign_file_is_refused(tmp_path, media):
    from gridgov.accounts.models import User

    users = User.objects.count()
    good = _make_archive(tmp_path / "good.tar.gz").read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good[: len(good) // 2])
    assert "damaged or not a gridgov backup" in _refused(cut, "--force")
    text_file = tmp_path / "notes.tar.gz"
    text_file.write_text("not an archive")
    assert "damaged or not a gridgov backup" in _refused(text_file, "--force")
    assert "no such file" in _refused(tmp_path / "missing.tar.gz")
    _unchanged(media, users)


@pytest.mark.django_db
def test_a_database_in_use_is_refused_without_force(tmp_path, media):
    from gridgov.accounts.models import User

    users = User.objects.count()
    archive = _make_archive(tmp_path / "a.tar.gz")
    text = _refused(archive)
    assert "not empty" in text and "accounts_user" in text and "--force" in text
    _unchanged(media, users)


@pytest.mark.django_db
def test_another_engine_is_refused(tmp_path, media):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    archive = _make_archive(tmp_path / "a.tar.gz", damage=lambda m, b: (
        m, {**b, "database": {**b["database"], "vendor": other}}))
    assert f"holds a {other} database" in _refused(archive, "--force")


@pytest.mark.django_db
def test_restore_asks_for_confirmation(tmp_path, media):
    archive = _make_archive(tmp_path / "a.tar.gz")
    with pytest.raises(CommandError, match="pass --yes"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_backup_refuses_to_overwrite(tmp_path):
    existing = tmp_path / "b.tar.gz"
    existing.write_bytes(b"keep")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", "--output", str(existing))
    assert existing.read_bytes() == b"keep"


def test_migration_gap_tells_newer_from_older():
    manifest = {"migrations": {"audit": ["0001_initial"], "core": ["0001_initial"]}}
    newer, older = restore.migration_gap(manifest)
    assert newer == [] and ("audit", "0002_guards") in older
    manifest["migrations"]["audit"].append("0999_future")
    assert restore.migration_gap(manifest)[0] == [("audit", "0999_future")]


# --- SQLite: a consistent copy while the server writes ----------------------------------------


def test_sqlite_snapshot_is_consistent_beside_a_writer(tmp_path):
    """The online backup API copies the last committed state of a WAL database while another
    connection holds an open write transaction, without waiting for it."""
    live = tmp_path / "live.sqlite3"
    setup = sqlite3.connect(live)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (id integer primary key, v text)")
    setup.executemany("INSERT INTO t (v) VALUES (?)", [("x",)] * 1000)
    setup.commit()
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t (v) VALUES ('uncommitted')")
    copy = tmp_path / "copy.sqlite3"
    finished = threading.Event()

    def run():
        reader = sqlite3.connect(live)
        backup.sqlite_snapshot(reader, copy)
        reader.close()
        finished.set()

    thread = threading.Thread(target=run)
    thread.start()
    assert finished.wait(10), "the copy waited for the writer"
    writer.execute("COMMIT")
    _migrations, counts = backup.sqlite_state(copy)
    assert counts == {"t": 1000}
    thread.join()


def test_restore_says_which_keys_the_backup_needs(settings):
    """The manifest carries key ids (never keys); a restore where they are not configured
    says what will not work and what to do."""
    same = {"keys": backup.key_ids()}
    assert restore.key_notes(same) == []
    old_audit = settings.AUDIT_HMAC_KEY
    foreign = {"keys": {"field": ["0badc0de"], "lookup": "12345678",
                        "audit": backup.key_ids()["audit"]}}
    settings.AUDIT_HMAC_KEY = "another-audit-key-" + "x" * 40
    notes = " | ".join(restore.key_notes(foreign))
    assert "0badc0de" in notes and "gridgov keys rehash" in notes
    assert "gridgov audit verify" in notes
    settings.AUDIT_HMAC_KEYS_OLD = [old_audit]  # the retired key still verifies its records
    assert "gridgov audit verify" not in " | ".join(restore.key_notes(foreign))
