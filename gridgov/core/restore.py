"""``gridgov restore``: put a ``gridgov backup`` archive back, all or nothing.

Order, so that a refused or failed restore changes nothing:

1. Unpack the archive into a staging folder beside ``MEDIA_ROOT`` (same file system, so the
   files can be moved in at the end) and check it: every member named in the manifest, none
   other, each with its SHA-256 and size; only ``db/``, ``media/`` and the manifest, no path
   leaving the folder. A damaged gzip stream or tar file is reported as such.
2. Check the migrations: an archive with a migration this code does not have comes from a
   newer version and is refused; an older one is restored and ``gridgov migrate`` brings it
   up to date afterwards.
3. Check the target: same database engine, and empty (no users, areas, events or people: what
   a fresh ``gridgov migrate`` leaves) unless ``force``.
4. Restore the database in one step: on SQLite the online backup API copies the verified file
   over the database (a single write transaction); on PostgreSQL ``pg_restore`` feeds ``psql
   --single-transaction`` a script that first drops what the schema holds, then recreates it
   from the dump, then checks every table's row count against the manifest, so a mismatch rolls
   the whole restore back. The audit tables come back with their insert-only triggers (they
   are part of the schema dump / the database file).
5. Swap the media folder: the staged folder is renamed into place and the old one removed.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader

from gridgov.audit.recorder import record

from .backup import (
    CHUNK,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_PREFIX,
    BackupError,
    key_ids,
    pg_env,
    pg_tool,
    sqlite_state,
)
from .personal_data import key_id

# A target holding a row in any of these tables is in use: restore refuses it without force.
DATA_TABLES = ("accounts_user", "areas_area", "events_event", "basedata_person")
# Seconds psql waits for a table lock before giving up (a server still running).
LOCK_TIMEOUT_SECONDS = 10


class _Damaged(BackupError):
    pass


def _member_path(staging: Path, name: str) -> Path:
    path = PurePosixPath(name)
    if (path.is_absolute() or ".." in path.parts or "\\" in name or not path.parts
            or not (name == MANIFEST or name.startswith(("db/", MEDIA_PREFIX)))):
        raise _Damaged(f"unexpected member {name!r}: not a gridgov backup")
    return staging.joinpath(*path.parts)


def unpack(archive: Path, staging: Path) -> dict:
    """Unpack and check ``archive`` into ``staging``; return its manifest."""
    seen: dict = {}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise _Damaged(f"member {member.name!r} is not a regular file")
                if member.name in seen:
                    raise _Damaged(f"member {member.name!r} appears twice")
                dest = _member_path(staging, member.name)
                dest.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with tar.extractfile(member) as src, open(dest, "wb") as out:
                    for block in iter(lambda: src.read(CHUNK), b""):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
                seen[member.name] = {"sha256": digest.hexdigest(), "size": size}
    except FileNotFoundError:
        raise BackupError(f"{archive}: no such file") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise _Damaged(f"{archive} is damaged or not a gridgov backup ({exc})") from None
    if MANIFEST not in seen:
        raise _Damaged(f"{archive} has no {MANIFEST}: not a gridgov backup")
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Damaged(f"{MANIFEST} is not valid JSON ({exc})") from None
    _check_manifest(manifest, seen)
    return manifest


def _check_manifest(manifest, seen: dict) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _Damaged(f"{MANIFEST} is not a gridgov backup manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(f"archive format version {version!r} is newer than this version of "
                          f"GridGov reads ({FORMAT_VERSION}); restore it with a newer GridGov")
    listed = manifest.get("members") or {}
    present = {k: v for k, v in seen.items() if k != MANIFEST}
    missing = sorted(set(listed) - set(present))
    extra = sorted(set(present) - set(listed))
    bad = sorted(n for n in set(listed) & set(present) if listed[n] != present[n])
    for label, names in (("missing", missing), ("not in the manifest", extra),
                         ("checksum or size mismatch", bad)):
        if names:
            shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
            raise _Damaged(f"archive damaged: {len(names)} member(s) {label}: {shown}")
    member = (manifest.get("database") or {}).get("member")
    if member not in listed:
        raise _Damaged("the manifest names no database member")


def migration_gap(manifest: dict) -> tuple[list, list]:
    """(migrations in the archive this code lacks, migrations of this code the archive lacks)."""
    disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    applied = {(app, name) for app, names in (manifest.get("migrations") or {}).items()
               for name in names}
    # A squashed migration counts as applied when everything it replaces is.
    done = applied | {key for key, migration in disk.items()
                      if migration.replaces and set(migration.replaces) <= applied}
    newer = sorted(applied - set(disk) - {r for m in disk.values() for r in m.replaces})
    older = sorted(set(disk) - done)
    return newer, older


def target_rows(connection) -> dict:
    """{table: 1} for each of DATA_TABLES that holds a row in the target database."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        found = {}
        for table in DATA_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    found[table] = 1
    return found


# --- database -------------------------------------------------------------------------------


def _restore_sqlite(connection, staged: Path, manifest: dict) -> None:
    conn = sqlite3.connect(f"file:{staged}?mode=ro", uri=True)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if ok != "ok":
        raise _Damaged(f"the database file in the archive fails SQLite's integrity check: {ok}")
    _migrations, counts = sqlite_state(staged)
    expected = manifest.get("row_counts") or {}
    differ = sorted(t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t))
    if differ:
        raise _Damaged("the database file's row counts differ from the manifest: "
                       + ", ".join(differ[:5]))
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("restore must not run inside a transaction")
    source = sqlite3.connect(f"file:{staged}?mode=ro", uri=True)
    try:
        # One step: the target is replaced in a single write transaction, or not at all.
        source.backup(connection.connection, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"restoring the SQLite database failed: {exc}") from None
    finally:
        source.close()
    connection.close()


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _pg_prelude(connection) -> str:
    """SQL dropping every table, view, sequence and function of the target's schema."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.relkind, c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "ORDER BY c.relname", [schema])
        relations = cursor.fetchall()
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "LEFT JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e' "
            "WHERE n.nspname = %s AND d.objid IS NULL", [schema])
        functions = [r[0] for r in cursor.fetchall()]
    kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW",
             "S": "SEQUENCE", "f": "FOREIGN TABLE"}
    lines = [f"SET lock_timeout = '{LOCK_TIMEOUT_SECONDS}s';"]
    for kind, name in relations:
        lines.append(f"DROP {kinds[kind]} IF EXISTS {_quote(schema)}.{_quote(name)} CASCADE;")
    for signature in functions:  # regprocedure text is already quoted and schema-qualified
        lines.append(f"DROP FUNCTION IF EXISTS {signature} CASCADE;")
    return "\n".join(lines) + "\n"


def _pg_count_check(manifest: dict) -> str:
    """A DO block that raises (rolling the restore back) if a table's row count differs."""
    schema = (manifest.get("database") or {}).get("schema") or "public"
    body = ["DO $gridgov$ DECLARE n bigint; BEGIN"]
    for table, expected in sorted((manifest.get("row_counts") or {}).items()):
        expected = int(expected)
        body.append(
            f"SELECT count(*) INTO n FROM {_quote(schema)}.{_quote(table)}; "
            f"IF n <> {expected} THEN RAISE EXCEPTION 'gridgov restore: table % has % rows, "
            f"the backup %', {_literal(table)}, n, {expected}; END IF;")
    body.append("END $gridgov$;")
    return "\n".join(body) + "\n"


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _restore_postgres(connection, staged: Path, manifest: dict) -> None:
    pg_restore, psql = pg_tool("pg_restore"), pg_tool("psql")
    env = pg_env(connection.settings_dict)
    prelude = _pg_prelude(connection)
    connection.close()  # nothing of ours holds a lock the drops wait for
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        producer = subprocess.Popen([pg_restore, "--no-owner", "--file", "-", str(staged)],
                                    stdout=subprocess.PIPE, stderr=restore_err, env=env)
        consumer = subprocess.Popen(
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        try:
            consumer.stdin.write(prelude.encode())
            shutil.copyfileobj(producer.stdout, consumer.stdin, CHUNK)
            consumer.stdin.write(_pg_count_check(manifest).encode())
        except BrokenPipeError:
            pass  # psql stopped at an error and rolled back; its message follows
        finally:
            try:
                consumer.stdin.close()
            except BrokenPipeError:
                pass
            producer.stdout.close()
        psql_rc, restore_rc = consumer.wait(), producer.wait()
        if psql_rc != 0 or restore_rc != 0:
            psql_err.seek(0)
            restore_err.seek(0)
            detail = (psql_err.read() or restore_err.read()).decode(errors="replace").strip()
            raise BackupError("restoring the PostgreSQL database failed and was rolled back: "
                              f"{detail[-2000:]}")


# --- media ----------------------------------------------------------------------------------


def swap_media(staged: Path, root: Path) -> None:
    """Put the staged media folder in place of ``root`` and remove the old one."""
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    old = root.with_name(f".{root.name}.before-restore-{stamp}")
    if root.exists():
        try:
            os.rename(root, old)
        except OSError:
            # MEDIA_ROOT cannot be moved (a mount point): swap what it holds instead.
            _swap_contents(staged, root)
            return
    os.rename(staged, root)
    if old.exists():
        shutil.rmtree(old)


def _swap_contents(staged: Path, root: Path) -> None:
    old = Path(tempfile.mkdtemp(prefix=".before-restore-", dir=root))
    for child in list(root.iterdir()):
        if child != old:
            os.rename(child, old / child.name)
    for child in staged.iterdir():
        shutil.move(str(child), str(root / child.name))
    shutil.rmtree(old)


# --- the whole restore ----------------------------------------------------------------------


def key_notes(manifest: dict) -> list[str]:
    """What the operator must do about keys: the archive names (by id) the keys its data was
    written with; a key not configured here makes part of the restored data unreadable."""
    ids, here, notes = manifest.get("keys") or {}, key_ids(), []
    absent = [kid for kid in ids.get("field") or [] if kid not in here["field"]]
    if absent:
        notes.append(f"GRIDGOV_FIELD_KEYS lacks the key(s) {', '.join(absent)} the backup was "
                     "written with: values encrypted under them (ID numbers, phones) cannot "
                     "be read until those keys are added")
    if ids.get("lookup") and ids["lookup"] != here["lookup"]:
        notes.append("the backup's lookup hashes were made with another GRIDGOV_LOOKUP_KEY "
                     f"({ids['lookup']}): run `gridgov keys rehash` before serving, or set "
                     "that key")
    audit_ids = {here["audit"], *(key_id(k.encode()) for k in
                                  getattr(settings, "AUDIT_HMAC_KEYS_OLD", []) or [])}
    if ids.get("audit") and ids["audit"] not in audit_ids:
        notes.append(f"the backup's audit chain key ({ids['audit']}) is neither "
                     "AUDIT_HMAC_KEY nor in AUDIT_HMAC_KEYS_OLD: `gridgov audit verify` will "
                     "fail until it is configured")
    return notes


def anchor_log_notes() -> list[str]:
    """The copy of the audit seals outside the database (GRIDGOV_AUDIT_ANCHOR_LOG) outlives a
    restore: seals it holds from after the backup name records the restore took away."""
    value = getattr(settings, "GRIDGOV_AUDIT_ANCHOR_LOG", "")
    log = Path(value) if value else None
    if not log or not log.is_file() or not log.stat().st_size:
        return []
    return [f"the audit seal copy {log} was kept: seals in it made after the backup name "
            "audit records this restore removed, and `gridgov audit verify` reports them. "
            "Keep the file as evidence of the loss; move it aside to verify the restored "
            "database on its own"]


def prepare(archive: Path) -> tuple[Path, dict]:
    """(staging folder, manifest) of a checked archive, refused if from a newer schema. The
    caller removes the staging folder."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".gridgov-restore-", dir=media_root.parent))
    try:
        manifest = unpack(Path(archive), staging)
        newer, _older = migration_gap(manifest)
        if newer:
            shown = ", ".join(f"{a}.{n}" for a, n in newer[:5])
            raise BackupError(f"the archive comes from a newer version of GridGov (migrations "
                              f"this version does not have: {shown}); upgrade first")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging, manifest


def _check_target(connection, vendor, force: bool) -> None:
    if vendor != connection.vendor:
        raise BackupError(f"the archive holds a {vendor} database; this installation uses "
                          f"{connection.vendor}")
    try:
        in_use = target_rows(connection)
    except DatabaseError as exc:
        raise BackupError(f"cannot read the target database ({exc}); create it first, "
                          "empty (createdb), and check DATABASE_URL") from None
    if in_use and not force:
        raise BackupError(
            "the target database is not empty (rows in " + ", ".join(sorted(in_use)) + "); "
            "restore into a new database, or pass --force to replace everything in it")


def restore_backup(staging: Path, manifest: dict, *, force: bool = False,
                   using: str = "default") -> dict:
    """Restore a prepared archive into the database ``using`` and MEDIA_ROOT (module text).
    Returns what was restored."""
    connection = connections[using]
    vendor = (manifest.get("database") or {}).get("vendor")
    try:
        _check_target(connection, vendor, force)
        staged_db = staging.joinpath(*PurePosixPath(manifest["database"]["member"]).parts)
        if vendor == "sqlite":
            _restore_sqlite(connection, staged_db, manifest)
        else:
            _restore_postgres(connection, staged_db, manifest)
    except BackupError as exc:
        # The database step is all or nothing: a failure up to here changed nothing.
        raise BackupError(f"{exc}; nothing was changed") from None
    staged_media = staging / MEDIA_PREFIX.rstrip("/")
    staged_media.mkdir(exist_ok=True)
    swap_media(staged_media, Path(settings.MEDIA_ROOT))
    _newer, older = migration_gap(manifest)
    summary = {"created_at": manifest.get("created_at"), "vendor": vendor,
               "tables": len(manifest.get("row_counts") or {}),
               "rows": sum((manifest.get("row_counts") or {}).values()),
               "media_files": (manifest.get("media") or {}).get("files", 0),
               "media_bytes": (manifest.get("media") or {}).get("bytes", 0),
               "migrations_behind": [f"{a}.{n}" for a, n in older],
               "notes": key_notes(manifest) + anchor_log_notes()}
    if not older:
        # The restore belongs in the restored history. An older schema has to be migrated
        # before this code can write to it, so only a current one gets the record.
        with transaction.atomic(using=using):
            record("core.restore", actor=None, object_type="core.database",
                   object_id="backups",
                   changes={k: summary[k] for k in ("created_at", "rows", "media_files")})
    return summary
