"""``gridgov rollups check`` and ``gridgov rollups rebuild``: the statistics rollup.

- ``check`` recounts the rollup from the events (in Python, independently of the triggers'
  SQL) and lists the keys where the stored rollup differs; exits with status 1 on drift.
- ``rebuild`` recomputes it from the events in one transaction, audited
  (``events.rebuild_rollups``, with the number of keys it repaired). Idempotent.
"""

import sys

from django.core.management.base import BaseCommand

from gridgov.events.rollup_sync import drift, rebuild_rollups


class Command(BaseCommand):
    help = "统计汇总表:check 与事件重新计数比对并报告偏差;rebuild 由事件重建(记入审计)。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("check", help="与事件重新计数比对,报告偏差(有偏差时退出码 1)")
        check.add_argument("--limit", type=int, default=20, help="最多列出多少处偏差")
        sub.add_parser("rebuild", help="由事件重建统计汇总表(一个事务,记入审计)")

    def handle(self, *args, **options):
        if options["subcommand"] == "rebuild":
            result = rebuild_rollups()
            self.stdout.write(f"统计汇总表已重建 rollup rebuilt: {result['rows']} 行 rows, "
                              f"修正 repaired {result['repaired']} 处 keys")
            return
        found = drift()
        for key, want, have in found[:options["limit"]]:
            self.stdout.write(f"偏差 drift {key}: 应为 expected {want} 实为 stored {have}")
        if found:
            self.stdout.write(f"共 {len(found)} 处偏差 keys drifted")
            sys.exit(1)
        self.stdout.write("统计汇总表与事件一致 rollup matches the events")
