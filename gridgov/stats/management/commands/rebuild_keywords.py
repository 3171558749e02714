"""``gridgov rebuild_keywords``: cut every event's description again (after a dictionary
change, or after events were written in bulk, e.g. the demo history)."""

import time

from django.core.management.base import BaseCommand

from gridgov.stats.actions import rebuild_keyword_index


class Command(BaseCommand):
    help = "Rebuild the keyword index of every event (重建热词索引)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = rebuild_keyword_index(actor=None, stdout=self.stdout if options["verbosity"] > 1
                                       else None)
        self.stdout.write(
            f"热词索引已重建 Rebuilt: {result['events']} events, {result['terms']} term rows, "
            f"dictionary revision {result['revision']}, {time.perf_counter() - started:.1f} s")
