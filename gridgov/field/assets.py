"""The terminal's app shell: the static files every page loads, and their version.

The version is a digest of the files' contents (and of the service worker's source): it goes
into their URLs (``?v=…``, so the service worker may serve them cache-first) and into the
service worker's own text, so a changed file changes the worker and the phones update.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.templatetags.static import static

# Loaded by every page of the terminal (field/base.html), precached by the service worker.
SHELL_CSS = ("field/field.css",)
SHELL_JS = ("field/js/idb.js", "field/js/outbox.js", "field/js/geo.js", "field/js/shell.js")
# Loaded by one page each, precached too (the pages are precached).
PAGE_JS = ("field/js/outbox-page.js", "field/js/me.js", "field/js/login.js",
           "field/js/report.js", "field/report.css", "events/intake.js",
           "gridgov/js/basemap.js", "field/js/point-map.js", "field/js/events.js",
           "field/events.css",
           "field/js/collect.js", "field/collect.css", "basedata/js/validators.js",
           "tasks/field.css", "tasks/field_task.js",
           "patrols/js/patrol.js", "patrols/patrol.css",
           "visits/visit_form.js", "visits/field.css")
ICONS = ("field/icons/icon-192.png", "field/icons/icon-512.png",
         "field/icons/icon-maskable-512.png")
# The service worker's source: a file beside the templates, served by a view at /m/sw.js
# (its scope is then /m/), not as a static file.
SW_SOURCE = Path(__file__).resolve().parent / "templates" / "field" / "sw.js"


def _read(name: str) -> bytes:
    path = finders.find(name)
    if not path:
        return b""
    with open(path, "rb") as handle:
        return handle.read()


@lru_cache(maxsize=1)
def version() -> str:
    digest = hashlib.sha256()
    for name in SHELL_CSS + SHELL_JS + PAGE_JS + ICONS:
        digest.update(name.encode())
        digest.update(_read(name))
    digest.update(SW_SOURCE.read_bytes())
    return digest.hexdigest()[:12]


def url(name: str) -> str:
    """The versioned URL of a shell file."""
    return f"{static(name)}?v={version()}"


def precached_static() -> list[str]:
    # The large icons are fetched by the browser when the app is installed, not by the pages.
    return [url(name) for name in SHELL_CSS + SHELL_JS + PAGE_JS + ICONS[:1]]


def service_worker_source() -> str:
    return SW_SOURCE.read_text(encoding="utf-8")
