"""The soak test's processes: a fresh PostgreSQL database and Redis db, the demo district, two
``gridgov serve`` app servers, a Celery worker and Celery beat, each logging to a file in the
run's temporary directory; their restarts, resident set sizes and teardown.

Every process is started in its own session (process group), so stopping one signals its
whole tree (gunicorn's master and workers, Celery's pool) and nothing outlives the run.
"""

import base64
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"

# Rates far above what 8 soak clients send through a handful of principals: production
# spreads the same traffic over thousands of people and keys. The throttles still count every
# request in Redis, so their code path is under load; only their limits are out of reach.
SOAK_RATES = {
    "GRIDGOV_RATE_API": "1000000/min", "GRIDGOV_RATE_API_ANON": "1000000/min",
    "GRIDGOV_RATE_OPEN311": "1000000/min", "GRIDGOV_RATE_OPEN311_ANON": "1000000/min",
    "GRIDGOV_RATE_CKAN": "1000000/min", "GRIDGOV_RATE_CKAN_ANON": "1000000/min",
}


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(args, tmp: Path) -> dict:
    """The environment of every process: production keys made for this run, PostgreSQL,
    Redis as broker, cache and throttle store, media and anchor log in ``tmp``."""
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    return {
        "DJANGO_SETTINGS_MODULE": "gridgov.settings",
        "DATABASE_URL": args.postgres, "GRIDGOV_DATA_DIR": str(tmp),
        "MEDIA_ROOT": str(tmp / "media"), "STATIC_ROOT": str(tmp / "static"),
        "REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url,
        "GRIDGOV_THROTTLE_STORE": "redis",
        # Beat runs the scheduled jobs; no server process runs a scheduler thread
        # ("auto" says the same with a broker; stated so a changed default cannot hide it).
        "GRIDGOV_SCHEDULER": "off", "GRIDGOV_BACKGROUND_MODE": "celery",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
        "GRIDGOV_SMS_BACKEND": "gridgov.notifications.backends.NullSMSBackend",
        # `gridgov serve` and Celery refuse the demo keys: a throw-away set for this run.
        "SECRET_KEY": secrets.token_urlsafe(50), "AUDIT_HMAC_KEY": secrets.token_urlsafe(50),
        "GRIDGOV_FIELD_KEYS": base64.b64encode(secrets.token_bytes(32)).decode(),
        "GRIDGOV_LOOKUP_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        # Celery beat's schedule, shortened so a 10-minute soak sees the seal and the scan.
        "SOAK_BEAT_EVERY": str(args.beat_every),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks"), str(ROOT)]),
        **SOAK_RATES,
    }


def recreate_database(url: str) -> None:
    """Drop and create the database named at the end of ``url``."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def flush_redis(url: str) -> None:
    """Empty the soak's Redis database (broker queues, cache, throttle counters)."""
    import redis

    redis.Redis.from_url(url).flushdb()


def process_tree(pid: int) -> list[int]:
    """``pid`` and every descendant, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def rss_mib(pid: int) -> float:
    """Resident set size of ``pid`` and its descendants (MiB)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for member in process_tree(pid):
        try:
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total / 2**20


class Stack:
    """Everything the soak starts; ``close()`` stops all of it (idempotent)."""

    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="gridgov-soak-"))
        (self.tmp / "logs").mkdir()
        self.env = {**os.environ, **production_env(args, self.tmp)}
        self.procs: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, list[str]] = {}
        self.ports: dict[str, int] = {}
        self.starts: dict[str, int] = {}

    def log(self, name: str) -> Path:
        return self.tmp / "logs" / f"{name}.log"

    # --- setup ---------------------------------------------------------------------------------

    def prepare(self) -> float:
        """Fresh database and Redis db; migrate and load the demo (``gridgov demo
        --no-serve``); the seconds it took."""
        t0 = time.perf_counter()
        recreate_database(self.args.postgres)
        flush_redis(self.env["REDIS_URL"])
        cmd = [str(BIN / "gridgov"), "demo", "--no-serve"]
        if self.args.history_events is not None:
            cmd += ["--history-events", str(self.args.history_events)]
        with open(self.log("demo"), "wb") as out:
            done = subprocess.run(cmd, env=self.env, cwd=ROOT, stdout=out,
                                  stderr=subprocess.STDOUT, check=False)
        if done.returncode:
            raise SystemExit(f"gridgov demo failed; see {self.log('demo')}:\n"
                             + self.log("demo").read_text()[-3000:])
        return time.perf_counter() - t0

    # --- processes -----------------------------------------------------------------------------

    def start(self, name: str, cmd: list[str]) -> None:
        """Start ``cmd`` in its own process group, output appended to its log."""
        self.commands[name] = cmd
        self.starts[name] = self.starts.get(name, 0) + 1
        out = open(self.log(name), "ab")  # noqa: SIM115 (kept open by the child)
        out.write(f"\n=== start {self.starts[name]} at {time.strftime('%H:%M:%S')}: "
                  f"{' '.join(cmd)}\n".encode())
        out.flush()
        self.procs[name] = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        out.close()

    def start_server(self, name: str, port: int | None = None) -> int:
        """``gridgov serve`` on a free port (or ``port`` again after a restart); waits until
        it answers."""
        port = port or self.ports.get(name) or free_port()
        self.ports[name] = port
        self.start(name, [str(BIN / "gridgov"), "serve", "--bind", f"127.0.0.1:{port}",
                          "--workers", str(self.args.workers),
                          "--threads", str(self.args.threads)])
        self.wait_http(name, port)
        return port

    def wait_http(self, name: str, port: int, timeout: float = 90) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.procs[name].poll() is not None:
                raise SystemExit(f"{name} exited; see {self.log(name)}:\n"
                                 + self.log(name).read_text()[-3000:])
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/open311/v2/discovery.json")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"{name} did not answer within {timeout:.0f} s")

    def start_worker(self) -> None:
        """``celery -A gridgov worker`` (prefork, --worker-concurrency processes)."""
        self.start("worker", [str(BIN / "celery"), "-A", "gridgov", "worker", "-l", "INFO",
                              "--concurrency", str(self.args.worker_concurrency),
                              "-n", f"soak-{os.getpid()}@%h", "--without-gossip",
                              "--without-mingle"])
        self.wait_log("worker", "ready.")

    def start_beat(self) -> None:
        """Celery beat with the soak's schedule (``soak_beat``), its state file in tmp."""
        self.start("beat", [str(BIN / "celery"), "-A", "soak_beat", "beat", "-l", "INFO",
                            "-s", str(self.tmp / "celerybeat-schedule"),
                            "--pidfile", str(self.tmp / "celerybeat.pid")])
        self.wait_log("beat", "beat: Starting")

    def wait_log(self, name: str, text: str, timeout: float = 90) -> None:
        """Wait until ``text`` shows in the log of the process's current start."""
        deadline = time.time() + timeout
        marker = f"=== start {self.starts[name]} "
        while time.time() < deadline:
            if self.procs[name].poll() is not None:
                raise SystemExit(f"{name} exited; see {self.log(name)}:\n"
                                 + self.log(name).read_text()[-3000:])
            log = self.log(name).read_text(errors="replace")
            if text in log[log.rfind(marker):]:
                return
            time.sleep(0.3)
        raise SystemExit(f"{name} did not report {text!r} within {timeout:.0f} s")

    def stop(self, name: str, timeout: float = 60) -> float:
        """SIGTERM the process group (graceful: gunicorn and Celery finish what they are
        doing), SIGKILL after ``timeout``; the seconds it took."""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return 0.0
        t0 = time.perf_counter()
        self._signal(proc, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._signal(proc, signal.SIGKILL)
            proc.wait(10)
        # Children left behind by a killed master: the group goes too.
        self._signal(proc, signal.SIGKILL)
        return time.perf_counter() - t0

    @staticmethod
    def _signal(proc, sig) -> None:
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def restart_server(self, name: str) -> tuple[float, float]:
        """Stop and start an app server on its port; seconds to stop, seconds to answer."""
        stopped = self.stop(name)
        t0 = time.perf_counter()
        self.start_server(name)
        return stopped, time.perf_counter() - t0

    def restart_worker(self) -> tuple[float, float]:
        """Stop (warm: running tasks finish) and start the Celery worker; both durations."""
        stopped = self.stop("worker")
        t0 = time.perf_counter()
        self.start_worker()
        return stopped, time.perf_counter() - t0

    def rss(self) -> dict[str, float]:
        """Each running process's tree RSS (MiB)."""
        return {name: rss_mib(proc.pid) for name, proc in self.procs.items()
                if proc.poll() is None}

    def close(self) -> None:
        """Stop everything this run started (beat first, so it queues nothing more)."""
        for name in sorted(self.procs, key=lambda n: (n != "beat", n)):
            try:
                self.stop(name, timeout=30)
            except Exception as exc:  # keep stopping the others
                print(f"stopping {name}: {exc!r}", file=sys.stderr)

    def gridgov(self, *argv: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """Run a ``gridgov`` command against the soak's database."""
        return subprocess.run([str(BIN / "gridgov"), *argv], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout, check=False)
