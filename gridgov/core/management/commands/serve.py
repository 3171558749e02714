"""``gridgov serve``: run the production server (gunicorn) on the configured database.

Defaults, measured with ``benchmarks/intake.py`` on two cores shared with PostgreSQL:
sync workers (``--threads 1``), one more than the cores. Threads in one worker contend for
the interpreter lock; with four threads per worker the slowest hundredth of intake requests
took twice as long as with one request per process (p99 ~210 ms against ~100 ms at 16
clients). Sync workers need a buffering proxy in front (nginx, as docs/deployment.md says),
so a slow mobile upload never holds a worker; ``--threads N`` chooses threaded workers
where there is no such proxy (the demo).

Before anything starts, ``serve`` checks the production keys (gridgov/core/keys_check.py): on
the public demo ``SECRET_KEY``, or without its own field, lookup and audit keys, it prints
what is missing and how to make each key, and exits non-zero. ``gridgov demo`` runs gunicorn
itself (``run_gunicorn``) and skips that check.

Each worker also runs the scheduled jobs, without Celery: ``post_worker_init`` starts the
scheduler thread (``gridgov.core.scheduler``); sealing the audit log, the deadline scan and the
others run once across the workers (``gridgov.core.periodic``).
"""

import multiprocessing

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from gridgov.core.keys_check import require_production_keys


def default_workers() -> int:
    return multiprocessing.cpu_count() + 1


def post_worker_init(worker) -> None:
    """In each worker, once the application is loaded: start the scheduler thread that runs
    the scheduled jobs (seal the audit log, raise deadline alerts, end patrols left running,
    remind party secretaries of 换届, refresh the needs figures, run the proactive-service
    rules, purge expired rows, freeze last month's assessment) without Celery; the jobs'
    shared rows let one worker run each (``gridgov.core.periodic``). With a broker configured
    Celery beat runs them instead and no thread starts."""
    from gridgov.core import scheduler

    scheduler.start()


# The access log names the path without its query string (``%(U)s``, not the request line
# ``%(r)s``) and leaves out the referrer: searches carry ID numbers and phones in their query
# strings (``?q=3302...``), and a log line outlives every mask and retention rule.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'


def gunicorn_settings(bind: str, workers: int, threads: int = 1, timeout: int = 120) -> dict:
    """The gunicorn settings ``serve`` runs with (threads > 1: the threaded worker)."""
    return {"bind": bind, "workers": workers, "threads": threads, "timeout": timeout,
            "worker_class": "gthread" if threads > 1 else "sync", "accesslog": "-",
            "access_log_format": ACCESS_LOG_FORMAT, "post_worker_init": post_worker_init,
            # ... and without the secret of a tracking link or token in the path.
            "logger_class": "gridgov.core.access_log.RedactingLogger"}


def run_gunicorn(bind: str, workers: int, threads: int = 1, timeout: int = 120) -> None:
    """Serve ``gridgov.wsgi`` with gunicorn in this process (gunicorn forks the workers)."""
    from gunicorn.app.base import BaseApplication

    values = gunicorn_settings(bind, workers, threads, timeout)

    class Application(BaseApplication):
        def load_config(self):
            for key, value in values.items():
                self.cfg.set(key, value)

        def load(self):
            from gridgov.wsgi import application

            return application

    Application().run()


def check_keys() -> None:
    """CommandError (exit status 1, nothing started) when a production key is missing."""
    try:
        require_production_keys()
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = "Serve GridGov with gunicorn (production server, behind nginx)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument("--workers", type=int, default=default_workers(),
                            help="worker processes (default: cores + 1)")
        parser.add_argument("--threads", type=int, default=1,
                            help="threads per worker (default 1: sync workers, for use "
                                 "behind a buffering proxy)")
        parser.add_argument("--timeout", type=int, default=120,
                            help="seconds a request may run before its worker is restarted")

    def handle(self, *args, **options):
        for name in ("workers", "threads", "timeout"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1")
        if ":" not in options["bind"]:
            raise CommandError("--bind must be host:port, for example 127.0.0.1:8000")
        check_keys()
        run_gunicorn(options["bind"], options["workers"], options["threads"],
                     options["timeout"])
