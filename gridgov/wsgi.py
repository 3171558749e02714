"""WSGI entry point (gunicorn gridgov.wsgi, ``gridgov serve``, ``gridgov runserver``).

Refuses to load on missing production keys (``keys_check.require_for_start``), so no server
can run production on the public demo key, whichever way it was started; ``gridgov demo``
(which sets ``GRIDGOV_DEMO``), ``DEBUG`` and the test suite are let through.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
application = get_wsgi_application()

# After setup: the check reads the settings. Raising here fails the import, so gunicorn's
# worker does not boot and prints the message.
from gridgov.core.keys_check import require_for_start  # noqa: E402

require_for_start("the web application (gridgov.wsgi)")
