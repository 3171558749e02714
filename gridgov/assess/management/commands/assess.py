"""``gridgov assess freeze [--month YYYY-MM] [--scheme NAME]``: freeze a month's assessment
(default: the previous month, the default scheme) as a new snapshot version."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gridgov.stats.periods import MONTH, Period


class Command(BaseCommand):
    help = "效能考核: freeze a month's assessment as a snapshot (a new version each time)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        freeze = sub.add_parser("freeze", help="freeze a month")
        freeze.add_argument("--month", help="YYYY-MM (default: the previous month)")
        freeze.add_argument("--scheme", help="scheme name (default: the default scheme)")

    def handle(self, *args, **options):
        from gridgov.assess.actions import default_scheme, freeze_assessment
        from gridgov.assess.models import Scheme
        from gridgov.assess.tasks import previous_month

        if options["month"]:
            try:
                first = dt.date.fromisoformat(options["month"] + "-01")
            except ValueError:
                raise CommandError("--month must be YYYY-MM") from None
            period = Period.containing(MONTH, first)
        else:
            period = previous_month()
        if options["scheme"]:
            scheme = Scheme.objects.filter(name=options["scheme"]).first()
        else:
            scheme = default_scheme()
        if scheme is None:
            raise CommandError("no such scheme")
        snapshot = freeze_assessment(period, scheme, actor=None)
        self.stdout.write(f"{period.label()} {scheme.name}: version {snapshot.version}, "
                          f"{snapshot.case_count} cases, {snapshot.results.count()} results")
