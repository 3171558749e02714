"""Test support shared by the apps' suites (imported by tests only).

``shared_connection_server()`` runs a live HTTP server in a thread that shares the test's
database connection, inside the test's transaction, serving one request at a time. A real
client (a browser, ``ckanapi``) then sees the session-loaded demo district, and whatever the
visit writes is rolled back with the test: no flush, so the demo stays loaded for the tests
after it. pytest-django's ``live_server`` would force a transactional test whose flush wipes it.
"""

from contextlib import contextmanager

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler, _MediaFilesHandler


class _KeepConnection:
    """Unhooks ``close_old_connections`` at the start of every request: the connection is the
    test's own (inside its transaction), and Django's test client hooks the handler back after
    each of its calls, so a test that used the client before a browser visit would otherwise
    have its connection closed by the next request here. The server serves one request at a
    time, so the handler stays unhooked until the response is closed."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        return self.app(environ, start_response)


class SharedConnectionServer(LiveServerThread):
    """A live server on the test thread's connection, one request at a time."""

    def _create_server(self, connections_override=None):
        # Not threaded: requests never use the shared connection concurrently.
        return WSGIServer((self.host, self.port), QuietWSGIRequestHandler,
                          allow_reuse_address=False)

    def run(self):
        from django.core.handlers.wsgi import WSGIHandler

        for alias, conn in (self.connections_override or {}).items():
            connections[alias] = conn
        try:
            handler = _KeepConnection(self.static_handler(_MediaFilesHandler(WSGIHandler())))
            self.httpd = self._create_server()
            self.port = self.httpd.server_address[1]
            self.httpd.set_app(handler)
            self.is_ready.set()
            self.httpd.serve_forever()
        except Exception as exc:  # reported to the test through self.error
            self.error = exc
            self.is_ready.set()
        # No connections.close_all(): the connection belongs to the test thread.


@contextmanager
def shared_connection_server():
    """Yield the base URL of a live server that shares the test's connection."""
    conn = connections["default"]
    # The server must not close the shared connection at the end of a request (it is inside
    # the test's transaction); Django's test client disconnects the same handler.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    conn.inc_thread_sharing()
    thread = SharedConnectionServer("127.0.0.1", StaticFilesHandler,
                                    connections_override={"default": conn})
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        conn.dec_thread_sharing()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


DEMO_PASSWORD = "Haishu#2026"


def sign_in(page, base, username, password=DEMO_PASSWORD):
    """Sign a Playwright ``page`` in as a demo user through the sign-in form."""
    page.goto(base + "/")
    # Anonymous: sent to the sign-in form.
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(base + "/")


def wait_for_js(page, expression: str, arg=None, *, timeout: float = 10000, poll: float = 0.1):
    """Wait until a JavaScript expression (or a one-argument function) is truthy on the page.

    Playwright's ``wait_for_function`` polls by evaluating its predicate with ``eval`` inside
    the page, which the site's Content-Security-Policy (no 'unsafe-eval') rightly forbids;
    ``page.evaluate`` runs through the DevTools protocol instead, so the pages are tested under
    the policy real users get.
    """
    import time

    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(expression, arg) if arg is not None else page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout} ms: {expression}")
        time.sleep(poll)
