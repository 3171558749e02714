"""``gridgov rules run [--date YYYY-MM-DD] [--rule ID ...]``: run the rules now (as the
system): every active rule, or the rules named by id (active or not), for the date (default:
today). ``gridgov rules list``: the rules with their ids."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "主动服务规则: run the rules (firing each match once per period) or list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        run = sub.add_parser("run", help="run the rules now")
        run.add_argument("--date", help="evaluation date YYYY-MM-DD (default: today)")
        run.add_argument("--rule", action="append", default=[], metavar="ID",
                         help="only this rule (repeatable)")
        sub.add_parser("list", help="list the rules")

    def handle(self, *args, **options):
        from gridgov.rules.models import Rule

        if options["command"] == "list":
            for rule in Rule.objects.order_by("pk"):
                state = "active" if rule.is_active else "retired"
                self.stdout.write(f"{rule.pk}\t{state}\t{rule.period}\t{rule.name}")
            return
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, got {options['date']!r}") \
                    from None
        rules = None
        if options["rule"]:
            ids = []
            for raw in options["rule"]:
                if not str(raw).isdigit():
                    raise CommandError(f"--rule must be a rule id, got {raw!r}")
                ids.append(int(raw))
            rules = list(Rule.objects.filter(pk__in=ids).order_by("pk"))
            missing = sorted(set(ids) - {r.pk for r in rules})
            if missing:
                raise CommandError(f"no such rule: {', '.join(map(str, missing))}")
        from gridgov.rules.actions import run_rules

        run = run_rules(today=today, rules=rules)
        for detail in run.detail:
            line = (f"rule {detail['rule']} {detail['name']}: {detail['fired']} fired, "
                    f"{detail['skipped']} skipped, {detail['errors']} errors")
            if detail.get("error"):
                line += f" ({detail['error']})"
            self.stdout.write(line)
        self.stdout.write(f"{run.evaluated_on}: {run.rules_evaluated} rules, {run.fired} fired, "
                          f"{run.skipped} skipped, {run.errors} errors in "
                          f"{run.duration_ms / 1000:.1f} s")
        if run.errors:
            raise CommandError(f"{run.errors} errors (see the log)")
