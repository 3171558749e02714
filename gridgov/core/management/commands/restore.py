"""``gridgov restore PATH [--yes] [--force]``: put a ``gridgov backup`` archive back.

Checks the archive (checksums, format, migrations) before touching anything, refuses a
non-empty database without ``--force``, restores the database in one transaction, then swaps
the media folder (gridgov/core/restore.py). Stop the web server and the workers first.
"""

import shutil
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gridgov.core.backup import BackupError
from gridgov.core.restore import prepare, restore_backup


class Command(BaseCommand):
    help = "从 gridgov backup 归档恢复数据库和上传文件。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by gridgov backup")
        parser.add_argument("--yes", action="store_true",
                            help="do not ask for confirmation")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that already holds data")

    def handle(self, *args, **options):
        try:
            staging, manifest = prepare(options["archive"])
        except BackupError as exc:
            raise CommandError(f"{exc}; nothing was changed") from None
        try:
            self.confirm(manifest, options)
            try:
                summary = restore_backup(staging, manifest, force=options["force"])
            except BackupError as exc:
                raise CommandError(str(exc)) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.stdout.write(
            f"restored the backup of {summary['created_at']}:\n"
            f"  database ({summary['vendor']}): {summary['tables']} tables, "
            f"{summary['rows']} rows\n"
            f"  media: {summary['media_files']} files, {summary['media_bytes']} bytes")
        if summary["migrations_behind"]:
            self.stdout.write(f"  the backup's schema is older "
                              f"({len(summary['migrations_behind'])} migrations behind): "
                              "run `gridgov migrate` before starting the server")
        for note in summary["notes"]:
            self.stderr.write(f"WARNING: {note}")

    def confirm(self, manifest, options) -> None:
        if options["yes"]:
            return
        target = connection.settings_dict.get("NAME")
        question = (f"Replace the database {target} and the media folder with the backup of "
                    f"{manifest.get('created_at')}? Type 'yes' to continue: ")
        if not sys.stdin.isatty():
            raise CommandError("restore replaces the database and the media folder: "
                               "pass --yes to confirm; nothing was changed")
        if input(question).strip().lower() != "yes":
            raise CommandError("restore cancelled; nothing was changed")
