"""Benchmark: the field terminal's app shell on Chromium's "Slow 3G", beside the desktop home.

Starts the site in this process (a threaded WSGI server on the Haishu demo district: a
temporary SQLite database migrated and loaded, or ``--configured-db`` for DATABASE_URL),
signs in as the demo grid worker in Debian's chromium through Playwright, and loads under
``Network.emulateNetworkConditions`` with DevTools' "Slow 3G" figures (400 ms latency,
50 KiB/s down and up; ``--latency``/``--kbps`` to change them):

- the desktop home page ``/`` (the baseline: what a grid worker got on the phone before);
- the terminal ``/m/``: first load (empty caches), and the repeat load once the service
  worker has installed (network-first HTML, shell files from the worker's cache).

Printed per load: bytes over the wire (counted by the server: status line, headers and body
of every answer it sent during the load, so the service worker's own fetches are counted
too), requests, DOMContentLoaded, and time to interactive (navigation start until
DOMContentLoaded has fired and the first tab / menu link accepts a click). Figures only.

    .venv/bin/python benchmarks/field_shell.py
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_field \\
        .venv/bin/python benchmarks/field_shell.py --configured-db
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHROMIUM = os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configured-db", action="store_true",
                        help="use DATABASE_URL (migrated, demo loaded if missing)")
    parser.add_argument("--latency", type=float, default=400, help="ms added per request")
    parser.add_argument("--kbps", type=float, default=50, help="KiB/s, down and up")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--runs", type=int, default=3, help="runs of each load (median)")
    return parser.parse_args()


def setup_django(configured: bool) -> None:
    if not configured:
        tmp = tempfile.mkdtemp(prefix="gridgov-bench-field-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["GRIDGOV_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    os.environ.setdefault("GRIDGOV_DEMO", "1")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo() -> None:
    from django.core.management import call_command

    from gridgov.accounts.models import User
    from gridgov.demo import load_demo as load

    call_command("migrate", interactive=False, verbosity=0)
    if not User.objects.filter(username="gw_gulou").exists():
        load(history_events=0)


class Counter:
    """Bytes the server sent (status line, headers, body), per load."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.bytes, self.requests, self.paths = 0, 0, []

    def add(self, path, n):
        with self.lock:
            self.bytes += n
            self.requests += 1
            self.paths.append((path, n))


def counting(app, counter):
    def wrapped(environ, start_response):
        size = {"n": 0}

        def start(status, headers, exc_info=None):
            size["n"] += len(status) + 11 + sum(len(k) + len(v) + 4 for k, v in headers) + 2
            return start_response(status, headers, exc_info)

        result = app(environ, start)
        try:
            for chunk in result:
                size["n"] += len(chunk)
                yield chunk
        finally:
            if hasattr(result, "close"):
                result.close()
            counter.add(environ.get("PATH_INFO", ""), size["n"])

    return wrapped


def serve(port, counter):
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", port), Quiet)
    server.set_app(counting(StaticFilesHandler(WSGIHandler()), counter))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def throttle(page, args):
    cdp = page.context.new_cdp_session(page)
    rate = args.kbps * 1024
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": args.latency, "downloadThroughput": rate,
        "uploadThroughput": rate})
    return cdp


def measure(page, url, clickable, counter, args, cold=False):
    """(bytes, requests, DOMContentLoaded ms, interactive ms) of one load of ``url``."""
    cdp = throttle(page, args)
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": cold})
    counter.reset()
    start = time.monotonic()
    page.goto(url, wait_until="domcontentloaded", timeout=120000)
    page.locator(clickable).first.click(trial=True, timeout=120000)
    interactive = (time.monotonic() - start) * 1000
    to_interactive = counter.bytes
    dcl = page.evaluate("performance.getEntriesByType('navigation')[0]"
                        ".domContentLoadedEventEnd")
    page.wait_for_load_state("load", timeout=120000)
    page.wait_for_timeout(300)  # answers still streaming when "load" fired
    result = (counter.bytes, counter.requests)
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    return result[0], result[1], dcl, interactive, list(counter.paths), to_interactive


def sign_in(page, base, login_path, password):
    page.goto(base + login_path)
    page.fill("input[name=username]", "gw_gulou")
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state("load")


def split(paths):
    """(app shell bytes, precached pages bytes) of a first load: the shell is the page's HTML,
    the static files, the worker and the manifest; the rest is the worker's precache of the
    other pages (tabs, outbox, offline page, today's items)."""
    shell = pages = 0
    seen_home = False
    for path, n in paths:
        if path == "/m/" and not seen_home:
            seen_home = True
            shell += n
        elif path.startswith("/static/") or path in ("/m/sw.js", "/m/manifest.webmanifest"):
            shell += n
        else:
            pages += n
    return shell, pages


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    args = parse_args()
    setup_django(args.configured_db)
    load_demo()
    from playwright.sync_api import sync_playwright

    from gridgov.demo.users import DEMO_PASSWORD

    counter = Counter()
    server = serve(args.port, counter)
    base = f"http://127.0.0.1:{args.port}"
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                 "has_touch": True}
        firsts, repeats, desktops, precache, last_first = [], [], [], [], []
        for _run in range(args.runs):
            # Desktop home, as the phone got it before the terminal; HTTP cache off, as on
            # a first visit (the sign-in page would otherwise have cached the shared files).
            ctx = browser.new_context(**phone)
            page = ctx.new_page()
            sign_in(page, base, "/accounts/login/", DEMO_PASSWORD)
            desktops.append(measure(page, base + "/", "#gg-nav a, header a", counter, args,
                                    cold=True))
            ctx.close()
            # The terminal: first load (cache off, no service worker yet: the sign-in page
            # registers none), then a repeat load in a new tab once the worker is active.
            ctx = browser.new_context(**phone)
            page = ctx.new_page()
            sign_in(page, base, "/m/login/", DEMO_PASSWORD)
            firsts.append(measure(page, base + "/m/", ".m-tab", counter, args, cold=True))
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.wait_for_timeout(3000)  # the precache is fetched
            precache.append(split(counter.paths))
            last_first = list(counter.paths)
            page.close()
            page = ctx.new_page()
            repeats.append(measure(page, base + "/m/", ".m-tab", counter, args))
            ctx.close()
        browser.close()
    server.shutdown()
    for label, runs in (("desktop home /", desktops), ("field /m/ first load", firsts),
                        ("field /m/ repeat (SW)", repeats)):
        rows.append((label, median([r[5] for r in runs]), median([r[0] for r in runs]),
                     median([r[1] for r in runs]), median([r[2] for r in runs]),
                     median([r[3] for r in runs])))
    print(f"Slow 3G: {args.latency:.0f} ms latency, {args.kbps:.0f} KiB/s down/up; "
          f"median of {args.runs} runs")
    print("KiB: sent by the server until the load event (the worker registers at load, so its "
          "precache is mostly after it)")
    print(f"{'load':<24}{'KiB':>8}{'requests':>10}{'DCL ms':>9}{'TTI ms':>9}")
    for label, _early, size, requests, dcl, tti in rows:
        print(f"{label:<24}{size / 1024:>8.1f}{requests:>10}{dcl:>9.0f}{tti:>9.0f}")
    shell = median([a for a, _b in precache])
    pages = median([b for _a, b in precache])
    print(f"first load, all answers until the worker settled: app shell (HTML of /m/, CSS, JS, "
          f"icon, worker, manifest) {shell / 1024:.1f} KiB; pages the worker precached for "
          f"offline use {pages / 1024:.1f} KiB")
    print("\nfirst load of /m/ (last run, until the worker settled), by request (bytes):")
    for path, n in last_first:
        print(f"  {n:>8}  {path}")
    print("\nrepeat load of /m/, by request (bytes):")
    for path, n in repeats[-1][4]:
        print(f"  {n:>8}  {path}")


if __name__ == "__main__":
    main()
