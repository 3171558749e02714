"""Benchmark: 热词分析 from the per-event term index, beside tokenising at request time.

Runs on the database of ``DATABASE_URL`` (or ``--postgres URL``; SQLite: ``GRIDGOV_DATA_DIR``).
With ``--load N`` the database is first dropped and created afresh (PostgreSQL) and the demo
district loaded with N generated history cases (``gridgov demo --history-events N``). Then:

- ``build``: ``gridgov rebuild_keywords`` (jieba over every description, the rows written);
- ``index-one``: indexing one event as the report hook does (mean of 200 events);
- ``page-month`` / ``page-year``: ``GET /stats/keywords/`` for the last full month and the
  last 12 months as the district leader (the whole request: scope, SQL, HTML), and
  ``page-street`` the month as a street leader;
- ``drill``: the case list of the month's top term;
- ``figures-month`` / ``figures-year``: the page's figures alone (both periods' counts from
  the index, no rendering);
- ``naive``: the same month's and year's figures the naive way: the cases' descriptions
  fetched and cut with jieba at request time, terms counted in Python (as many cases per
  term, both periods).

Prints p50 and p95 of each (``--repeat`` requests, after one warm-up) and the ratios naive /
page and naive / figures.

    DATABASE_URL=postgres://root@127.0.0.1:5432/kw_db .venv/bin/python benchmarks/keywords.py
    .venv/bin/python benchmarks/keywords.py --postgres postgres://root@127.0.0.1:5432/kw_db \
        --load 10000
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", default=None,
                        help="PostgreSQL URL (default: DATABASE_URL)")
    parser.add_argument("--load", type=int, default=0, metavar="N",
                        help="drop and create the database, load the demo with N history "
                        "cases first")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page")
    parser.add_argument("--naive-repeat", type=int, default=3)
    return parser.parse_args()


def load(args) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv/bin/gridgov"), "demo", "--no-serve",
                    "--history-events", str(args.load)], check=True, env=os.environ,
                   stdout=subprocess.DEVNULL)
    print(f"demo with {args.load} history cases loaded in {time.perf_counter() - started:.0f} s")


def timed(call, repeat) -> list[float]:
    call()  # warm: session, scope, the process's tokenizer
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p(values, q) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def figures(user, area, period, channel=""):
    """The page's figures alone (no rendering): both periods' counts from the index."""
    from gridgov.stats.aggregates import StatsQuery
    from gridgov.stats.keywords.query import KeywordAnalysis

    analysis = KeywordAnalysis(StatsQuery(user, area, period), channel)
    analysis.fill()
    return analysis.rows()


def naive(user, area, period, channel=""):
    """The figures without the index: fetch, cut, count."""
    from gridgov.stats.aggregates import StatsQuery
    from gridgov.stats.keywords.query import KeywordAnalysis
    from gridgov.stats.keywords.tokenize import terms_of_many

    analysis = KeywordAnalysis(StatsQuery(user, area, period), channel)
    start, end = period.bounds()
    cur, prev = Counter(), Counter()
    rows = list(analysis.events().values_list("description", "created_at"))
    for (_text, at), terms in zip(rows, terms_of_many(r[0] for r in rows), strict=True):
        (cur if start <= at < end else prev).update(terms)
    return cur, prev


def main():
    args = parse_args()
    if args.postgres:
        os.environ["DATABASE_URL"] = args.postgres
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    if args.load:
        load(args)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from gridgov.accounts.models import User
    from gridgov.events.models import Event
    from gridgov.stats.actions import rebuild_keyword_index
    from gridgov.stats.keywords.index import index_events
    from gridgov.stats.periods import Period

    setup_test_environment()
    events = Event.objects.count()
    print(f"database: {connection.vendor}, {events} events")

    started = time.perf_counter()
    result = rebuild_keyword_index(actor=None)
    build = time.perf_counter() - started
    print(f"build: {result['events']} events, {result['terms']} term rows in {build:.1f} s "
          f"({build * 1000 / max(1, result['events']):.2f} ms an event, the first cut "
          "loading jieba's dictionary included)")
    ids = list(Event.objects.order_by("-pk").values_list("pk", flat=True)[:200])
    started = time.perf_counter()
    for pk in ids:
        index_events([pk])
    print(f"index-one: {(time.perf_counter() - started) * 1000 / max(1, len(ids)):.1f} ms "
          "an event (mean of the report hook's work)")

    today = dt.date.today()
    month = Period.containing("month", today.replace(day=1) - dt.timedelta(days=1))
    year = Period("custom", month.end.replace(year=month.end.year - 1)
                  + dt.timedelta(days=1), month.end)
    district = User.objects.get(username="leader_district")
    street = User.objects.get(username="leader_gulou")
    clients = {}
    for user in (district, street):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    url = reverse("stats:keywords")
    month_params = {"period": "month", "date": month.start.isoformat()}
    year_params = {"period": "custom", "start": year.start.isoformat(),
                   "end": year.end.isoformat()}

    def get(user, params, path=url):
        response = clients[user.pk].get(path, params)
        assert response.status_code == 200, response.status_code
        return response

    top = get(district, month_params).context["words"][0]
    results = {
        "page-month": timed(lambda: get(district, month_params), args.repeat),
        "page-year": timed(lambda: get(district, year_params), args.repeat),
        "page-street": timed(lambda: get(street, month_params), args.repeat),
        "drill": timed(lambda: get(district, {**month_params, "term": top.term},
                                   reverse("stats:keyword_cases")), args.repeat),
        "figures-month": timed(lambda: figures(district, "330203", month), args.repeat),
        "figures-year": timed(lambda: figures(district, "330203", year), args.repeat),
        "naive-month": timed(lambda: naive(district, "330203", month), args.naive_repeat),
        "naive-year": timed(lambda: naive(district, "330203", year), args.naive_repeat),
    }
    cur, _prev = naive(district, "330203", month)
    assert cur[top.term] == top.cur, (top.term, cur[top.term], top.cur)
    print(f"top term of {month.label()}: {top.term} in {top.cur} cases (naive count agrees)")
    print(f"{'':14}{'p50 ms':>10}{'p95 ms':>10}")
    for name, values in results.items():
        print(f"{name:14}{statistics.median(values):10.0f}{p(values, 0.95):10.0f}")
    for span in ("month", "year"):
        naive_ms = statistics.median(results[f"naive-{span}"])
        print(f"naive / page ({span}): {naive_ms / statistics.median(results[f'page-{span}']):.1f}×"
              f", naive / figures: {naive_ms / statistics.median(results[f'figures-{span}']):.1f}×")


if __name__ == "__main__":
    main()
