"""Benchmark: what the shared throttle (``gridgov.core.throttle``) costs a request.

Times, per call (median and p99 over ``--calls``):

- ``hit`` on the database store, a window already counting (one UPDATE … RETURNING) and a new
  window each time (UPDATE missing, then INSERT … ON CONFLICT); on PostgreSQL also with the
  table switched to LOGGED for the run, the cost migration 0005 (UNLOGGED) avoids;
- ``claim_once`` (the TOTP step claim);
- the baselines: ``SELECT 1`` (one round trip to the same database) and the per-process
  ``LocMemCache`` add/incr the public form used before (fast, but each worker counted alone);
- ``hit`` on Redis when ``--redis`` is given (default URL redis://127.0.0.1:6379/15);
- a whole request, ``GET /open311/v2/services.json``, with its throttle off and on;
- ``--processes N`` processes hitting one key at once (hits per second in total).

    .venv/bin/python benchmarks/throttle.py                       # temporary SQLite database
    DATABASE_URL=postgres://…/bench .venv/bin/python benchmarks/throttle.py --configured-db
    .venv/bin/python benchmarks/throttle.py --redis redis://127.0.0.1:6379/15

Each figure is the best of ``--rounds`` runs (the median of that run, and its p99): the
machine may be shared. Figures only, no asserts.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis", nargs="?", const="redis://127.0.0.1:6379/15", default="")
    parser.add_argument("--configured-db", action="store_true",
                        help="use DATABASE_URL (migrated here) instead of a temporary SQLite")
    return parser.parse_args()


def setup_django(configured: bool):
    if not configured:
        tmp = tempfile.mkdtemp(prefix="gridgov-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["GRIDGOV_DATA_DIR"] = tmp
    os.environ.pop("REDIS_URL", None)
    os.environ["GRIDGOV_THROTTLE_STORE"] = "db"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


ROUNDS = [3]


def timed(fn, n) -> list[float]:
    """The samples (µs) of the round with the lowest median among ``ROUNDS``."""
    best = None
    for r in range(ROUNDS[0]):
        out = []
        for i in range(n):
            t0 = time.perf_counter()
            fn(r * n + i)
            out.append((time.perf_counter() - t0) * 1e6)
        if best is None or statistics.median(out) < statistics.median(best):
            best = out
    return best


def line(label, samples):
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"  {label:<44} median {statistics.median(samples):8.1f} µs   p99 {p99:8.1f} µs")


def set_logged(logged: bool):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE core_ratecounter SET {'LOGGED' if logged else 'UNLOGGED'}")


def micro(args):
    from django.core.cache import caches
    from django.db import connection

    from gridgov.core import throttle

    run = uuid.uuid4().hex[:8]

    def select_one(_):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    locmem = caches["default"]

    def locmem_incr(i):
        key = f"bench:{run}"
        if not locmem.add(key, 1, 600):
            locmem.incr(key)

    print(f"per call ({connection.vendor}, {args.calls} calls):")
    line("baseline: SELECT 1", timed(select_one, args.calls))
    line("baseline: LocMemCache add/incr (per process)", timed(locmem_incr, args.calls))
    line("hit, window already counting (UPDATE)",
         timed(lambda i: throttle.hit("bench", run, limit=10**9, window=3600), args.calls))
    line("hit, new window each time (INSERT)",
         timed(lambda i: throttle.hit("bench", f"{run}:{i}", limit=5, window=3600), args.calls))
    line("claim_once (TOTP step)",
         timed(lambda i: throttle.claim_once(f"{run}:{i}", 120), args.calls))
    if connection.vendor == "postgresql":
        set_logged(True)
        try:
            line("hit, counting, table LOGGED (not shipped)",
                 timed(lambda i: throttle.hit("bench", run, limit=10**9, window=3600),
                       args.calls))
        finally:
            set_logged(False)
    if args.redis:
        from django.conf import settings

        settings.REDIS_URL, settings.GRIDGOV_THROTTLE_STORE = args.redis, "redis"
        line("hit on Redis (INCR + EXPIREAT)",
             timed(lambda i: throttle.hit("bench", run, limit=10**9, window=60), args.calls))
        settings.GRIDGOV_THROTTLE_STORE = "db"
    throttle.purge_expired(time.time() + 10**6)


def whole_request(args):
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    url = "/open311/v2/services.json"
    assert client.get(url).status_code == 200  # warm: imports, catalogue
    print(f"whole request GET {url} ({args.requests} requests):")
    for label, rate in (("throttle off", "0"), ("throttle on (DB)", "1000000/min")):
        settings.GRIDGOV_RATE_OPEN311_ANON = rate
        line(label, timed(lambda i: client.get(url), args.requests))


def _hammer(key, n, queue):
    import django

    django.setup()
    from django.db import connections

    from gridgov.core import throttle

    t0 = time.perf_counter()
    for _ in range(n):
        throttle.hit("bench-par", key, limit=10**9, window=3600)
    queue.put(time.perf_counter() - t0)
    connections.close_all()


def parallel(args):
    from django.db import connections

    from gridgov.core import throttle

    connections.close_all()
    key, n = uuid.uuid4().hex, max(1, args.calls // args.processes)
    queue = multiprocessing.get_context("fork").Queue()
    procs = [multiprocessing.get_context("fork").Process(target=_hammer, args=(key, n, queue))
             for _ in range(args.processes)]
    t0 = time.perf_counter()
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    wall = time.perf_counter() - t0
    total = n * args.processes
    final = throttle.hit("bench-par", key, limit=10**9, window=3600).count - 1
    print(f"{args.processes} processes on one key: {total} hits in {wall:.2f} s "
          f"= {total / wall:,.0f} hits/s, final count {final} (expected {total})")


def main():
    args = parse_args()
    ROUNDS[0] = max(1, args.rounds)
    setup_django(args.configured_db)
    micro(args)
    whole_request(args)
    parallel(args)


if __name__ == "__main__":
    main()
