"""Soak test: two app servers, a Celery worker and beat, a mixed load for minutes, a restart.

Sets up what production runs, on this machine: a fresh PostgreSQL database (``--postgres``,
dropped and created) with the demo district (``gridgov demo --no-serve``), Redis (a dedicated
db, flushed) as Celery broker, cache and throttle store, production keys made for the run,
media and logs in a temporary directory; then two ``gridgov serve`` app servers on free
ports, ``celery -A gridgov worker`` and Celery beat (the production schedule, its intervals
capped at ``--beat-every`` so the audit seal and the deadline scan happen within the run).

``--clients`` threads, spread over both servers, drive a mixed load for ``--minutes``
(``soak_load``: intake by API key and Open311, the case workflow through the API by the demo's
clerk, shift leader, dispatcher, department handler and grid chief, lists, dashboards, CKAN and
the exchange API, and an audit verification job every ``--verify-every`` seconds), signed in
through the login form. At ``--restart-at`` (default half time) one app server is stopped
(SIGTERM, graceful) and started again, then the Celery worker; a client whose server is away
tries the other one (counted as retried), and a request that failed after every try is an
error.

At the end it reports the requests per kind with p50/p95/p99 and throughput, the errors
(first ones with status and body), and what must not be lost: every acknowledged report with
its event, audit record and trace step, every acknowledged workflow step with its trace step
and audit record, every submitted background job in a final state, the audit chain verified
(``gridgov audit verify``), the scheduled jobs run by beat, and each process's RSS. Then it
stops everything it started, also on Ctrl-C or an error.

    .venv/bin/python benchmarks/soak.py                       # 10 minutes, 8 clients
    .venv/bin/python benchmarks/soak.py --minutes 2 --postgres postgres://root@127.0.0.1:5432/soak_e
"""

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import soak_check  # noqa: E402
from soak_http import Client, Stats, sign_in  # noqa: E402
from soak_load import Fixture, Ledger, Worker  # noqa: E402
from soak_procs import Stack  # noqa: E402
from soak_report import print_report  # noqa: E402

# Demo users the clients sign in as (gridgov.demo.users).
USERS = ["clerk_gulou", "shift_gulou", "dispatch_gulou", "handler_zhifa", "gc_gulou",
         "leader_gulou", "leader_district", "auditadmin"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres://root@127.0.0.1:5432/soak",
                        help="PostgreSQL URL; the database is dropped and created")
    parser.add_argument("--redis-db", type=int, default=13,
                        help="Redis database number at 127.0.0.1:6379 (flushed)")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--restart-at", type=float, default=None, metavar="MINUTES",
                        help="when to restart one app server and the worker (default: half "
                             "time; negative: never)")
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn workers per app server (two servers on two cores)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker (1: sync workers, as serve's default)")
    parser.add_argument("--worker-concurrency", type=int, default=2,
                        help="Celery worker processes")
    parser.add_argument("--beat-every", type=float, default=60,
                        help="cap (s) of beat's interval entries (audit seal 900, deadline "
                             "scan 300 in production); 0: production schedule")
    parser.add_argument("--verify-every", type=float, default=120,
                        help="seconds between audit verification jobs (0: none)")
    parser.add_argument("--warmup", type=float, default=20,
                        help="seconds of load before the counted minutes (each worker's "
                             "first requests build its caches and area index)")
    parser.add_argument("--history-events", type=int, default=None,
                        help="generated history cases of the demo (default: the demo's)")
    parser.add_argument("--job-wait", type=float, default=300,
                        help="seconds to wait at the end for background jobs to finish")
    args = parser.parse_args(argv)
    if args.restart_at is None:
        args.restart_at = args.minutes / 2
    return args


def jpeg() -> bytes:
    """A small photo of a result (the evidence rules want a real image)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 60)).save(out, "JPEG", quality=80)
    return out.getvalue()


def make_fixture(stack: Stack, ports: list[int], stats: Stats) -> Fixture:
    """Issue the key, sign the users in through the form, find the points and resource."""
    from gridgov.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRETS, GULOU_COMMUNITY

    raw_key, category = soak_check.issue_key()
    points = soak_check.points_in(GULOU_COMMUNITY)
    code, ckan_id = soak_check.granted_resource(ports[0], raw_key)
    client = Client(ports, 0, stats)
    users = {name: sign_in(client, name, DEMO_PASSWORD, DEMO_TOTP_SECRETS.get(name, ""))
             for name in USERS}
    client.close()
    from django.db import connections

    connections.close_all()
    return Fixture(ports, users, raw_key, category, points, code, ckan_id, jpeg())


def drive(stack: Stack, args, fixture: Fixture, stats: Stats, ledger: Ledger) -> dict:
    """Run the clients for ``--warmup`` seconds (not counted), then ``--minutes``,
    restarting server b and the worker on time."""
    stop = threading.Event()
    workers = [Worker(i, fixture, stats, ledger, stop, args.verify_every)
               for i in range(args.clients)]
    for worker in workers:
        worker.start()
    events = {}
    try:
        # Writes of the warm-up stay in the ledger (checked at the end); its timings do not.
        time.sleep(args.warmup)
        stats.reset()
        t0 = stats.t0 = time.monotonic()
        events["load average at start"] = os.getloadavg()[0]
        end = t0 + args.minutes * 60
        restart = t0 + args.restart_at * 60 if args.restart_at >= 0 else None
        while time.monotonic() < end:
            if restart is not None and time.monotonic() >= restart:
                restart = None
                print(f"[{time.monotonic() - t0:6.1f} s] restarting app server b (SIGTERM, "
                      f"wait, start) ...", flush=True)
                events["restart at (s)"] = time.monotonic() - t0
                events["server b stop (s)"], events["server b start (s)"] = \
                    stack.restart_server("b")
                print(f"[{time.monotonic() - t0:6.1f} s] ... answering again; restarting the "
                      f"Celery worker", flush=True)
                events["worker stop (s)"], events["worker start (s)"] = stack.restart_worker()
            time.sleep(0.5)
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
    events["wall (s)"] = time.monotonic() - t0
    events["load average at end"] = os.getloadavg()[0]
    return events


def run(args) -> int:
    stack = Stack(args)
    print(f"soak: {args.minutes:g} min, {args.clients} clients, restart at "
          f"{args.restart_at:g} min; {args.postgres}, redis db {args.redis_db}; "
          f"logs in {stack.tmp / 'logs'}", flush=True)
    try:
        seconds = stack.prepare()
        print(f"database migrated and demo loaded in {seconds:.0f} s", flush=True)
        soak_check.setup_django(stack.env)
        ports = [stack.start_server("a"), stack.start_server("b")]
        stack.start_worker()
        stack.start_beat()
        print(f"app servers a :{ports[0]} and b :{ports[1]} ({args.workers} "
              f"{'sync' if args.threads == 1 else f'gthread x{args.threads}'} workers each), "
              f"Celery worker (x{args.worker_concurrency}) and beat (intervals ≤ "
              f"{args.beat_every:g} s) up", flush=True)
        stats, ledger = Stats(), Ledger()
        fixture = make_fixture(stack, ports, stats)
        stats.reset()  # sign-in requests are not part of the load
        from django.utils import timezone

        started, jobs_before = timezone.now(), soak_check.job_states()
        events = drive(stack, args, fixture, stats, ledger)
        print(f"load done after {events['wall (s)']:.0f} s; checking ...", flush=True)
        job_status = soak_check.wait_for_jobs(ledger.jobs, args.job_wait)
        checks = {
            "lost reports": soak_check.lost_reports(ledger.reports),
            "lost steps": soak_check.lost_transitions(ledger.transitions),
            "jobs": job_status,
            "beat": soak_check.beat_ran(jobs_before, soak_check.job_states(), started),
            "verify": stack.gridgov("audit", "verify"),
            "rss": stack.rss(),
        }
        return print_report(args, stats, ledger, events, checks, stack)
    finally:
        stack.close()
        print(f"stopped everything; logs kept in {stack.tmp / 'logs'}", flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    # SIGTERM as Ctrl-C, so the finally clauses stop the servers either way.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("interrupted; everything it started is stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
