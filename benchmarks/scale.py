"""Benchmark: every page of issue 16 item 5 at demo size and at a city's volume.

Makes two databases: *small* (the demo district only: 31 events, 280 people) and *large*
(the demo grown by ``gridgov.demo.scale.generate``: 500,000 events with their steps and
audit records, 1,000,000 people, a deep catalog), then times each page or API as its real
user (``Client.force_login``, in-process, 2 warm-ups then ``--requests`` requests) and prints
median and p95 at both sizes, the growth (large / small), the figures measured before the
fixes, the generation time per table and the time of ``audit verify``.

    .venv/bin/python benchmarks/scale.py --postgres postgres://root@127.0.0.1:5432
    .venv/bin/python benchmarks/scale.py --postgres postgres://root@127.0.0.1:5432 \\
        --skip-generate                          # time the existing scale_small/scale_large
    .venv/bin/python benchmarks/scale.py --events 3000 --people 5000   # SQLite, small sizes
    .venv/bin/python benchmarks/scale.py --postgres ... --small-only

Each size runs in a child process of its own (Django is set up once per database).
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Measured before the fixes (PostgreSQL, median of 20; p95 where known): docs/scale.md.
BEFORE = {
    "people_search_name": ("44", "2,792 (p95 3,395)"),
    "people_search_address": ("44", "2,792 (p95 3,395)"),
    "event_api_last_offset": ("36", "1,315"),
    "event_api_last_cursor": ("36", "1,315"),
    "event_api_closed": ("27", "835 (p95 1,148)"),
    "event_map_geojson": ("22", "419"),
    "home_dept_handler": ("30", "328"),
    "people_list_district": ("77", "449"),
    "ckan_package_search_deep": ("18", "233"),
    "home_leader_district": ("27-34", "180-187"),
    "home_dept_admin": ("27-34", "180-187"),
    "command_queue_new": ("44-54", "157-231"),
    "command_queue_to_dispatch": ("44-54", "157-231"),
    "command_queue_overdue": ("44-54", "157-231"),
    "command_queue_decisions": ("44-54", "157-231"),
    "audit_verify": ("-", "548 s (5M records)"),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="",
                        help="PostgreSQL server URL (postgres://user@host:port[/any]); the "
                             "databases <prefix>_small and <prefix>_large are made there. "
                             "Without it: temporary SQLite files (small sizes only)")
    parser.add_argument("--prefix", default="scale", help="database name prefix")
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2, help="generator worker processes")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-generate", action="store_true",
                        help="time the existing databases as they are")
    parser.add_argument("--small-only", action="store_true", help="only the demo-size run")
    parser.add_argument("--no-verify", action="store_true", help="skip timing audit verify")
    parser.add_argument("--json", default="", help="also write the results to this file")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- the parent: databases and the table -----------------------------------------------------


def _db_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _admin(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_db_url(server, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _run_child(args, size: str, url: str) -> dict:
    cmd = [sys.executable, __file__, "--child", size, "--url", url,
           "--events", str(args.events), "--people", str(args.people),
           "--requests", str(args.requests), "--warmups", str(args.warmups),
           "--jobs", str(args.jobs), "--seed", str(args.seed)]
    cmd += ["--skip-generate"] if args.skip_generate else []
    cmd += ["--no-verify"] if args.no_verify else []
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        result_file = out.name
    env = dict(os.environ, SCALE_RESULT=result_file)
    subprocess.run(cmd, check=True, env=env)
    return json.loads(Path(result_file).read_text())


def _ms(values):
    return f"{values['median']:.0f}/{values['p95']:.0f}" if values else "-"


def print_table(small: dict, large: dict | None) -> None:
    """The comparison: page, small median/p95, large median/p95, growth, before."""
    print()
    print(f"{'page or API':34} {'user':17} {'small ms':>12} {'large ms':>12} {'growth':>7}"
          f"  before (demo | large, measured before the fixes)")
    for name, row in small["pages"].items():
        big = (large or {}).get("pages", {}).get(name)
        growth = (f"{big['median'] / row['median']:.1f}x"
                  if big and row and row.get("median") else "-")
        before = BEFORE.get(name, ("", ""))
        status = "" if row.get("status") == 200 else f" [{row.get('status')}]"
        if big and big.get("status") != 200:
            status += f" [large {big.get('status')}]"
        print(f"{name:34} {row.get('user', ''):17} {_ms(row):>12} {_ms(big):>12} {growth:>7}"
              f"  {before[0]} | {before[1]}{status}")
    for label, res in (("small", small), ("large", large)):
        if res and res.get("verify"):
            v = res["verify"]
            print(f"audit verify ({label}): {v['seconds']:.1f} s for {v['records']} records, "
                  f"{v['problems']} problems  (before: {BEFORE['audit_verify'][1]})")
    gen = (large or {}).get("generation")
    if gen:
        print(f"\ngeneration: {gen['seconds']} s in all (events {gen['event_seconds']} s, "
              f"rollup {gen['rollup_seconds']} s, people {gen['people_seconds']} s, "
              f"resources {gen['resource_seconds']} s, VACUUM ANALYZE {gen['analyze_seconds']} s)")
        for table, t in gen["tables"].items():
            rate = t["rows"] / t["write_seconds"] if t["write_seconds"] else 0
            print(f"  {table:24} {t['rows']:>10} rows  {t['write_seconds']:>7.1f} s writing "
                  f"({rate:,.0f} rows/s)")
    for label, res in (("small", small), ("large", large)):
        if res and res.get("floors"):
            print(f"\nbare-query floors ({label}):")
            for name, ms in res["floors"].items():
                print(f"  {name:34} {ms:8.1f} ms")


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        return run_child(args)
    if args.postgres:
        small_url = _db_url(args.postgres, f"{args.prefix}_small")
        large_url = _db_url(args.postgres, f"{args.prefix}_large")
    else:
        if args.events > 20_000 and not args.small_only:
            print("SQLite is for small sizes: pass --postgres for a large run", file=sys.stderr)
            return 2
        tmp = Path(tempfile.mkdtemp(prefix="gridgov-scale-"))
        small_url, large_url = f"sqlite:///{tmp}/small.sqlite3", f"sqlite:///{tmp}/large.sqlite3"
    if args.postgres and not args.skip_generate:
        for name in ("small", "large"):
            _admin(args.postgres, f"DROP DATABASE IF EXISTS {args.prefix}_{name}")
        _admin(args.postgres, f"CREATE DATABASE {args.prefix}_small")
    small = _run_child(args, "small", small_url)
    large = None
    if not args.small_only:
        if args.postgres and not args.skip_generate:
            # The large database starts as a copy of the freshly loaded demo.
            _admin(args.postgres, f"CREATE DATABASE {args.prefix}_large "
                                  f"TEMPLATE {args.prefix}_small")
        elif not args.postgres and not args.skip_generate:
            Path(urlsplit(large_url).path).write_bytes(
                Path(urlsplit(small_url).path).read_bytes())
        large = _run_child(args, "large", large_url)
    print_table(small, large)
    if args.json:
        Path(args.json).write_text(json.dumps({"small": small, "large": large}, indent=1,
                                              ensure_ascii=False, default=str))
    return 0


# --- the child: one database, set up, generated, timed ----------------------------------------

# (name, user name or None for anonymous, path or a function (client, user) -> path)
NAME_FRAGMENT, ADDRESS_FRAGMENT = "建华", "中山西路"


def _deep_offset(client, path):
    """The last page by offset, or the deepest offset the API accepts (``MAX_OFFSET``)."""
    from gridgov.core import pagination

    count = client.get(f"{path}?limit=20").json()["count"]
    offset = max(0, count - 20)
    cap = getattr(pagination, "MAX_OFFSET", None)
    if cap is not None and offset > cap:
        offset = cap
    return f"{path}?limit=20&offset={offset}"


def _last_cursor(client, user):
    """The cursor the ``next`` link of the page before the last carries (found by reading
    the list's ordering from a real cursor and the row at that position), so the last page
    is timed without walking every page before it."""
    import base64
    from urllib.parse import parse_qs

    from gridgov.events.models import Event

    first = client.get("/api/v1/events/?cursor=&limit=20").json()
    if not first.get("next") or "cursor=" not in first["next"]:
        return "/api/v1/events/?cursor=&limit=20"
    raw = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    rows = Event.objects.restrict(user, "view").order_by(*payload["o"])
    position = max(0, payload.get("n", first["count"]) - 21)
    row = rows[position]
    payload["v"] = [Event._meta.get_field(name.lstrip("-")).value_to_string(row)
                    for name in payload["o"]]
    cursor = base64.urlsafe_b64encode(json.dumps(payload, ensure_ascii=False).encode())
    return f"/api/v1/events/?limit=20&cursor={cursor.decode().rstrip('=')}"


PAGES = [
    ("people_search_name", "leader_gulou", f"/basedata/people/?q={NAME_FRAGMENT}"),
    ("people_search_address", "leader_gulou", f"/basedata/people/?q={ADDRESS_FRAGMENT}"),
    ("people_search_name_grid", "gw_gulou", f"/basedata/people/?q={NAME_FRAGMENT}"),
    ("people_search_name_district", "leader_district", f"/basedata/people/?q={NAME_FRAGMENT}"),
    ("people_list_district", "leader_district", "/basedata/people/"),
    ("event_api_first", "leader_district", "/api/v1/events/"),
    ("event_api_last_offset", "leader_district",
     lambda client, user: _deep_offset(client, "/api/v1/events/")),
    ("event_api_last_cursor", "leader_district", _last_cursor),
    ("event_api_closed", "leader_district", "/api/v1/events/?state=closed"),
    ("event_map_geojson", "leader_district", "/events/command/map/events.geojson"),
    ("home_dept_handler", "handler_zhifa", "/"),
    ("department_list", "handler_zhifa", "/events/department/"),
    ("home_dept_admin", "deptadmin_zhifa", "/"),
    ("home_leader_district", "leader_district", "/"),
    ("home_leader_street", "leader_gulou", "/"),
    ("command_queue_default", "dispatch_gulou", "/events/command/"),
    ("command_queue_new", "dispatch_gulou", "/events/command/?queue=new"),
    ("command_queue_to_dispatch", "dispatch_gulou", "/events/command/?queue=to_dispatch"),
    ("command_queue_overdue", "dispatch_gulou", "/events/command/?queue=overdue"),
    ("command_queue_decisions", "shift_gulou", "/events/command/?queue=decisions"),
    ("command_queue_district", "leader_district", "/events/command/"),
    ("ckan_package_search_deep", None, "/api/3/action/package_search?start=1000&rows=10"),
]


def time_pages(requests: int, warmups: int, only=None) -> dict:
    """Each page of ``PAGES`` as its user: {name: {median, p95, n, status, user, path}}."""
    from django.test import Client

    from gridgov.accounts.models import User

    users = {u.username: u for u in User.objects.filter(
        username__in={p[1] for p in PAGES if p[1]})}
    out = {}
    for name, username, target in PAGES:
        if only and name not in only:
            continue
        client = Client()
        user = users.get(username) if username else None
        if username:
            client.force_login(user)
        path = target if isinstance(target, str) else target(client, user)
        stats, response = timed(lambda c=client, p=path: c.get(p), requests, warmups)
        out[name] = {**stats, "status": response.status_code, "user": username or "anonymous",
                     "path": path[:120]}
        print(f"  {name:34} {username or 'anonymous':17} {stats['median']:8.1f} "
              f"{stats['p95']:8.1f} ms  [{response.status_code}]", flush=True)
    return out


def floors() -> dict:
    """Bare queries under some pages (median of 5, ms): what the database alone costs."""
    from django.db.models import Q

    from gridgov.basedata.models import Person
    from gridgov.events.models import Event

    queries = {
        "count people of 鼓楼 LIKE name": lambda: Person.objects.filter(
            area_code__startswith="330203005").filter(
            Q(name__icontains=NAME_FRAGMENT) | Q(address__icontains=NAME_FRAGMENT)).count(),
        "count people of the district": lambda: Person.objects.filter(
            area_code__startswith="330203", status="residing").count(),
        "count closed events": lambda: Event.objects.filter(state="closed").count(),
        "open events (state, deadline)": lambda: Event.objects.exclude(
            state__in=["closed", "not_filed", "void", "merged"]).count(),
    }
    out = {}
    for name, fn in queries.items():
        out[name] = timed(fn, 5, 1)[0]["median"]
    return out


def time_verify() -> dict:
    """``audit verify`` of the whole chain (``verify_all``, what the command runs)."""
    from gridgov.audit.verify import verify_all

    started = time.perf_counter()
    result = verify_all()
    seconds = time.perf_counter() - started
    print(f"  audit verify: {seconds:.1f} s, {result.records} records, "
          f"{result.problems} problems", flush=True)
    return {"seconds": seconds, "records": result.records, "problems": result.problems}


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.conf import settings

    # The test client's host name (setup_test_environment would also instrument templates).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _build(args, size: str) -> dict | None:
    """Migrate and load the demo (small), or grow the copied demo (large)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if size == "small":
        from gridgov.demo import load_demo

        started = time.perf_counter()
        load_demo(history_events=0)
        print(f"  demo loaded in {time.perf_counter() - started:.1f} s", flush=True)
        return None
    from gridgov.demo.scale import generate

    return generate(args.events, args.people, seed=args.seed, jobs=args.jobs,
                    stdout=sys.stdout)


def run_child(args) -> int:
    """One size: build (unless ``--skip-generate``), time the pages, the floors, verify."""
    _setup(args.url)
    print(f"[{args.child}] {args.url}", flush=True)
    result = {"size": args.child, "url": args.url}
    if not args.skip_generate:
        result["generation"] = _build(args, args.child)
    result["pages"] = time_pages(args.requests, args.warmups)
    result["floors"] = floors()
    if not args.no_verify:
        result["verify"] = time_verify()
    Path(os.environ["SCALE_RESULT"]).write_text(json.dumps(result, default=str))
    return 0


def summary(samples: list[float]) -> dict:
    """Median and p95 (nearest rank) of samples in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median": statistics.median(ordered), "p95": p95, "n": len(ordered)}


def timed(fn, requests: int, warmups: int) -> tuple[dict, object]:
    """Call ``fn`` ``warmups`` times, then ``requests`` times timed: (summary, last result)."""
    result = None
    for _ in range(warmups):
        result = fn()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples), result


if __name__ == "__main__":
    sys.exit(main())
