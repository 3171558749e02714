"""The soak test's HTTP side: keep-alive connections to both app servers, signed-in users
(through the login form, TOTP for administrators) and requests that fail over to the other
server when one is away, with every request's outcome counted per kind.
"""

import http.client
import http.cookies
import json
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

# A request is tried this many times in all, alternating between the servers, before it
# counts as an error; the pauses between tries cover a server's restart on the other side.
ATTEMPTS = 6
BACKOFF = (0.05, 0.2, 0.5, 1.0, 2.0)
# Answers that mean "this server cannot answer now", worth trying on the other one.
RETRY_STATUSES = {502, 503, 504}
TIMEOUT = 120


@dataclass
class Answer:
    """One logical request's outcome (after any retries)."""

    status: int
    body: bytes
    headers: dict
    seconds: float
    tries: int
    error: str = ""

    def json(self):
        return json.loads(self.body)


@dataclass
class Stats:
    """Per-kind latencies, errors and retries, shared by every client thread."""

    latencies: dict = field(default_factory=lambda: defaultdict(list))
    errors: list = field(default_factory=list)
    error_counts: dict = field(default_factory=lambda: defaultdict(int))
    retried: dict = field(default_factory=lambda: defaultdict(int))
    retry_reasons: dict = field(default_factory=lambda: defaultdict(int))
    conflicts: dict = field(default_factory=lambda: defaultdict(int))
    # (monotonic end time, seconds, ok, retried) of every request, for the timeline.
    samples: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, answer: Answer, ok: bool) -> None:
        with self.lock:
            self.latencies[kind].append(answer.seconds)
            self.samples.append((time.monotonic(), answer.seconds, ok, answer.tries > 1))
            if answer.tries > 1:
                self.retried[kind] += 1
            if not ok:
                self.error_counts[kind] += 1
                if len(self.errors) < 50:
                    self.errors.append((time.strftime("%H:%M:%S", time.gmtime()), kind,
                                        answer.status,
                                        answer.error or answer.body[:600].decode(errors="replace")))

    def conflict(self, kind: str) -> None:
        """A 409 on a case whose state had not moved (only its version): re-read, retried."""
        with self.lock:
            self.conflicts[kind] += 1

    def reset(self) -> None:
        """Forget what the set-up requests (sign-ins) counted."""
        with self.lock:
            for table in (self.latencies, self.error_counts, self.retried, self.retry_reasons,
                          self.conflicts):
                table.clear()
            self.errors.clear()
            self.samples.clear()

    def retry_reason(self, reason: str) -> None:
        with self.lock:
            self.retry_reasons[reason] += 1


class User:
    """A signed-in person's cookies (session and CSRF), shared by the client threads; the
    session lives in the database, so it is good on either server."""

    def __init__(self, username: str):
        self.username = username
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def cookie_header(self) -> str:
        with self.lock:
            return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def csrf(self) -> str:
        with self.lock:
            return self.cookies.get("csrftoken", "")

    def take_cookies(self, headers: list[tuple[str, str]]) -> None:
        with self.lock:
            for name, value in headers:
                if name.lower() != "set-cookie":
                    continue
                jar = http.cookies.SimpleCookie()
                jar.load(value)
                for key, morsel in jar.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value


class Client:
    """One thread's connections, one kept-alive connection per server."""

    def __init__(self, ports: list[int], preferred: int, stats: Stats):
        self.ports = ports
        self.preferred = preferred
        self.stats = stats
        self.conns: dict[int, http.client.HTTPConnection] = {}

    def _conn(self, port: int) -> http.client.HTTPConnection:
        if port not in self.conns:
            self.conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        return self.conns[port]

    def _drop(self, port: int) -> None:
        conn = self.conns.pop(port, None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        for port in list(self.conns):
            self._drop(port)

    def request(self, method: str, path: str, *, user: User | None = None, body=None,
                form: dict | None = None, files: dict | None = None,
                headers: dict | None = None, idempotent: bool = True) -> Answer:
        """Send one request (JSON ``body``, ``form`` fields, with ``files`` multipart); on a
        refused or broken connection or a 502/503/504, try again on the other server (same
        Idempotency-Key, so a write lands once)."""
        headers = {"Connection": "keep-alive", "Accept-Language": "zh-hans",
                   **(headers or {})}
        payload = None
        if files is not None:
            payload, headers["Content-Type"] = multipart(form or {}, files)
        elif form is not None:
            if user is not None:
                form = {"csrfmiddlewaretoken": user.csrf(), **form}
            payload = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if method != "GET" and idempotent:
            headers.setdefault("Idempotency-Key", str(uuid.uuid4()))
        t0 = time.perf_counter()
        error = ""
        for attempt in range(ATTEMPTS):
            port = self.ports[(self.preferred + attempt) % len(self.ports)]
            if user is not None:
                headers["Cookie"] = user.cookie_header()
                if method != "GET":
                    headers["X-CSRFToken"] = user.csrf()
            conn = self._conn(port)
            try:
                conn.request(method, path, payload, headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._drop(port)
                error = f"{type(exc).__name__}: {exc}"
                self.stats.retry_reason(type(exc).__name__)
                if attempt + 1 < ATTEMPTS:
                    time.sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])
                continue
            if response.will_close:
                self._drop(port)
            if user is not None:
                user.take_cookies(response.getheaders())
            if response.status in RETRY_STATUSES and attempt + 1 < ATTEMPTS:
                error = f"{response.status} {data[:300]!r}"
                self.stats.retry_reason(f"HTTP {response.status}")
                time.sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])
                continue
            return Answer(response.status, data, dict(response.getheaders()),
                          time.perf_counter() - t0, attempt + 1)
        return Answer(0, b"", {}, time.perf_counter() - t0, ATTEMPTS, error=error)


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """A multipart/form-data body: ``fields`` name → value, ``files`` name → (filename,
    content type, bytes); and its Content-Type."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, ctype, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def sign_in(client: Client, username: str, password: str, totp_secret: str = "") -> User:
    """Sign in through the login form (and the TOTP step for an administrator)."""
    user = User(username)
    page = client.request("GET", "/accounts/login/", user=user)
    if page.status != 200:
        raise SystemExit(f"login page answered {page.status} for {username}")
    done = client.request("POST", "/accounts/login/", user=user, idempotent=False,
                          form={"username": username, "password": password})
    if done.status != 302 or "sessionid" not in user.cookies:
        raise SystemExit(f"sign-in of {username} failed: {done.status} {done.body[:300]!r}")
    if totp_secret:
        import pyotp

        client.request("GET", "/accounts/totp/", user=user)
        step = client.request("POST", "/accounts/totp/", user=user, idempotent=False,
                              form={"code": pyotp.TOTP(totp_secret).now()})
        if step.status != 302:
            raise SystemExit(f"TOTP step of {username} failed: {step.status}")
    return user
