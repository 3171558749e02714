"""``gridgov audit verify|anchor|rotate-key|export|purge``: the audit log from the command line.

* ``verify`` checks the links and seals and compares the seals with their copy outside the
  database (``--anchor-log``, default ``GRIDGOV_AUDIT_ANCHOR_LOG``); prints ``OK: N records, M
  chains, K anchors`` (and ``WARNING:`` lines for what it could not check) or the first broken
  link, then ``MODE:`` and what was checked, and exits 1 when the log is broken. By default it
  is incremental: it recomputes the records and days since the last successful run and only
  counts the earlier ones; ``--full`` recomputes every record (an edit of a record verified
  before is caught only so).
* ``anchor`` seals the closed days and checkpoints the open day (what the server does by itself
  every ``GRIDGOV_AUDIT_SEAL_SECONDS``, and the Celery task); with ``--until`` it only seals the
  closed days before that day.
* ``rotate-key`` records that ``AUDIT_HMAC_KEY`` replaced the key now in
  ``AUDIT_HMAC_KEYS_OLD`` (docs/decisions/0001-audit-chain.md, "Key rotation").
* ``export`` streams records (``--format csv|jsonl``) to standard output, filtered by the same
  FilterSet as the audit pages (``--since``/``--until`` are local days, both included).
* ``purge`` deletes whole anchored days older than AUDIT_RETENTION_DAYS (never below 180) and
  leaves a purge mark so that ``verify`` stays valid; ``--dry-run`` only reports.
"""

import datetime as dt

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from gridgov.audit import anchor_log
from gridgov.audit.actions import (
    PurgeRefused,
    RotationRefused,
    plan_purge,
    purge_expired,
    record_export,
    record_key_rotation,
)
from gridgov.audit.anchor import anchor_closed_days
from gridgov.audit.export import csv_lines, jsonl_lines
from gridgov.audit.filtersets import AuditRecordFilterSet
from gridgov.audit.models import AuditRecord
from gridgov.audit.seal import seal_now
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
        verify = sub.add_parser(
            "verify", help="Check the records, chain heads and seals (incremental by default).",
            description="Incremental by default: recompute the records written and the days "
                        "sealed since the last successful run, check every seal chain and "
                        "every chain head, and only count the records verified before (a "
                        "deleted or inserted one is caught, an edited one is not). --full "
                        "recomputes every record's HMAC and every day's digest. The MODE: "
                        "line says which ran.")
        verify.add_argument("--full", action="store_true",
                            help="Recompute every record and seal, not only those since the "
                                 "last successful verification.")
        verify.add_argument("--anchor-log", metavar="PATH",
                            help="The copy of the seals outside the database to compare with "
                                 "(default: GRIDGOV_AUDIT_ANCHOR_LOG).")
        anchor = sub.add_parser("anchor", help="Seal the closed days and checkpoint today.")
        anchor.add_argument("--until", help="Only seal the closed days before this day.")
        sub.add_parser("rotate-key", help="Record the change of AUDIT_HMAC_KEY.")
        export = sub.add_parser("export", help="Write records to standard output.")
        export.add_argument("--format", choices=["csv", "jsonl"], default="csv")
        export.add_argument("--bom", action="store_true",
                            help="Start CSV with a UTF-8 byte order mark (for Excel).")
        for name in FILTER_OPTIONS:
            export.add_argument("--" + name.replace("_", "-"), dest=name, default=None)
        purge = sub.add_parser("purge", help="Delete anchored days older than the retention.")
        purge.add_argument("--dry-run", action="store_true", help="Only say what would go.")

    def handle(self, *args, **options):
        return getattr(self, "do_" + options["subcommand"].replace("-", "_"))(options)

    def do_verify(self, options):
        path = options.get("anchor_log") or anchor_log.path()
        result = verify_all(anchor_log=path, incremental=not options.get("full"))
        self.stdout.write(result.summary())
        for warning in result.warnings:
            self.stdout.write(f"WARNING: {warning}")
        self.stdout.write(f"MODE: {result.mode_text}")
        if not result.ok:
            raise CommandError("audit log verification failed", returncode=1)

    def do_anchor(self, options):
        checkpoint = None
        if options.get("until"):
            anchors = anchor_closed_days(until=_date(options["until"]))
        else:
            anchors, checkpoint = seal_now()
        for anchor in anchors:
            self.stdout.write(f"sealed {anchor.day.isoformat()}: {anchor.record_count} records "
                              f"(anchor {anchor.hash[:16]})")
        if checkpoint is not None:
            self.stdout.write(f"checkpoint {checkpoint.day.isoformat()}: "
                              f"{checkpoint.record_count} records up to record "
                              f"{checkpoint.upto_id} (checkpoint {checkpoint.hash[:16]})")
        if not anchors and checkpoint is None:
            self.stdout.write("nothing to seal")

    def do_rotate_key(self, options):
        try:
            epoch = record_key_rotation()
        except RotationRefused as exc:
            raise CommandError(f"rotation refused: {exc}", returncode=1)
        self.stdout.write(f"recorded the rotation from key {epoch.retired_key_id} to "
                          f"{epoch.key_id}: the old key verifies records up to "
                          f"{epoch.upto_id} and the seals before it")

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
