"""Benchmark: pull N rows (1,000,000 by default) through the exchange API.

Sets up a conditional resource of 区民政局 with N uploaded rows (five fields, two of them
sensitive and masked by the grant), grants 区综合行政执法局 four of the fields, and pulls every
row through ``GET /api/v1/exchange/resources/{code}/rows/`` page by page (keyset cursor,
``--page`` rows a page) with the department's API key, through Django's full WSGI request
handling in this process (authentication, grant check, projection, masking, streamed JSON,
SHA-256 and the exchange log of every page), parsing each page as a client would. Beside it,
the floor: a raw ``SELECT id, updated_at, data`` of the same rows in the same order on the same
connection, nothing else. Prints rows/s for both and their ratio.

Memory: the resident set size is sampled after every page of the timed pull (it must stay
flat while the rows go by), and a second, shorter pull runs under tracemalloc to report the
peak Python allocation per page. Figures only, no asserts.

    .venv/bin/python benchmarks/exchange.py                    # temporary SQLite database
    .venv/bin/python benchmarks/exchange.py --rows 100000      # a smaller N
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_exchange \\
        .venv/bin/python benchmarks/exchange.py --configured-db
"""

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIELDS = [
    {"name": "name", "label": "姓名", "type": "string"},
    {"name": "id_number", "label": "身份证号", "type": "string", "sensitive": True},
    {"name": "phone", "label": "手机号", "type": "string", "sensitive": True},
    {"name": "age", "label": "年龄", "type": "integer"},
    {"name": "living_alone", "label": "独居", "type": "boolean"},
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=10_000, help="rows per page (limit)")
    parser.add_argument("--trace-rows", type=int, default=100_000,
                        help="rows pulled under tracemalloc for the allocation peak")
    parser.add_argument("--configured-db", action="store_true",
                        help="use DATABASE_URL (created and migrated) instead of temporary "
                             "SQLite")
    return parser.parse_args()


def setup_django(configured: bool) -> str:
    if not configured:
        tmp = tempfile.mkdtemp(prefix="gridgov-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["GRIDGOV_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} " \
           f"{settings.DATABASES['default']['NAME']}"


def rss_mib() -> float:
    """Current resident set size (MiB), from /proc; ru_maxrss is only the high-water mark."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(n: int):
    from django.core.management import call_command

    from gridgov.accounts import actions as account_actions
    from gridgov.accounts.models import Department, User
    from gridgov.demo import load_demo
    from gridgov.sharing import actions
    from gridgov.sharing.models import Resource, ResourceRow

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load_demo()
    provider = Department.objects.get(code="D016")
    consumer_admin = User.objects.get(username="deptadmin_zhifa")
    name = f"基准测试名册 {n}"
    res = Resource.objects.filter(name=name).first()
    if res is None:
        res = actions.publish_resource(
            provider=provider, actor=None, name=name, category="9", item="99", catalog="999",
            abstract="exchange benchmark", format="database", update_cycle="daily",
            sharing_type="conditional", sharing_condition="benchmark", sharing_method="api",
            fields=FIELDS)
        base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        batch = []
        for i in range(n):
            batch.append(ResourceRow(
                resource=res, updated_at=base + dt.timedelta(seconds=i // 3),
                data={"name": f"居民{i:07d}",
                      "id_number": f"330203{1940 + i % 60}0101{i % 10000:04d}",
                      "phone": f"138{i % 100000000:08d}", "age": 20 + i % 80,
                      "living_alone": i % 7 == 0}))
            if len(batch) == 20_000:
                ResourceRow.objects.bulk_create(batch)
                batch = []
        ResourceRow.objects.bulk_create(batch)
        req = actions.request_share(res, purpose="benchmark",
                                    fields=["name", "id_number", "phone", "age"],
                                    actor=consumer_admin)
        actions.approve_request(req, actor=None)
    _key, raw = account_actions.issue_api_key(consumer_admin.department, name="benchmark",
                                              actor=None)
    print(f"setup: {n:,} rows ready in {time.perf_counter() - started:.1f} s")
    return res, raw


def pull_all(code: str, key: str, page: int, max_rows=None, samples=None):
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    url = f"/api/v1/exchange/resources/{code}/rows/"
    cursor, total, pages = None, 0, 0
    while True:
        params = {"limit": page}
        if cursor:
            params["cursor"] = cursor
        response = client.get(url, params, HTTP_AUTHORIZATION=f"Api-Key {key}")
        if response.status_code != 200:
            raise SystemExit(f"exchange answered {response.status_code}: {response.content[:300]}")
        body = b"".join(response.streaming_content)
        data = json.loads(body)
        total += len(data["rows"])
        pages += 1
        cursor = data["next_cursor"]
        if samples is not None:
            samples.append((total, rss_mib()))
        if cursor is None or (max_rows and total >= max_rows):
            return total, pages


def raw_select(resource_id: int) -> int:
    from django.db import connection

    count = 0
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, updated_at, data FROM sharing_resourcerow WHERE resource_id = %s "
            "ORDER BY updated_at, id", [resource_id])
        while True:
            rows = cur.fetchmany(10_000)
            if not rows:
                return count
            count += len(rows)


def raw_select_decoded(resource_id: int) -> int:
    """The same SELECT with each row's JSON decoded: what any JSON-serving path must do."""
    from django.db import connection

    count = 0
    loads = json.loads
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, updated_at, data FROM sharing_resourcerow WHERE resource_id = %s "
            "ORDER BY updated_at, id", [resource_id])
        while True:
            rows = cur.fetchmany(10_000)
            if not rows:
                return count
            for _pk, _at, data in rows:
                loads(data) if isinstance(data, str | bytes) else data
            count += len(rows)


def main():
    args = parse_args()
    db = setup_django(args.configured_db)
    print(f"database: {db}")
    res, key = prepare(args.rows)

    raw_seconds = float("inf")
    for _round in range(2):  # the better of two: the first one also warms the page cache
        started = time.perf_counter()
        raw_rows = raw_select(res.pk)
        raw_seconds = min(raw_seconds, time.perf_counter() - started)

    started = time.perf_counter()
    decoded_rows = raw_select_decoded(res.pk)
    decoded_seconds = time.perf_counter() - started

    samples: list = []
    started = time.perf_counter()
    rows, pages = pull_all(res.code, key, args.page, samples=samples)
    api_seconds = time.perf_counter() - started

    tracemalloc.start()
    traced_rows, traced_pages = pull_all(res.code, key, args.page, max_rows=args.trace_rows)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    raw_rate = raw_rows / raw_seconds
    api_rate = rows / api_seconds
    print(f"raw SELECT  : {raw_rows:>10,} rows in {raw_seconds:7.2f} s = {raw_rate:>10,.0f} rows/s")
    print(f"raw + decode: {decoded_rows:>10,} rows in {decoded_seconds:7.2f} s = "
          f"{decoded_rows / decoded_seconds:>10,.0f} rows/s (each row's JSON parsed; context)")
    print(f"exchange API: {rows:>10,} rows in {api_seconds:7.2f} s = {api_rate:>10,.0f} rows/s "
          f"({pages} pages of {args.page:,})")
    print(f"ratio (API / raw SELECT): {api_rate / raw_rate:.3f}")
    picks = [samples[0], samples[len(samples) // 4], samples[len(samples) // 2],
             samples[3 * len(samples) // 4], samples[-1]]
    print("RSS while streaming (rows pulled → MiB): "
          + ", ".join(f"{n:,} → {mib:.0f}" for n, mib in picks))
    print(f"RSS growth from first page to last: {samples[-1][1] - samples[0][1]:+.1f} MiB; "
          f"ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"tracemalloc peak over {traced_rows:,} rows ({traced_pages} pages): "
          f"{peak / 2**20:.1f} MiB (one page of {args.page:,} rows is held by the client)")


if __name__ == "__main__":
    main()
