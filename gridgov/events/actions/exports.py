"""The audit of a list of cases exported to a file (案件查询, the statistics' 超期案件).

Whoever exports cases leaves a record of who, which list, which conditions and how many
rows, whichever page the file came from: the search page and its API list, and the
statistics' overdue list (``stats`` calls this action; events never imports stats). The
conditions are recorded as the page's query string, scrubbed of personal data by the caller
and cut to ``QUERY_MAX`` characters.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gridgov.audit.recorder import record
from gridgov.core.access import require

QUERY_MAX = 1000
# The lists that export cases: their name in the audit record (``object_repr``).
LISTS = {
    "search": _("案件查询导出"),
    "overdue": _("超期案件导出"),
}


def record_export(*, actor, query: str, rows: int, capped: bool, file_format: str,
                  source: str = "search") -> None:
    """Write the audit record of the cases of one list (``source``, a key of ``LISTS``)
    exported to a file: who, which conditions, how many rows, whether the cap cut them."""
    require(actor, "events.view")
    if source not in LISTS:
        raise ValueError(f"unknown export source {source!r}")
    with transaction.atomic():
        record("events.search_export", actor=actor, object_type="events.search",
               object_id=str(actor.pk), object_repr=str(LISTS[source]),
               after={"source": source, "query": query[:QUERY_MAX], "rows": rows,
                      "capped": capped, "format": file_format})
