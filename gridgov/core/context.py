"""Per-request context (request id, client address) that actions read for their audit records.

Context variables rather than thread locals so that the values follow the request into any
code it calls, and a management command or Celery task can set its own.
"""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("gridgov_request_id", default="")
client_ip_var: ContextVar[str] = ContextVar("gridgov_client_ip", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request (or command) being served; one is made if none was set."""
    value = request_id_var.get()
    if not value:
        value = new_request_id()
        request_id_var.set(value)
    return value


def current_client_ip() -> str:
    return client_ip_var.get()


@contextmanager
def request_context(request_id: str = "", client_ip: str = ""):
    """Set the request id and client address for the code run inside the block."""
    t1 = request_id_var.set(request_id or new_request_id())
    t2 = client_ip_var.set(client_ip)
    try:
        yield
    finally:
        request_id_var.reset(t1)
        client_ip_var.reset(t2)
