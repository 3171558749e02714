"""``gridgov backup [--output PATH]``: one archive of the database and the media files.

What is in it and why it is consistent while the server runs: gridgov/core/backup.py. The
keys are not in it (docs/deployment.md, "Backup and restore").
"""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库和上传文件到一个归档文件(不含密钥)。"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o",
                            help="archive file to write (default: "
                                 "<data dir>/backups/gridgov-<time>.tar.gz)")

    def handle(self, *args, **options):
        try:
            manifest = create_backup(options.get("output"))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["row_counts"].values())
        media = manifest["media"]
        self.stdout.write(
            f"backup written: {manifest['path']}\n"
            f"  {manifest['archive_bytes']} bytes, sha256 {manifest['archive_sha256']}\n"
            f"  database ({manifest['database']['vendor']}, "
            f"{manifest['database']['method']}): {len(manifest['row_counts'])} tables, "
            f"{rows} rows\n"
            f"  media: {media['files']} files, {media['bytes']} bytes\n"
            "  keys are NOT in the archive: keep SECRET_KEY, AUDIT_HMAC_KEY, "
            "GRIDGOV_FIELD_KEYS and GRIDGOV_LOOKUP_KEY separately.")
