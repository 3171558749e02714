"""The server's access log without the secrets some paths carry.

``gridgov serve`` already logs the path without its query string or referrer (``serve``'s
``ACCESS_LOG_FORMAT``). A few paths hold a bearer secret in the path itself: a resident's
tracking link (``/events/public/track/<token>/``, which opens the case, its text and photos
to whoever has it), an Open311 submission token and a hotline upload's error report. A log
line outlives the link, and whoever reads the logs could open the case, so gunicorn logs
those paths with the secret replaced (``RedactingLogger``, installed by
``serve.gunicorn_settings``), and so does Django's own "Not Found: <path>" line
(``RedactingFilter`` on the ``django.request`` logger, installed by ``CoreConfig.ready``).
docs/deployment.md gives the matching nginx ``map``.
"""

import logging
import re

from gunicorn.glogging import Logger

# The path up to the secret, and the secret: everything to the next "/" or ".".
SECRET_IN_PATH = re.compile(
    r"^(?P<head>/events/public/track/|/open311/v2/tokens/|/events/hotline/upload/"
    r"|/video/stream/)[^/.]+")
REDACTED = "[token]"


def redact_path(path: str) -> str:
    """``path`` with the secret of a tracking link or token path replaced by ``[token]``."""
    return SECRET_IN_PATH.sub(lambda m: m.group("head") + REDACTED, path or "")


class RedactingLogger(Logger):
    """gunicorn's logger, with the path (``%(U)s``) and the request line (``%(r)s``) redacted;
    the request line also loses its query string, should a format use it."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(atoms.get("U", ""))
        atoms["U"] = path
        atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {path} " \
                     f"{environ.get('SERVER_PROTOCOL', '-')}"
        return atoms


class RedactingFilter(logging.Filter):
    """Redacts the paths Django's request logger writes ("Not Found: %s", path)."""

    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a
                                for a in record.args)
        return True


def install_filter() -> None:
    """Put ``RedactingFilter`` on ``django.request`` once (idempotent)."""
    logger = logging.getLogger("django.request")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
