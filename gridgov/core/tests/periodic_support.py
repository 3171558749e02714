"""Sending ``request_finished`` in a test as a server would, for jobs run after a response
(``gridgov.core.periodic``)."""

from django.core.signals import request_finished
from django.db import close_old_connections


def finish_response() -> None:
    """The end of a response, as Django's test client ends one: without
    ``close_old_connections``. Inside a test's transaction that receiver closes PostgreSQL's
    connection (autocommit is off there, unlike in a live server between requests), and the
    job after the response would then find no connection."""
    request_finished.disconnect(close_old_connections)
    try:
        request_finished.send(sender=None)
    finally:
        request_finished.connect(close_old_connections)
