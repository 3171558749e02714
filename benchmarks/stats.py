"""Benchmark: the statistics over N generated events, beside a naive ORM group-by.

Creates a throwaway database (a temporary SQLite file, or the PostgreSQL database named by
``--postgres`` / ``DATABASE_URL``, dropped and created afresh), loads the demo district,
writes N events spread over two years across every grid of the district with ``bulk_create``,
then times, as the district leader through Django's test client (the whole request: scope,
SQL, JSON/HTML):

- ``summary``: ``GET /stats/api/summary/`` for the last full month (KPIs in three periods, the
  trend, the ranking of the 17 streets);
- ``summary-year``: the same over the last year;
- ``table``: ``GET /stats/table/community/`` (a drill-down table, every community of the
  district, three periods);
- ``drill``: the case list behind one figure (the search page, or its stand-in);
- ``assessment``: the monthly assessment, when the installation has one;
- ``summary/events``, ``year/events``: the two summaries with the rollup switched off (read
  from the events, as before the rollup), under the same load;
- ``naive``: the summary's figures the naive way: the three periods' rows fetched through
  the ORM and grouped in Python (streets, classes, sources, days).

Prints p50 and p95 of each and the ratio naive / summary. Goal: summary p95 < 300 ms at
1,000,000 events on both databases.

The figures read the rollup (``events_eventrollup``), which the database's triggers fill as
the events are written. ``--reuse`` keeps a database that already holds the events (SQLite:
give ``--data-dir``): it migrates (which fills the rollup of events written before it
existed), then times; generating 1,000,000 events takes a quarter of an hour on two cores.

    .venv/bin/python benchmarks/stats.py --events 100000
    .venv/bin/python benchmarks/stats.py --postgres postgres://root@127.0.0.1:5432/bench_stats
    .venv/bin/python benchmarks/stats.py               # 1,000,000 events on SQLite
    .venv/bin/python benchmarks/stats.py --data-dir /tmp/bench-stats --reuse
"""

import argparse
import datetime as dt
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per endpoint")
    parser.add_argument("--postgres", metavar="URL", default=None,
                        help="PostgreSQL URL (default: DATABASE_URL when it names PostgreSQL); "
                        "the database is dropped and created afresh")
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="data directory of the SQLite database (default: a temporary "
                        "one); with --reuse, kept between runs")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database when it already holds the events (migrate, "
                        "fill the rollups if empty, then time): generate once, time often")
    parser.add_argument("--seed", type=int, default=20)
    return parser.parse_args()


def prepare_database(args) -> None:
    tmp = args.data_dir or tempfile.mkdtemp(prefix="gridgov-stats-")
    Path(tmp).mkdir(parents=True, exist_ok=True)
    os.environ["GRIDGOV_DATA_DIR"] = str(Path(tmp).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    url = args.postgres or (os.environ.get("DATABASE_URL", "")
                            if os.environ.get("DATABASE_URL", "").startswith("postgres") else "")
    if url:
        import psycopg

        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [name]).fetchone()
            if not (args.reuse and exists):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url
        where = url
    else:
        os.environ.pop("DATABASE_URL", None)
        where = Path(tmp).resolve() / "gridgov.sqlite3"
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{where}{suffix}").unlink(missing_ok=True)
    print(f"database: {where}", flush=True)


# --- generated events (also used to fill a demo database for screenshots) -------------------

# Seasonality by month (summer rains and festivals raise the counts) and the source mix.
MONTH_WEIGHT = (0.8, 0.7, 0.9, 1.0, 1.1, 1.3, 1.4, 1.3, 1.1, 1.0, 0.9, 0.9)
SOURCES = (("grid_patrol", 45), ("hotline_12345", 20), ("citizen", 15), ("hotline_81890", 8),
           ("video_patrol", 6), ("mailbox", 3), ("dept_transfer", 2), ("leader_instruction", 1))
NATURES = (("request", 70), ("complaint", 20), ("consult", 6), ("suggestion", 3),
           ("thanks", 1))


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def generate_events(n: int, end: dt.datetime, days: int = 730, seed: int = 20, prefix="B"):
    """Yield ``n`` unsaved events reported over the ``days`` before ``end``, in every grid
    of the district: ~97 % closed (~80 % on time), recent ones open (some overdue), a few
    old ones stuck open, ~3 % void, merged or not filed."""
    from gridgov.accounts.models import Department
    from gridgov.areas.models import Area
    from gridgov.events.models import Event, MinorCategory

    rng = random.Random(seed)
    grids = list(Area.objects.filter(level="grid").values_list("pk", "code", "centroid_lng",
                                                                "centroid_lat"))
    # Busy grids and quiet ones: a skewed weight per grid makes hotspots.
    grid_cum = list(itertools.accumulate(rng.paretovariate(1.5) for _ in grids))
    minors = list(MinorCategory.objects.values_list("pk", "default_department_id"))
    departments = list(Department.objects.values_list("pk", flat=True))
    day_cum = list(itertools.accumulate(
        MONTH_WEIGHT[(end - dt.timedelta(days=d)).month - 1] for d in range(days)))
    # Drawn all at once: choices() with cumulative weights is a bisection per draw.
    picks = rng.choices(grids, cum_weights=grid_cum, k=n)
    # Oldest first: a real table fills in the order events arrive, so rows of one period
    # sit together on disk (random order would make every range scan a random read).
    day_offsets = sorted(rng.choices(range(days), cum_weights=day_cum, k=n), reverse=True)
    for i in range(n):
        gpk, code, lng, lat = picks[i]
        minor, default_dept = rng.choice(minors)
        created = end - dt.timedelta(days=day_offsets[i], seconds=rng.randrange(86400))
        deadline = created + dt.timedelta(hours=rng.choice((8, 24, 48, 96, 240)))
        roll = rng.random()
        state, closed_at, stage_deadline = "closed", None, None
        if roll < 0.88:
            late = rng.random() < 0.15
            span = (deadline - created) * (rng.uniform(1.05, 2.5) if late else
                                           rng.uniform(0.1, 0.95))
            closed_at = created + span
        elif roll < 0.97 and (end - created).days > 30 and rng.random() < 0.98:
            # Old cases were finished long ago, most of them late; a few stay stuck open.
            closed_at = deadline + (deadline - created) * rng.uniform(0.1, 1.5)
        elif roll < 0.97:
            state = rng.choice(("dispatched", "in_progress", "completed"))
            stage_deadline = deadline
        else:
            state = rng.choice(("void", "merged", "not_filed"))
        if closed_at and closed_at > end:
            state, closed_at, stage_deadline = "in_progress", None, deadline
        yield Event(
            number=f"{prefix}{i:010d}", source=_weighted(rng, SOURCES),
            nature=_weighted(rng, NATURES), state=state, category_id=minor,
            description="生成的历史事件", lng=lng + rng.uniform(-0.001, 0.001),
            lat=lat + rng.uniform(-0.001, 0.001), address=f"测试路{rng.randrange(400)}号",
            grid_id=gpk, area_code=code,
            department_id=default_dept or rng.choice(departments), created_at=created,
            updated_at=closed_at or created, handle_deadline=deadline, closed_at=closed_at,
            stage_deadline=stage_deadline, stage_started_at=created if stage_deadline else None,
        )


def write_events(n: int, end: dt.datetime, seed: int = 20, prefix="B", batch=5000) -> None:
    from django.db import transaction

    from gridgov.events.models import Event

    started = time.perf_counter()
    rows = []
    for event in generate_events(n, end, seed=seed, prefix=prefix):
        rows.append(event)
        if len(rows) == batch:
            with transaction.atomic():
                Event.objects.bulk_create(rows)
            rows = []
    if rows:
        Event.objects.bulk_create(rows)
    print(f"wrote {n:,} events in {time.perf_counter() - started:.1f} s", flush=True)


# --- timing ---------------------------------------------------------------------------------


def timed(label, fn, repeat) -> list[float]:
    fn()  # warm up (connection, caches)
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(f"{label:<14} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms", flush=True)
    return samples


def naive_dashboard(periods) -> dict:
    """The summary endpoint's figures the naive way: the rows of the three periods fetched
    through the ORM and grouped in Python (per period: streets, major classes, sources; the
    current period's days)."""
    from django.db.models import Q
    from django.utils import timezone

    from gridgov.events.models import Event

    ranges = [p.bounds() for p in periods]
    where = Q()
    for start, end in ranges:
        where |= Q(created_at__gte=start, created_at__lt=end)
    out: dict = {}
    for code, major, source, state, created, closed, deadline in (
            Event.objects.filter(where).values_list(
                "area_code", "category__major__code", "source", "state", "created_at",
                "closed_at", "handle_deadline").iterator(chunk_size=5000)):
        for slot, (start, end) in enumerate(ranges):
            if not start <= created < end:
                continue
            keys = [("street", code[:9]), ("major", major), ("source", source)]
            if slot == 0:
                keys.append(("day", timezone.localdate(created)))
            for key in keys:
                row = out.setdefault((slot, *key), [0, 0, 0, 0.0])
                row[0] += 1
                if state == "closed":
                    row[1] += 1
                    row[3] += (closed - created).total_seconds()
                    if deadline and closed <= deadline:
                        row[2] += 1
    return out


def main():
    args = parse_args()
    prepare_database(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.demo import load_demo
    from gridgov.events.models import Event
    from gridgov.stats.drill import figure_url
    from gridgov.stats.periods import MONTH, Period

    call_command("migrate", verbosity=0)
    have = Event.objects.filter(number__startswith="B").count() if args.reuse else 0
    if have >= args.events:
        print(f"reusing {have:,} generated events", flush=True)
    else:
        load_demo()
        end = timezone.now()
        write_events(args.events, end, seed=args.seed)
    from gridgov.events.models import EventRollup

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # After a bulk load, as autovacuum would (the fill leaves dead rows behind).
            cursor.execute("VACUUM ANALYZE events_event")
            cursor.execute("VACUUM ANALYZE events_eventrollup")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner's statistics, as `PRAGMA optimize` keeps
    rollup_rows = {g: EventRollup.objects.filter(grain=g).count() for g in ("d", "m")}
    print(f"rollup rows: {rollup_rows['d']:,} day, {rollup_rows['m']:,} month", flush=True)
    client = Client()
    client.force_login(User.objects.get(username="leader_district"))
    month = Period.containing(MONTH, timezone.localdate() - dt.timedelta(days=31))
    selector = {"period": "month", "date": month.start.isoformat()}
    print(f"{connection.vendor}, {args.events:,} events, month {month.label()}", flush=True)

    def get(url, params=None):
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code)
        return response

    results = {
        "summary": timed("summary", lambda: get(reverse("stats:api_summary"), selector),
                         args.repeat),
        "summary-year": timed("summary-year", lambda: get(
            reverse("stats:api_summary"), {"period": "year", "date": month.start.isoformat()}),
            max(5, args.repeat // 4)),
        "table": timed("table", lambda: get(reverse("stats:table", args=["community"]),
                                            selector), max(5, args.repeat // 2)),
        "drill": timed("drill", lambda: get(figure_url("330203005", month, "closed")),
                       max(5, args.repeat // 2)),
    }
    assessment = None
    for name in ("assess:ranking", "assessment:monthly"):
        try:
            assessment = reverse(name)
            break
        except NoReverseMatch:
            continue
    if assessment is None:
        print("assessment     (not installed: not timed)")
    elif (status := client.get(assessment, selector).status_code) != 200:
        print(f"assessment     (answered {status}: not timed)")
    else:
        results["assessment"] = timed("assessment", lambda: get(assessment, selector),
                                      max(5, args.repeat // 4))
    # The same two summaries read from the events (the rollup switched off), for the
    # figures before the rollup under the same load.
    from gridgov.stats import rollup

    answers = rollup.answers
    rollup.answers = lambda user, area: False
    try:
        results["events"] = timed("summary/events", lambda: get(
            reverse("stats:api_summary"), selector), max(5, args.repeat // 4))
        results["events-year"] = timed("year/events", lambda: get(
            reverse("stats:api_summary"), {"period": "year", "date": month.start.isoformat()}),
            max(3, args.repeat // 8))
    finally:
        rollup.answers = answers
    periods = (month, month.previous(), month.year_ago())
    results["naive"] = timed("naive", lambda: naive_dashboard(periods),
                             max(3, args.repeat // 4))
    ratio = statistics.median(results["naive"]) / statistics.median(results["summary"])
    p95 = results["summary"][min(len(results["summary"]) - 1,
                                 round(0.95 * (len(results["summary"]) - 1)))]
    print(f"ratio naive/summary (p50): {ratio:.1f}x;  summary p95 {p95:.0f} ms "
          f"({'meets' if p95 < 300 else 'misses'} the 300 ms goal)")


if __name__ == "__main__":
    main()
