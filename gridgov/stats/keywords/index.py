"""The per-event term index (``EventTerm``): written once per event, counted with GROUP BY.

- ``index_events(ids)``: (re)write the rows of these events (their old rows deleted first);
- on report: ``stats.apps`` listens to ``events.signals.event_transition`` (sent on commit)
  and indexes the new event; a description never changes after the report;
- ``fill_missing(events)``: index the events of a queryset that have no row yet (events
  written in bulk, e.g. the demo history), at most ``limit`` of them;
- ``rebuild()``: every event again, after a dictionary change (``gridgov rebuild_keywords``
  or the dictionary page's button, through ``stats.actions.rebuild_keyword_index``).

An event without any term gets one row with the empty term, so every indexed event has a
row; the counts leave the empty term out.
"""

import logging

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from gridgov.events.models import Event

from ..models import EventTerm
from .tokenize import terms_of_many

CHUNK = 2000
log = logging.getLogger(__name__)


def _rows(events) -> list[EventTerm]:
    """``EventTerm`` rows of ``events`` (tuples of id, description, created_at)."""
    events = list(events)
    out = []
    for (pk, _text, created_at), terms in zip(events, terms_of_many(e[1] for e in events),
                                              strict=True):
        for term in terms or [""]:
            out.append(EventTerm(event_id=pk, term=term, created_at=created_at))
    return out


def _write(events) -> int:
    """Replace the rows of ``events`` (tuples of id, description, created_at)."""
    events = list(events)
    rows = _rows(events)
    with transaction.atomic():
        EventTerm.objects.filter(event_id__in=[e[0] for e in events]).delete()
        EventTerm.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def index_events(ids) -> int:
    """(Re)write the term rows of the events ``ids``; returns the rows written."""
    ids = list(ids)
    written = 0
    for start in range(0, len(ids), CHUNK):
        written += _write(Event.objects.filter(pk__in=ids[start:start + CHUNK])
                          .values_list("pk", "description", "created_at"))
    return written


def index_reported(sender, event, action, **kwargs) -> None:
    """``event_transition`` receiver: index a newly reported event (after its commit).

    A failure is logged, never raised into the report: the statistics page fills events
    without rows when it meets them (``fill_missing``)."""
    if action != "report":
        return
    try:
        _write([(event.pk, event.description, event.created_at)])
    except Exception:  # noqa: BLE001 - the report has committed; the page catches up later
        log.exception("keyword index of event %s failed", event.pk)


def missing(events):
    """The events of the queryset without term rows."""
    return events.filter(~Exists(EventTerm.objects.filter(event_id=OuterRef("pk"))))


def fill_missing(events, limit: int) -> tuple[int, bool]:
    """Index up to ``limit`` events of ``events`` without rows; returns (indexed, more left).

    Two queries when nothing is missing (one when ``limit`` is 0)."""
    rows = list(missing(events).order_by().values_list("pk", "description", "created_at")
                [:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        _write(rows)
    return len(rows), more


def rebuild(stdout=None) -> tuple[int, int]:
    """Every event's rows again, in chunks of ``CHUNK`` events by id; returns (events,
    rows). Each chunk is its own transaction: the page answers meanwhile, from old rows
    for the events not reached yet."""
    events = rows = 0
    last = 0
    while True:
        chunk = list(Event.objects.filter(pk__gt=last).order_by("pk")
                     .values_list("pk", "description", "created_at")[:CHUNK])
        if not chunk:
            break
        last = chunk[-1][0]
        new = _rows(chunk)
        with transaction.atomic():
            # one range delete for the chunk (the rows of deleted events went with them)
            EventTerm.objects.filter(event_id__gte=chunk[0][0], event_id__lte=last).delete()
            EventTerm.objects.bulk_create(new, batch_size=CHUNK)
        events += len(chunk)
        rows += len(new)
        if stdout is not None:
            stdout.write(f"  {events} events, {rows} terms")
    # Fresh statistics for the planner: without them PostgreSQL guesses a handful of rows
    # and joins the events to their terms by nested loops (seconds instead of milliseconds).
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {EventTerm._meta.db_table}")
    return events, rows
