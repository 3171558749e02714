"""Growing the loaded demo district to a city's volume: a year of events with their steps and
audit records, a million residents, a deep data catalog (``generate``).

For benchmarks (``benchmarks/scale.py``, docs/scale.md): 500,000 events and 1,000,000 people
take minutes on PostgreSQL, because rows go in by ``COPY`` (SQLite: ``executemany``), drawn
and encoded by ``jobs`` worker processes while the main process streams them, all in one
transaction. Everything is written as the actions would leave it (``events``, ``people``),
the audit chain included: ``gridgov audit verify`` passes afterwards. On PostgreSQL the load
runs with ``session_replication_role = replica`` (no trigger fires: the foreign keys are
right by construction and checking 20 million of them at commit would double the time); the
statistics rollup the event triggers keep is then rebuilt from the events in the same
transaction (``rollup_sync.rebuild_rows``). The catalog's resources go through
``sharing.actions.publish_resource``, as few are needed.

Deterministic: the same seed, sizes and day give the same cases and people (the encrypted
columns differ, as every encryption draws a fresh nonce).
"""

import multiprocessing
import time
from collections import deque

from django.db import connection, connections, transaction

from . import events as scale_events
from . import people as scale_people
from . import resources as scale_resources
from . import sink

DEFAULT_EVENTS = 500_000
DEFAULT_PEOPLE = 1_000_000
DEFAULT_SEED = 2026
# Published resources wanted, so that ``package_search`` can be paged 1,000 deep.
DEFAULT_RESOURCES = 1_100

_PEOPLE: dict = {}


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")
        stdout.flush()


def _people_chunk(job):
    """Worker entry point: one chunk of people."""
    return scale_people.encode_chunk(job, _PEOPLE)


class _Runner:
    """Runs encode jobs on a process pool (or in-process for ``jobs`` <= 1), yielding the
    results in job order with at most ``2 × jobs`` of them waiting (bounded memory)."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.pool = None
        if jobs > 1:
            # Fork after the context is read and the connection closed: the workers never
            # touch the database.
            connections.close_all()
            self.pool = multiprocessing.get_context("fork").Pool(jobs)

    def run(self, fn, tasks):
        if self.pool is None:
            for task in tasks:
                yield fn(task)
            return
        pending = deque()
        for task in tasks:
            pending.append(self.pool.apply_async(fn, (task,)))
            if len(pending) >= 2 * self.jobs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self):
        if self.pool is not None:
            self.pool.close()
            self.pool.join()


class _Clock:
    """Seconds and rows per table, for the report."""

    def __init__(self):
        self.tables: dict[str, list] = {}

    def write(self, name, model, fields, rows):
        started = time.perf_counter()
        n = sink.write(model, fields, rows)
        entry = self.tables.setdefault(name, [0, 0.0])
        entry[0] += n
        entry[1] += time.perf_counter() - started

    def report(self) -> dict:
        return {name: {"rows": rows, "write_seconds": round(sec, 3)}
                for name, (rows, sec) in self.tables.items()}


def _write_events(runner, clock, count, stdout) -> dict:
    """Draw, encode and write ``count`` cases; the states they ended in."""
    from gridgov.audit.models import AuditRecord, ChainHead
    from gridgov.events.models import Event, EventRequest, EventStep

    s = scale_events._STATE
    order = scale_events.order(count)
    first = sink.reserve(Event, count)
    jobs = [[(index, first + n) for n, index in enumerate(order[start:start + scale_events.CHUNK],
                                                          start=start)]
            for start in range(0, count, scale_events.CHUNK)]
    next_record = sink.reserve(AuditRecord, 1)
    states: dict = {}
    done = 0
    for out in runner.run(scale_events.encode_chunk, jobs):
        clock.write("events_event", Event, s["event_fields"], out["events"])
        clock.write("audit_auditrecord", AuditRecord, s["record_fields"],
                    scale_events.with_ids(out["records"], next_record))
        clock.write("events_eventstep", EventStep, s["step_fields"],
                    scale_events.with_ids(out["steps"], next_record))
        next_record += len(out["records"])
        clock.write("events_eventrequest", EventRequest, s["request_fields"], out["requests"])
        clock.write("audit_chainhead", ChainHead, s["head_fields"], out["heads"])
        for state, n in out["states"].items():
            states[state] = states.get(state, 0) + n
        done += len(out["events"])
        if done % 50_000 < scale_events.CHUNK:
            _say(stdout, f"  事件 events: {done}/{count}")
    sink.bump(Event)
    sink.bump(AuditRecord)
    return states


def _write_people(runner, clock, count, seed, stdout) -> int:
    """Draw, encode and write ``count`` people in one import batch per street."""
    from gridgov.basedata.models import Person

    if count <= 0:
        return 0
    bodies = scale_people.id_bodies(count, seed)
    batches = scale_people.start_batches(_PEOPLE["streets"])
    first = sink.reserve(Person, count)
    size = scale_people.CHUNK
    jobs = [(n, first + start, bodies[start:start + size], batches)
            for n, start in enumerate(range(0, count, size))]
    through = Person.tags.through
    through_fields = [through._meta.get_field("person"), through._meta.get_field("tag")]
    per_batch: dict = {}
    done = 0
    for out in runner.run(_people_chunk, jobs):
        clock.write("basedata_person", Person, _PEOPLE["fields"], out["people"])
        clock.write("basedata_person_tags", through, through_fields, out["tags"])
        for batch_id, n in out.get("batches", {}).items():
            per_batch[batch_id] = per_batch.get(batch_id, 0) + n
        done += len(out["people"])
        if done % 200_000 < size:
            _say(stdout, f"  人口 people: {done}/{count}")
    sink.bump(Person)
    scale_people.finish_batches(batches, per_batch)
    return done


def _prepare_people(seed: int) -> None:
    from django.utils import timezone

    from gridgov.basedata.actions.common import actor_meta
    from gridgov.basedata.models import Person, Tag

    now = timezone.now()
    name, dept = actor_meta(None)
    stamp = {"by": name, "department": dept, "source": "import", "at": now.isoformat()}
    streets = scale_events._STATE["ctx"].streets
    cum, total = [], 0.0
    for street in streets:
        total += street.weight
        cum.append(total)
    _PEOPLE.update(
        seed=seed, streets=streets, weights=cum, postgres=sink.is_postgres(),
        fields=scale_people.fields(), defaults=sink.defaults(Person),
        tag_ids=dict(Tag.objects.values_list("name", "id")),
        fixed={"source": "import", "provenance": {"*": stamp}, "created_at": now,
               "updated_at": now, "collected_by_id": None, "updated_by_id": None})


def _replica(on: bool) -> bool:
    """Switch trigger firing off (``replica``) or back on (PostgreSQL superusers only);
    whether it is off now."""
    if not sink.is_postgres():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(f"SET LOCAL session_replication_role = {'replica' if on else 'origin'}")
    return on


def _analyze(stdout) -> float:
    """``VACUUM ANALYZE`` of the tables written (PostgreSQL): planner statistics and the
    visibility map a real database would have after autovacuum."""
    if not sink.is_postgres():
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("events_event", "events_eventstep", "events_eventrequest",
                      "audit_auditrecord", "audit_chainhead", "basedata_person",
                      "basedata_person_tags", "events_eventrollup"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    _say(stdout, f"  VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")
    return time.perf_counter() - started


def generate(events: int = DEFAULT_EVENTS, people: int = DEFAULT_PEOPLE, *,
             seed: int = DEFAULT_SEED, jobs: int = 2, resources: int = DEFAULT_RESOURCES,
             now=None, analyze: bool = True, stdout=None) -> dict:
    """Grow the loaded demo district by ``events`` cases over the 12 months before ``now``
    and ``people`` residents, and publish resources up to ``resources``. Returns counts and
    timings (seconds, rows and write seconds per table)."""
    from gridgov.events.models import Event
    from gridgov.events.rollup_sync import rebuild_rows

    if Event.objects.filter(idempotency_key__startswith=scale_events.KEY_PREFIX).exists():
        raise RuntimeError("this database holds generated scale events already: start again "
                           "from a freshly loaded demo")
    started = time.perf_counter()
    scale_events.prepare(seed, now)
    _prepare_people(seed)
    runner = _Runner(jobs)
    clock = _Clock()
    try:
        with transaction.atomic():
            replica = _replica(True)
            t = time.perf_counter()
            states = _write_events(runner, clock, events, stdout)
            event_seconds = time.perf_counter() - t
            t = time.perf_counter()
            rollup_rows = rebuild_rows() if replica else None
            rollup_seconds = time.perf_counter() - t
            t = time.perf_counter()
            people_written = _write_people(runner, clock, people, seed, stdout)
            people_seconds = time.perf_counter() - t
            _replica(False)
            t = time.perf_counter()
            published = scale_resources.publish(resources, seed)
            resource_seconds = time.perf_counter() - t
    finally:
        runner.close()
    analyze_seconds = _analyze(stdout) if analyze else 0.0
    result = {
        "events": events, "states": states, "people": people_written,
        "resources_published": published, "rollup_rows": rollup_rows,
        "seconds": round(time.perf_counter() - started, 1),
        "event_seconds": round(event_seconds, 1), "people_seconds": round(people_seconds, 1),
        "rollup_seconds": round(rollup_seconds, 1),
        "resource_seconds": round(resource_seconds, 1),
        "analyze_seconds": round(analyze_seconds, 1), "tables": clock.report(),
    }
    _say(stdout, f"规模数据 scale data: {events} events, {people_written} people, "
                 f"{published} resources published in {result['seconds']} s")
    return result
