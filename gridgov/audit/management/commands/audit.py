"""``gridgov audit verify|anchor|export|purge``: the audit log from the command line.

* ``verify`` recomputes every link and seal; prints ``OK: N records, M chains, K anchors`` or
  the first broken link, and exits 1 when the log is broken.
* ``anchor`` seals the closed days (what the daily Celery task does).
* ``export`` streams records (``--format csv|jsonl``) to standard output, filtered by the same
  FilterSet as the audit pages (``--since``/``--until`` are local days, both included).
* ``purge`` deletes whole anchored days older than AUDIT_RETENTION_DAYS (never below 180) and
  leaves a purge mark so that ``verify`` stays valid; ``--dry-run`` only reports.
"""

import datetime as dt

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from gridgov.audit.actions import PurgeRefused, plan_purge, purge_expired, record_export
from gridgov.audit.anchor import anchor_closed_days
from gridgov.audit.export import csv_lines, jsonl_lines
from gridgov.audit.filtersets import AuditRecordFilterSet
from gridgov.audit.models import AuditRecord
from gridgov.audit.verify import verify_all

FILTER_OPTIONS = ("actor", "action", "object_type", "object_id", "request_id", "client_ip",
                  "since", "until")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}")


class Command(BaseCommand):
    help = "Verify, seal, export and purge the tamper-evident audit log."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Check every record, chain head, anchor and purge mark.")
        anchor = sub.add_parser("anchor", help="Seal the closed days that have no anchor yet.")
        anchor.add_argument("--until", help="Seal days before this day (default: today).")
        export = sub.add_parser("export", help="Write records to standard output.")
        export.add_argument("--format", choices=["csv", "jsonl"], default="csv")
        export.add_argument("--bom", action="store_true",
                            help="Start CSV with a UTF-8 byte order mark (for Excel).")
        for name in FILTER_OPTIONS:
            export.add_argument("--" + name.replace("_", "-"), dest=name, default=None)
        purge = sub.add_parser("purge", help="Delete anchored days older than the retention.")
        purge.add_argument("--dry-run", action="store_true", help="Only say what would go.")

    def handle(self, *args, **options):
        return getattr(self, "do_" + options["subcommand"])(options)

    def do_verify(self, options):
        result = verify_all()
        self.stdout.write(result.summary())
        if not result.ok:
            raise CommandError("audit log verification failed", returncode=1)

    def do_anchor(self, options):
        until = _date(options["until"]) if options.get("until") else None
        anchors = anchor_closed_days(until=until)
        for anchor in anchors:
            self.stdout.write(f"sealed {anchor.day.isoformat()}: {anchor.record_count} records "
                              f"(anchor {anchor.hash[:16]})")
        if not anchors:
            self.stdout.write("nothing to seal")

    def do_export(self, options):
        data = {name: options[name] for name in FILTER_OPTIONS if options.get(name)}
        filterset = AuditRecordFilterSet(data, queryset=AuditRecord.objects.all())
        if not filterset.is_valid():
            raise CommandError("; ".join(f"--{k.replace('_', '-')}: {' '.join(v)}"
                                         for k, v in filterset.errors.items()))
        record_export(actor=None, filters=filterset.form.cleaned_data, fmt=options["format"])
        if options["format"] == "jsonl":
            lines = jsonl_lines(filterset.qs)
        else:
            lines = csv_lines(filterset.qs, bom=options["bom"])
        for line in lines:
            self.stdout.write(line, ending="")

    def do_purge(self, options):
        try:
            if options["dry_run"]:
                plan = plan_purge()
                if plan.cut_day is None:
                    self.stdout.write(f"nothing to purge (keeping everything from "
                                      f"{plan.keep_from})")
                else:
                    self.stdout.write(f"would purge {plan.records} records and {plan.anchors} "
                                      f"anchors up to {plan.cut_day} (keeping from "
                                      f"{plan.keep_from})")
                return
            plan = purge_expired()
        except (PurgeRefused, ImproperlyConfigured) as exc:
            raise CommandError(f"purge refused: {exc}", returncode=1)
        if plan.cut_day is None:
            self.stdout.write(f"nothing to purge (keeping everything from {plan.keep_from})")
        else:
            self.stdout.write(f"purged {plan.records} records and {plan.anchors} anchors up to "
                              f"{plan.cut_day} (keeping from {plan.keep_from})")
