"""Benchmark: event intake through the HTTP API under gunicorn, beside a bare-insert floor.

Starts ``gridgov serve`` (gunicorn) on a free port against a fresh database (a temporary
SQLite file, or PostgreSQL with ``--postgres``), loads the demo district, issues a department
API key, and sends N reports to ``POST /api/v1/events/report/`` at concurrency C (keep-alive
connections, one per client thread): full intake, i.e. validation, grid lookup, deadline on
the working-day calendar, audit record, trace step. Beside it, on the same server, N requests
to the floor endpoint ``POST /events/benchmark/floor/`` (same authentication and parsing, then
one bare INSERT; served only by the benchmark's URL configuration, under
``DJANGO_SETTINGS_MODULE=gridgov.events.tests.settings_benchmark``). Prints events/s, p50 and
p99 for both and the ratio (goal: intake >= 0.5 of the floor, p99 < 150 ms at C=16 on PostgreSQL).

Then the full loop of one event, report → close, in HTTP requests and database queries per
step, driven in-process with Django's test client against the same database.

    .venv/bin/python benchmarks/intake.py                     # SQLite, N=2000, C=16
    .venv/bin/python benchmarks/intake.py --postgres postgres://root@127.0.0.1:5432/bench_intake
    .venv/bin/python benchmarks/intake.py -n 5000 -c 32 --workers 4 --threads 4

The server runs as ``gridgov serve`` does by default: sync workers, cores + 1 of them (a
sync worker answers ``Connection: close``; the client reconnects, as behind nginx).
"""

import argparse
import base64
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Production settings plus the floor endpoint's URL configuration.
SETTINGS = "gridgov.events.tests.settings_benchmark"
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=2000)
    parser.add_argument("-c", "--concurrency", type=int, default=16)
    # The server's own defaults (gridgov serve): sync workers, one more than the cores.
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; 1 = sync workers (the default)")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--postgres", metavar="URL",
                        help="PostgreSQL URL; the database is dropped and created afresh")
    return parser.parse_args()


# --- database and server --------------------------------------------------------------------


def prepare_database(args) -> dict:
    """Environment for this process and the server: a fresh database and data directory."""
    tmp = tempfile.mkdtemp(prefix="gridgov-intake-")
    # The floor endpoint lives in a test-only URL configuration, never in production's.
    env = {"GRIDGOV_DATA_DIR": tmp, "DJANGO_SETTINGS_MODULE": SETTINGS,
           "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "LOG_LEVEL": "ERROR",
           "GRIDGOV_SMS_BACKEND": "gridgov.notifications.backends.NullSMSBackend",
           # `gridgov serve` refuses the demo keys: a throw-away set for this run's database.
           "SECRET_KEY": secrets.token_urlsafe(50), "AUDIT_HMAC_KEY": secrets.token_urlsafe(50),
           "GRIDGOV_FIELD_KEYS": base64.b64encode(secrets.token_bytes(32)).decode(),
           "GRIDGOV_LOOKUP_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}
    if args.postgres:
        import psycopg

        name = args.postgres.rsplit("/", 1)[1]
        admin = args.postgres.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = args.postgres
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp}/intake.sqlite3"
    os.environ.update(env)
    return env


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


def load_fixture():
    """Migrate, load the demo, link default departments, issue a key, pick points."""
    import shapely.geometry
    from django.core.management import call_command

    from gridgov.accounts.actions import issue_api_key
    from gridgov.accounts.models import Department
    from gridgov.areas.models import Area
    from gridgov.demo import load_demo
    from gridgov.events import actions
    from gridgov.events.models import MinorCategory

    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    load_demo()
    if not MinorCategory.objects.filter(default_department__isnull=False).exists():
        actions.link_default_departments(actor=None)
    loaded = time.perf_counter() - t0
    department = Department.objects.get(code="D034")
    _key, raw = issue_api_key(department, name="intake benchmark", actor=None)
    category = (MinorCategory.objects.filter(is_active=True, default_department=department)
                .order_by("code").first())
    grids = list(Area.objects.current().filter(level="grid").order_by("code")
                 .values_list("code", "geometry"))
    points = []
    for code, geometry in grids:
        point = shapely.geometry.shape(geometry).representative_point()
        points.append((code, round(point.x, 6), round(point.y, 6)))
    return raw, category, points, loaded


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env, port, workers, threads):
    cmd = [str(ROOT / ".venv" / "bin" / "gridgov"), "serve", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--threads", str(threads)]
    server = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=str(ROOT),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited: " + server.stderr.read().decode()[-2000:])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/open311/v2/discovery.json")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


# --- load generator -------------------------------------------------------------------------


def run_load(port, path, bodies, concurrency, headers):
    """POST every body, ``concurrency`` at a time; (wall seconds, latencies, failures)."""
    lock = threading.Lock()
    queue = list(reversed(bodies))
    latencies: list[float] = []
    failures: list[str] = []

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            payload = json.dumps(body).encode()
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, payload, headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    failures.append(repr(exc))
                continue
            elapsed = time.perf_counter() - t0
            with lock:
                if response.status in (200, 201):
                    latencies.append(elapsed)
                else:
                    failures.append(f"{response.status} {data[:200]!r}")
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, failures


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[index]


def report_line(name, wall, latencies, failures):
    rate = len(latencies) / wall if wall else 0
    print(f"{name:<34} {rate:>8.1f} req/s   p50 {percentile(latencies, 50) * 1000:>7.1f} ms   "
          f"p99 {percentile(latencies, 99) * 1000:>7.1f} ms   ok {len(latencies)}"
          f"   failed {len(failures)}")
    for failure in failures[:3]:
        print(f"    e.g. {failure}")
    return rate


# --- the full loop, in requests and queries -------------------------------------------------


def full_loop(raw_key, category, point):
    """Report → close for one event through the HTTP endpoints, counting queries per step."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gridgov.accounts.models import User
    from gridgov.events.models import Event

    def signed_in(username):
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    code, lng, lat = point
    steps = []

    def step(name, func, how):
        with CaptureQueriesContext(connection) as ctx:
            response = func()
        status = getattr(response, "status_code", "-")
        steps.append((name, how, status, len(ctx.captured_queries)))
        return response

    api = Client(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    created = step("report (API key)", lambda: api.post(
        "/api/v1/events/report/", {"description": "人行道上堆放建筑垃圾", "lng": lng, "lat": lat,
                                "category": category.code}, content_type="application/json"),
        "POST /api/v1/events/report/")
    event = Event.objects.get(pk=created.json()["id"])
    clerk, shift = signed_in("clerk_gulou"), signed_in("shift_gulou")
    # Register and file are buttons of the event's detail page.
    step("register (clerk)", lambda: clerk.post(f"/events/{event.pk}/act/register/"),
         f"POST /events/{event.pk}/act/register/")
    step("file (shift leader)", lambda: shift.post(f"/events/{event.pk}/act/file/"),
         f"POST /events/{event.pk}/act/file/")
    event.refresh_from_db()
    dispatcher, handler, worker = (signed_in("dispatch_gulou"), signed_in("handler_zhifa"),
                                   signed_in("gw_gulou"))
    step("dispatch (one click)", lambda: dispatcher.post(
        f"/events/command/{event.pk}/dispatch/", {"version": event.version}),
        f"POST /events/command/{event.pk}/dispatch/")
    step("claim (department)", lambda: handler.post(f"/events/department/{event.pk}/claim/"),
         f"POST /events/department/{event.pk}/claim/")
    step("complete (department)", lambda: handler.post(
        f"/events/department/{event.pk}/complete/", {"remark": "已清运"}),
        f"POST /events/department/{event.pk}/complete/")
    step("verify → closed (grid worker)", lambda: worker.post(
        f"/events/mine/{event.pk}/verify/", {"passed": "1"}),
        f"POST /events/mine/{event.pk}/verify/")
    event.refresh_from_db()
    return event, steps


def main():
    args = parse_args()
    env = prepare_database(args)
    settings = setup_django()
    raw, category, points, loaded = load_fixture()
    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[1]} {db['NAME']}")
    print(f"demo loaded in {loaded:.1f} s; {len(points)} grids; category {category.code} "
          f"{category.name} → {category.default_department}")
    from django.db import connections

    connections.close_all()  # the server's workers get their own connections

    port = free_port()
    server = start_server(env, port, args.workers, args.threads)
    kind = "sync" if args.threads == 1 else f"gthread x {args.threads} threads"
    print(f"gunicorn on 127.0.0.1:{port}: {args.workers} workers ({kind}); "
          f"N={args.requests}, C={args.concurrency}, {os.cpu_count()} CPUs shared with the "
          f"load generator")
    headers = {"Content-Type": "application/json", "Authorization": f"Api-Key {raw}",
               "Connection": "keep-alive"}

    def bodies(n, offset):
        out = []
        for i in range(n):
            code, lng, lat = points[(i + offset) % len(points)]
            out.append({"description": f"人行道上堆放建筑垃圾 #{offset + i}", "lng": lng,
                        "lat": lat, "category": category.code, "grid": code})
        return out

    try:
        run_load(port, "/events/benchmark/floor/", bodies(args.warmup, 0), args.concurrency,
                 headers)
        run_load(port, "/api/v1/events/report/", bodies(args.warmup, 0), args.concurrency,
                 headers)
        print()
        results = {}
        # Two interleaved rounds each, so both see the same machine load; the better counts.
        for round_no in (1, 2):
            for name, path in (("floor (bare insert)", "/events/benchmark/floor/"),
                               ("intake (full)", "/api/v1/events/report/")):
                wall, lat_, fail = run_load(port, path, bodies(args.requests, round_no * 10**6),
                                            args.concurrency, headers)
                rate = report_line(f"{name}, round {round_no}", wall, lat_, fail)
                best = results.get(name)
                if best is None or rate > best[0]:
                    results[name] = (rate, percentile(lat_, 50), percentile(lat_, 99))
        floor_rate, _p50, _p99 = results["floor (bare insert)"]
        rate, p50, p99 = results["intake (full)"]
        print()
        print(f"best intake {rate:.1f} events/s, p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} "
              f"ms; floor {floor_rate:.1f} req/s; ratio intake / floor {rate / floor_rate:.2f}"
              f"   (goal >= 0.5; p99 < 150 ms at C=16 on PostgreSQL)")
    finally:
        server.terminate()
        server.wait(timeout=30)

    gulou = next(p for p in points if p[0] == "330203005001001")  # the demo users' grid
    event, steps = full_loop(raw, category, gulou)
    print()
    print(f"full loop of one event, report → close ({event.number}, final state "
          f"{event.state}):")
    total = 0
    for name, how, status, queries in steps:
        total += queries
        print(f"  {name:<32} {str(status):>4}  {queries:>3} queries   {how}")
    print(f"  {len(steps)} requests, {total} queries in all "
          f"({statistics.mean(q for *_x, q in steps):.1f} per request)")


if __name__ == "__main__":
    main()
