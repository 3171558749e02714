"""``gridgov keys check | rehash``.

check: list the production keys this process lacks (gridgov/core/keys_check.py) and exit 1 if
any is missing; the same list ``gridgov serve``, the WSGI application and Celery refuse on.
rehash: after GRIDGOV_LOOKUP_KEY changed, recompute every stored lookup hash under the new key
(gridgov/core/lookup_keys.py), in atomic batches; safe to interrupt and run again.
``--dry-run`` only counts the stale hashes (0 when the rotation is complete). Exits 1 when a
hash could not be recomputed (a token that no configured field key decrypts).
"""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core import keys_check, lookup_keys


class Command(BaseCommand):
    help = "密钥:检查生产密钥;更换查询密钥后重算全部查询哈希。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="cmd", required=True)
        sub.add_parser("check", help="列出缺少的生产密钥")
        rehash = sub.add_parser("rehash", help="用当前 GRIDGOV_LOOKUP_KEY 重算全部查询哈希")
        rehash.add_argument("--batch-size", type=int, default=500,
                            help="rows per transaction (default 500)")
        rehash.add_argument("--dry-run", action="store_true",
                            help="count the stale hashes, change nothing")

    def handle(self, *args, cmd, **options):
        if cmd == "check":
            found = keys_check.problems()
            if found:
                lines = [f"{name}: {problem} (make one with: {howto})"
                         for name, problem, howto in found]
                raise CommandError("production keys are missing:\n  " + "\n  ".join(lines),
                                   returncode=1)
            self.stdout.write("All production keys are set.")
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        result = lookup_keys.rehash(batch_size=options["batch_size"],
                                    dry_run=options["dry_run"], stdout=self.stdout)
        verb = "would be rehashed" if options["dry_run"] else "rehashed"
        summary = (f"lookup key {result['key']}: {result['checked']} rows checked, "
                   f"{result['rehashed']} {verb}, {result['failed']} failed")
        if result["failed"]:
            for item in result["failures"]:
                self.stderr.write(f"  {item['model']} {item['pk']} {item['column']}: "
                                  f"{item['problem']}")
            raise CommandError(summary, returncode=1)
        self.stdout.write(summary)
