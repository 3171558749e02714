"""``gridgov backup``: the database and the uploaded files in one archive, with a manifest.

The archive is a gzip-compressed tar file:

- ``db/database.sqlite3`` (SQLite) or ``db/database.pgdump`` (PostgreSQL, ``pg_dump`` custom
  format);
- ``media/<path>``: every file under ``MEDIA_ROOT`` (event attachments);
- ``manifest.json`` (last): format and version, when it was made, the Django migrations
  applied per app, the row count of every table, the SHA-256 and size of every other member,
  and the ids (never the keys) of the field, lookup and audit keys the data was written with.

The keys are not in the archive: they stay in the environment or the secret store, and without
them the encrypted fields of a restored copy cannot be read (docs/deployment.md, "Backup and
restore").

Consistency while the server runs: on SQLite the copy is made with SQLite's online backup API
(``sqlite3.Connection.backup``) in one step, which reads one consistent snapshot of the WAL
database while writers go on; the migrations and row counts are then read from that copy. On
PostgreSQL a REPEATABLE READ transaction exports its snapshot, the migrations and row counts
are read in it, and ``pg_dump --snapshot`` dumps exactly that snapshot. The database is copied
before the files: an attachment's file is written before its row commits and never changes,
so every attachment row in the copy has its file in the archive.

``gridgov.core.restore`` reads these archives back.
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
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction

import gridgov
from gridgov.audit.recorder import record

from . import personal_data

FORMAT = "gridgov-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "db/database.sqlite3"
PG_MEMBER = "db/database.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def key_ids() -> dict:
    """Which keys the data is written with, by id only: what a restore needs configured."""
    audit_key = str(getattr(settings, "AUDIT_HMAC_KEY", "") or "")
    return {
        "field": [kid for kid, _cipher in personal_data.keyring()],
        "lookup": personal_data.lookup_key_id(),
        "audit": personal_data.key_id(audit_key.encode()),
    }


# --- SQLite ---------------------------------------------------------------------------------


def sqlite_snapshot(source: sqlite3.Connection, dest: Path) -> None:
    """Copy the database of ``source`` to the file ``dest`` with the online backup API.

    ``pages=-1`` copies everything in one step, under one read snapshot, so writers on other
    connections neither block the copy nor make it restart, and the copy never mixes two
    states of the database.
    """
    target = sqlite3.connect(dest)
    try:
        source.backup(target, pages=-1)
    finally:
        target.close()


def sqlite_state(path: Path) -> tuple[dict, dict]:
    """(migrations per app, row count per table) of a SQLite database file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        migrations = _migrations(conn.execute(
            "SELECT app, name FROM django_migrations ORDER BY id").fetchall()
            if "django_migrations" in counts else [])
    finally:
        conn.close()
    return migrations, counts


def _migrations(rows) -> dict:
    out: dict = {}
    for app, name in rows:
        out.setdefault(app, []).append(name)
    return out


def _dump_sqlite(connection, dest: Path) -> dict:
    connection.ensure_connection()
    if connection.in_atomic_block:
        # The copy would carry this connection's uncommitted writes.
        raise BackupError("backup must not run inside a transaction")
    sqlite_snapshot(connection.connection, dest)
    return {"member": SQLITE_MEMBER, "method": "sqlite3 online backup API",
            "server_version": sqlite3.sqlite_version}


# --- PostgreSQL -----------------------------------------------------------------------------


def pg_env(settings_dict: dict) -> dict:
    """The environment the PostgreSQL client tools connect with (no password on a command
    line, where ``ps`` would show it)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                     ("service", "PGSERVICE")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` / ``pg_restore`` / ``psql``, or BackupError saying to install
    them (the client tools of the server's major version or newer)."""
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools (Debian/Ubuntu: "
            f"postgresql-client) of the server's major version or newer, and run again.")
    return path


def _run_tool(args: list, env: dict, what: str) -> None:
    result = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): "
                          f"{result.stderr.decode(errors='replace').strip()[-2000:]}")


def _dump_postgres(connection, dest: Path, state: dict) -> dict:
    """pg_dump of one exported snapshot; fills ``state`` with that snapshot's migrations and
    row counts, so the manifest describes exactly the dumped data."""
    pg_dump = pg_tool("pg_dump")
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_schema(), "
                           "current_setting('server_version')")
            snapshot, schema, version = cursor.fetchone()
            cursor.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1")
            tables = [r[0] for r in cursor.fetchall()]
            counts = {}
            for table in tables:
                quoted = table.replace('"', '""')
                cursor.execute(f'SELECT count(*) FROM "{quoted}"')
                counts[table] = cursor.fetchone()[0]
            rows = []
            if "django_migrations" in counts:
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
                rows = cursor.fetchall()
            # The transaction stays open until pg_dump has read the snapshot it exported.
            _run_tool([pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                       "--file", str(dest)],
                      pg_env(connection.settings_dict), "pg_dump")
        raw.rollback()
    finally:
        raw.close()
    state["migrations"], state["row_counts"] = _migrations(rows), counts
    return {"member": PG_MEMBER, "method": "pg_dump --format=custom (one exported snapshot)",
            "server_version": version, "schema": schema}


# --- the archive ----------------------------------------------------------------------------


def default_output() -> Path:
    """``<data dir>/backups/gridgov-<UTC time>.tar.gz``."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"gridgov-{stamp}.tar.gz"


def media_files(root: Path):
    """(archive member name, path) of every regular file under ``root``, in a stable order."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield MEDIA_PREFIX + path.relative_to(root).as_posix(), path


class _HashingReader:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def read(self, size=-1):
        block = self.handle.read(size)
        self.digest.update(block)
        self.size += len(block)
        return block


def _add(tar: tarfile.TarFile, name: str, path: Path, members: dict) -> None:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with open(path, "rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    if reader.size != info.size:
        raise BackupError(f"{path} changed size while it was being copied; run again")
    members[name] = {"sha256": reader.digest.hexdigest(), "size": reader.size}


def _write_archive(final: Path, db_file: Path, db_member: str, manifest: dict) -> None:
    """Write the archive next to ``final`` and move it in place only when complete, so a
    failed or interrupted run never leaves a file that looks like a backup."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".partial",
                                   dir=final.parent)
    os.fchmod(fd, 0o600)  # personal data (encrypted) and password hashes
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz",
                                                      compresslevel=6) as tar:
            members = manifest["members"]
            _add(tar, db_member, db_file, members)
            count = size = 0
            for name, path in media_files(Path(settings.MEDIA_ROOT)):
                _add(tar, name, path, members)
                count, size = count + 1, size + members[name]["size"]
            manifest["media"] = {"files": count, "bytes": size}
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(dt.datetime.now().timestamp())
            tar.addfile(info, _BytesReader(body))
        os.replace(partial, final)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, size=-1):
        end = len(self.data) if size is None or size < 0 else self.pos + size
        block, self.pos = self.data[self.pos:end], min(end, len(self.data))
        return block


def create_backup(output: Path | None = None, *, using: str = "default") -> dict:
    """Write one archive of the database and the media files; return the manifest with
    ``path``, ``archive_bytes`` and ``archive_sha256`` added. Refuses an existing ``output``
    (a directory: the default file name inside it). Audited as ``core.backup``."""
    output = Path(output).absolute() if output else default_output()
    if output.is_dir():
        output = output / default_output().name
    if output.exists():
        raise BackupError(f"{output} exists; choose another --output")
    connection = connections[using]
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "created_at": created.isoformat(), "gridgov_version": gridgov.__version__,
                "keys": key_ids(), "members": {}}
    with tempfile.TemporaryDirectory(prefix="gridgov-backup-") as work:
        db_file = Path(work) / "database"
        if connection.vendor == "sqlite":
            manifest["database"] = {"vendor": "sqlite", **_dump_sqlite(connection, db_file)}
            manifest["migrations"], manifest["row_counts"] = sqlite_state(db_file)
        elif connection.vendor == "postgresql":
            state: dict = {}
            manifest["database"] = {"vendor": "postgresql",
                                    **_dump_postgres(connection, db_file, state)}
            manifest.update(state)
        else:
            raise BackupError(f"backups of {connection.vendor} databases are not supported")
        _write_archive(output, db_file, manifest["database"]["member"], manifest)
    manifest["path"] = str(output)
    manifest["archive_bytes"] = output.stat().st_size
    manifest["archive_sha256"] = sha256_file(output)
    with transaction.atomic(using=using):
        record("core.backup", actor=None, object_type="core.database", object_id="backups",
               changes={"file": output.name, "sha256": manifest["archive_sha256"],
                        "bytes": manifest["archive_bytes"], "created_at": manifest["created_at"],
                        "rows": sum(manifest["row_counts"].values()),
                        "media_files": manifest["media"]["files"]})
    return manifest
