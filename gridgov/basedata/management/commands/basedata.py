"""``gridgov basedata rotate_keys | new_key | import KIND FILE``.

rotate_keys: re-encrypt every ID number and phone under the first key of
GRIDGOV_FIELD_KEYS (docs/personal-data.md). new_key: print a fresh base64 key.
import: load a CSV/XLSX file as the system loader and print the counts (the rejected rows'
report goes to ``--report`` when given).
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gridgov.basedata import actions, importers
from gridgov.core import personal_data


class Command(BaseCommand):
    help = "基础数据维护:密钥轮换、生成密钥、批量导入。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="cmd", required=True)
        rotate = sub.add_parser("rotate_keys", help="用第一个密钥重新加密全部身份证号和手机号")
        rotate.add_argument("--batch-size", type=int, default=500)
        sub.add_parser("new_key", help="生成一个新的字段加密密钥(base64)")
        imp = sub.add_parser("import", help="导入 CSV/XLSX(系统身份)")
        imp.add_argument("kind", choices=sorted(importers.KINDS))
        imp.add_argument("file")
        imp.add_argument("--report", help="被拒绝行报告的输出路径")

    def handle(self, *args, cmd, **options):
        if cmd == "new_key":
            self.stdout.write(personal_data.new_key())
        elif cmd == "rotate_keys":
            counts = actions.rotate_keys(batch_size=options["batch_size"], stdout=self.stdout)
            self.stdout.write(f"key {personal_data.current_key_id()}: {counts['checked']} checked, "
                              f"{counts['rotated']} re-encrypted")
        elif cmd == "import":
            path = Path(options["file"])
            try:
                batch = importers.run_import(options["kind"], path.read_bytes(), path.name,
                                             actor=None)
            except (OSError, ValidationError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{batch.total_rows} rows: {batch.created_rows} created, "
                              f"{batch.updated_rows} updated, {batch.rejected_rows} rejected")
            if options.get("report") and batch.rejected_rows:
                Path(options["report"]).write_text(importers.report_csv(batch),
                                                   encoding="utf-8-sig")
