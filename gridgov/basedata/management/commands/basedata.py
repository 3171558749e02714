"""``gridgov basedata rotate_keys | new_key | import KIND FILE | check_ids``.

rotate_keys: re-encrypt every encrypted column (ID numbers, phones, import reports, TOTP
secrets: ``personal_data.ENCRYPTED_COLUMNS``) under the first key of GRIDGOV_FIELD_KEYS
(docs/personal-data.md). new_key: print a fresh base64 key.
import: load a CSV/XLSX file as the system loader and print the counts (the rejected rows'
report goes to ``--report`` when given).
check_ids (also ``check-ids``): decrypt every stored ID number and check it, and every
organisation's credit code, against the real GB 11643 / GB 32100 rules; print the count and
the failing records with masked numbers only, and exit with status 1 if any fails.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gridgov.basedata import actions, importers, validators
from gridgov.core import personal_data


class Command(BaseCommand):
    help = "基础数据维护:密钥轮换、生成密钥、批量导入。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="cmd", required=True)
        rotate = sub.add_parser("rotate_keys", help="用第一个密钥重新加密全部加密字段")
        rotate.add_argument("--batch-size", type=int, default=500)
        sub.add_parser("new_key", help="生成一个新的字段加密密钥(base64)")
        imp = sub.add_parser("import", help="导入 CSV/XLSX(系统身份)")
        imp.add_argument("kind", choices=sorted(importers.KINDS))
        imp.add_argument("file")
        imp.add_argument("--report", help="被拒绝行报告的输出路径")
        check = sub.add_parser("check_ids", aliases=["check-ids"],
                               help="按 GB 11643 / GB 32100 检查已存身份证号和统一社会信用代码")
        check.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, cmd, **options):
        if cmd in ("check_ids", "check-ids"):
            self.check_ids(batch_size=options["batch_size"])
        elif cmd == "new_key":
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

    def check_ids(self, *, batch_size: int = 500) -> None:
        """Report stored identifiers that fail the real check; CommandError(returncode=1) if any.

        Only masked numbers are printed; the plain values never leave this process."""
        from gridgov.basedata.models import Organisation, Person

        failures = []
        checked = 0
        last_pk = 0
        while True:
            rows = list(Person.objects.filter(pk__gt=last_pk).exclude(id_number_enc="")
                        .order_by("pk").values_list("pk", "id_number_enc")[:batch_size])
            if not rows:
                break
            for pk, token in rows:
                checked += 1
                try:
                    number = personal_data.decrypt(token, "id_number")
                except personal_data.DecryptionError:
                    failures.append(("person", pk, "?", "无法解密(密钥缺失或密文损坏)"))
                    continue
                problem = validators.id_number_problem(number)
                if problem:
                    failures.append(("person", pk, personal_data.mask_id_number(number), problem))
            last_pk = rows[-1][0]
        orgs = 0
        for pk, code in (Organisation.objects.exclude(uscc="").order_by("pk")
                         .values_list("pk", "uscc").iterator(chunk_size=batch_size)):
            orgs += 1
            try:
                validators.validate_uscc(code)
            except ValidationError as exc:
                failures.append(("organisation", pk, personal_data.mask_value(code),
                                 exc.messages[0]))
        for kind, pk, masked, problem in failures:
            self.stdout.write(f"{kind} {pk}: {masked} {problem}")
        summary = (f"{checked} ID numbers and {orgs} credit codes checked, "
                   f"{len(failures)} failing")
        if failures:
            raise CommandError(summary, returncode=1)
        self.stdout.write(summary)
