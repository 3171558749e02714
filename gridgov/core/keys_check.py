"""Are the production keys set? ``gridgov serve`` refuses to start until they are.

Without configuration every key falls back to something public or derived: ``SECRET_KEY`` to
the demo key printed in the source, the field-encryption and lookup keys to hashes of
``SECRET_KEY`` (gridgov.core.personal_data), the audit chain key to ``SECRET_KEY`` itself
(settings). That keeps ``gridgov demo`` and the tests free of set-up, and it means a
production server on the defaults lets anybody with the database decrypt ID numbers and forge
audit records that verify. ``problems()`` lists what is missing, one line per variable;
``gridgov demo`` does not call it.

Every other production entry point checks too (``require_for_start``): the WSGI application
(``gridgov/wsgi.py``: gunicorn, ``gridgov runserver``) and the Celery worker and beat
(``gridgov/celery.py``) refuse to start on missing keys, and ``gridgov check --deploy`` reports
them as errors (``deploy_check``). The exceptions are development and the demo only: ``DEBUG``
on, ``GRIDGOV_DEMO=1`` in the environment (``gridgov demo`` sets it for the server it starts)
or Django's test environment (the test suite).
"""

import base64
import binascii
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The public key the demo and the tests run on (settings.SECRET_KEY without the environment).
DEMO_SECRET_KEY = "gridgov-insecure-demo-key-change-me-in-production"
# Shortest SECRET_KEY / AUDIT_HMAC_KEY accepted: anything shorter is a password, not a key.
MIN_TEXT_KEY = 32
FIELD_KEY_BYTES = 32
MIN_LOOKUP_KEY_BYTES = 16

TEXT_KEY_HOWTO = ('python3 -c "import secrets; print(secrets.token_urlsafe(50))"')
BYTES_KEY_HOWTO = "gridgov basedata new_key"


def _setting(name: str):
    """A key as personal_data reads it: the setting, else the environment."""
    value = getattr(settings, name, None)
    return value if value else os.environ.get(name, "")


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def _field_keys_problem(raw) -> str:
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    if not raw:
        return "not set (the field keys would be derived from SECRET_KEY)"
    for item in raw:
        key = _b64(item) if isinstance(item, str) else bytes(item)
        if key is None or len(key) != FIELD_KEY_BYTES:
            return f"every key must be {FIELD_KEY_BYTES} bytes, base64-encoded"
    return ""


def _lookup_key_problem(raw) -> str:
    if not raw:
        return "not set (the lookup key would be derived from SECRET_KEY)"
    key = _b64(raw) if isinstance(raw, str) else bytes(raw)
    if key is None or len(key) < MIN_LOOKUP_KEY_BYTES:
        return f"must be base64 of at least {MIN_LOOKUP_KEY_BYTES} random bytes"
    return ""


def problems() -> list[tuple[str, str, str]]:
    """(variable, what is wrong, how to make a key) for each key a production start lacks."""
    found = []
    try:
        secret = settings.SECRET_KEY or ""
    except ImproperlyConfigured:  # Django refuses to hand out an empty SECRET_KEY
        secret = ""
    if not secret or secret == DEMO_SECRET_KEY:
        found.append(("SECRET_KEY", "not set (the public demo key is in use)", TEXT_KEY_HOWTO))
    elif len(secret) < MIN_TEXT_KEY:
        found.append(("SECRET_KEY", f"shorter than {MIN_TEXT_KEY} characters", TEXT_KEY_HOWTO))
    problem = _field_keys_problem(_setting("GRIDGOV_FIELD_KEYS"))
    if problem:
        found.append(("GRIDGOV_FIELD_KEYS", problem, BYTES_KEY_HOWTO))
    problem = _lookup_key_problem(_setting("GRIDGOV_LOOKUP_KEY"))
    if problem:
        found.append(("GRIDGOV_LOOKUP_KEY", problem, BYTES_KEY_HOWTO))
    audit = getattr(settings, "AUDIT_HMAC_KEY", "") or ""
    if not audit or audit == DEMO_SECRET_KEY or audit == secret:
        found.append(("AUDIT_HMAC_KEY", "not set (it would be SECRET_KEY); the audit chain "
                      "needs its own key", TEXT_KEY_HOWTO))
    elif len(audit) < MIN_TEXT_KEY:
        found.append(("AUDIT_HMAC_KEY", f"shorter than {MIN_TEXT_KEY} characters",
                      TEXT_KEY_HOWTO))
    return found


def message(found: list[tuple[str, str, str]], what: str = "") -> str:
    """The text a refused start prints: each variable, what is wrong, how to make one."""
    started = f" {what}" if what else ""
    lines = [f"Refusing to start{started}: production keys are missing "
             "(拒绝启动:未配置生产密钥).", ""]
    for name, problem, howto in found:
        lines.append(f"  {name}: {problem}")
        lines.append(f"      make one with: {howto}")
    lines += [
        "",
        "Set them in the environment (see docs/deployment.md, \"Keys\"). Keep them out of the "
        "database and the code; change AUDIT_HMAC_KEY or GRIDGOV_LOOKUP_KEY only as the Keys "
        "section says (`gridgov audit rotate-key`, `gridgov keys rehash`). "
        "`gridgov demo` runs without them.",
    ]
    return "\n".join(lines)


def require_production_keys() -> None:
    """Raise ImproperlyConfigured with ``message()`` when any production key is missing."""
    found = problems()
    if found:
        raise ImproperlyConfigured(message(found))


# --- every other start ---------------------------------------------------------------------

# Set by ``gridgov demo`` for the server it starts; never set it in production.
DEMO_ENV = "GRIDGOV_DEMO"
# One id per key, so a deployment can silence nothing by accident (SILENCED_SYSTEM_CHECKS).
CHECK_IDS = {"SECRET_KEY": "gridgov.E001", "GRIDGOV_FIELD_KEYS": "gridgov.E002",
             "GRIDGOV_LOOKUP_KEY": "gridgov.E003", "AUDIT_HMAC_KEY": "gridgov.E004"}


def start_exemption() -> str:
    """Why this process may start on the development keys ('' when it may not): ``DEBUG``,
    the demo (``GRIDGOV_DEMO``), or Django's test environment (the test suite)."""
    if getattr(settings, "DEBUG", False):
        return "DEBUG"
    if os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
        return DEMO_ENV
    from django.core import mail

    # setup_test_environment() creates the outbox; nothing else does.
    if hasattr(mail, "outbox"):
        return "tests"
    return ""


def require_for_start(what: str) -> None:
    """ImproperlyConfigured (naming ``what`` and each missing key) unless the production keys
    are set or ``start_exemption()`` allows development keys. Called at import of the WSGI
    application and when a Celery worker or beat starts."""
    if start_exemption():
        return
    found = problems()
    if found:
        raise ImproperlyConfigured(message(found, what))


def deploy_check(app_configs=None, **kwargs):
    """``gridgov check --deploy``: one error per missing production key."""
    from django.core import checks

    return [checks.Error(f"{name}: {problem}", hint=f"make one with: {howto}",
                         id=CHECK_IDS.get(name, "gridgov.E000"))
            for name, problem, howto in problems()]
