"""Django settings for GridGov, read from the environment.

Every value a deployment changes comes from an environment variable; the defaults give the
embedded demo (SQLite in ``var/``, in-process background jobs, no tile server).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gridgov.core.keys_check import DEMO_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("GRIDGOV_DATA_DIR", Path.cwd() / "var")).resolve()


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


DEBUG = env_bool("DEBUG", False)
# Unset: the public demo key, for ``gridgov demo`` and the tests only. ``gridgov serve`` refuses
# to start on it, and without explicit field, lookup and audit keys (gridgov/core/keys_check.py).
SECRET_KEY = os.environ.get("SECRET_KEY") or DEMO_SECRET_KEY
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "gridgov.core",
    "gridgov.audit",
    "gridgov.accounts",
    "gridgov.areas",
    "gridgov.notifications",
    "gridgov.background",
    "gridgov.moderation",
    "gridgov.events",
    "gridgov.basedata",
    "gridgov.sharing",
    "gridgov.protocols",
    "gridgov.stats",
    "gridgov.assess",
    "gridgov.tasks",
    "gridgov.patrols",
    "gridgov.visits",
    "gridgov.party",
    "gridgov.party_meetings",
    "gridgov.partywork",
    "gridgov.rules",
    "gridgov.proactive",
    "gridgov.needs",
    "gridgov.video",
    "gridgov.gis",
    "gridgov.field",
    "gridgov.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer (gridgov.core.middleware.content_security_policy).
    "gridgov.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control: no-store on answers to signed-in or keyed requests and on downloads,
    # unless the view chose its own (gridgov.core.cache_control); static files come earlier.
    "gridgov.core.cache_control.NoStoreMiddleware",
    "gridgov.core.middleware.RequestContextMiddleware",
    # 503 + Retry-After when the database is down; JSON error bodies for JSON clients.
    "gridgov.core.middleware.ErrorResponseMiddleware",
    # A NUL character in a query parameter or form field: 400.
    "gridgov.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gridgov.core.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sign out after GRIDGOV_SESSION_IDLE_SECONDS idle, or SESSION_COOKIE_AGE after sign-in.
    "gridgov.core.middleware.SessionIdleTimeoutMiddleware",
    "gridgov.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and CSRF: a retried write answers with its first result.
    "gridgov.core.middleware.IdempotencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Deprecation / Sunset / Link headers on answers through the unversioned /api/ alias.
    "gridgov.core.versioning.DeprecatedAliasMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridgov.web.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL) by default; PostgreSQL when DATABASE_URL says so.
DEFAULT_SQLITE = f"sqlite:///{DATA_DIR / 'gridgov.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_SQLITE
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASE_URL == DEFAULT_SQLITE:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue instead of failing with "database is locked" on lock upgrade.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=20000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # One test database per test process, so two suites on one server never drop each
    # other's database mid-run.
    DATABASES["default"]["TEST"] = {
        "NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}",
    }
# Check a kept connection before each request uses it, so the first request after the
# database dropped its connections does not fail.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A read replica (PostgreSQL streaming replica) for dashboards and exports: gridgov.core.routers.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["gridgov.core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Limits and throttles (gridgov/core/throttle.py, docs/deployment.md) ---------------------
# Counted where every process sees the same count: Redis when REDIS_URL is set, else the
# database (core.RateCounter). GRIDGOV_THROTTLE_STORE=db|redis forces one.
GRIDGOV_THROTTLE_STORE = os.environ.get("GRIDGOV_THROTTLE_STORE", "")
# Seconds a throttle waits on Redis before it counts in the database instead (short: a limit
# must not hold a request; not too short: a busy worker may be off the CPU for a moment).
GRIDGOV_THROTTLE_REDIS_TIMEOUT = float(os.environ.get("GRIDGOV_THROTTLE_REDIS_TIMEOUT", "2"))
# Rates are "<requests>/<period>" (20/15m, 600/min, 30/hour); "0" turns one off.
# Failed sign-ins per client address, whatever the user names (password spraying); the
# per-name lock-out (GRIDGOV_LOCKOUT_*) stays on top of it.
GRIDGOV_RATE_SIGNIN_IP = os.environ.get("GRIDGOV_RATE_SIGNIN_IP", "20/15m")
# The REST API: per signed-in person, device or department key, and per address for anyone else.
GRIDGOV_RATE_API = os.environ.get("GRIDGOV_RATE_API", "600/min")
GRIDGOV_RATE_API_ANON = os.environ.get("GRIDGOV_RATE_API_ANON", "60/min")
# Open311 and CKAN: per department key or signed-in person, and per address when anonymous.
GRIDGOV_RATE_OPEN311 = os.environ.get("GRIDGOV_RATE_OPEN311", "600/min")
GRIDGOV_RATE_OPEN311_ANON = os.environ.get("GRIDGOV_RATE_OPEN311_ANON", "60/min")
GRIDGOV_RATE_CKAN = os.environ.get("GRIDGOV_RATE_CKAN", "600/min")
GRIDGOV_RATE_CKAN_ANON = os.environ.get("GRIDGOV_RATE_CKAN_ANON", "60/min")
# OGC API – Features: maps page through features as they pan, so more than the other adapters.
GRIDGOV_RATE_OGCAPI = os.environ.get("GRIDGOV_RATE_OGCAPI", "1200/min")
GRIDGOV_RATE_OGCAPI_ANON = os.environ.get("GRIDGOV_RATE_OGCAPI_ANON", "120/min")
# Import uploads (people/buildings/... and hotline files, page or API) per person.
GRIDGOV_RATE_IMPORT = os.environ.get("GRIDGOV_RATE_IMPORT", "30/hour")
# Exports (people, cases, the audit log, statistics and rankings as files) per person, every
# export page counted together: a day's work is a few dozen; a script's loop is refused.
GRIDGOV_RATE_EXPORT = os.environ.get("GRIDGOV_RATE_EXPORT", "60/hour")
# Residents' report form and case evaluations, per client address: LIMIT per WINDOW seconds.
GRIDGOV_PUBLIC_REPORT_LIMIT = env_int("GRIDGOV_PUBLIC_REPORT_LIMIT", 5)
GRIDGOV_PUBLIC_REPORT_WINDOW = env_int("GRIDGOV_PUBLIC_REPORT_WINDOW", 600)
# Only accepted reports use up the limit above (a refused form is refunded); every post of the
# report form, accepted or not, counts here, so a flood of invalid posts is still stopped.
GRIDGOV_RATE_PUBLIC_POSTS = os.environ.get("GRIDGOV_RATE_PUBLIC_POSTS", "30/10m")
# Residents' case lookup by number and phone, per client address and per case number (failed
# attempts; a match is refunded): guessing a phone for a known number stays slow.
GRIDGOV_RATE_PUBLIC_LOOKUP = os.environ.get("GRIDGOV_RATE_PUBLIC_LOOKUP", "10/10m")
GRIDGOV_RATE_PUBLIC_LOOKUP_NUMBER = os.environ.get("GRIDGOV_RATE_PUBLIC_LOOKUP_NUMBER", "10/hour")
# The public address residents reach the report page at (https://gridgov.example.gov.cn), for
# the QR poster; empty: taken from the request that asks for the poster.
GRIDGOV_PUBLIC_BASE_URL = os.environ.get("GRIDGOV_PUBLIC_BASE_URL", "").rstrip("/")

# --- Accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gridgov.accounts.passwords.CharacterClassValidator"},
    {"NAME": "gridgov.accounts.passwords.NotCurrentPasswordValidator"},
]
# Lock-out (等保 level 3: lock after repeated failed logins).
GRIDGOV_LOCKOUT_THRESHOLD = env_int("GRIDGOV_LOCKOUT_THRESHOLD", 5)
GRIDGOV_LOCKOUT_WINDOW_SECONDS = env_int("GRIDGOV_LOCKOUT_WINDOW_SECONDS", 900)
GRIDGOV_LOCKOUT_SECONDS = env_int("GRIDGOV_LOCKOUT_SECONDS", 900)
# A session ends SESSION_COOKIE_AGE after sign-in (absolute, default 8 h) or after
# GRIDGOV_SESSION_IDLE_SECONDS without a request (default 30 min), whichever comes first
# (gridgov.core.middleware.SessionIdleTimeoutMiddleware); 0 turns the idle timeout off.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
GRIDGOV_SESSION_IDLE_SECONDS = env_int("GRIDGOV_SESSION_IDLE_SECONDS", 1800)
# The field terminal (/m/) signs in a device (a revocable DeviceToken row) whose session
# survives a day offline: 36 h idle, 7 days at most (docs/field.md, docs/security.md).
GRIDGOV_FIELD_SESSION_IDLE_SECONDS = env_int("GRIDGOV_FIELD_SESSION_IDLE_SECONDS", 36 * 3600)
GRIDGOV_FIELD_SESSION_AGE = env_int("GRIDGOV_FIELD_SESSION_AGE", 7 * 24 * 3600)
# How often an open page asks for new alerts (0: no alert bar) and a work queue redraws
# itself (0: only when an alert arrives). Neither counts as activity for the idle timeout.
GRIDGOV_ALERT_POLL_SECONDS = env_int("GRIDGOV_ALERT_POLL_SECONDS", 20)
GRIDGOV_QUEUE_REFRESH_SECONDS = env_int("GRIDGOV_QUEUE_REFRESH_SECONDS", 30)
# How often the big screen (/stats/screen/) polls; its polls count as activity (docs/statistics.md).
GRIDGOV_SCREEN_REFRESH_SECONDS = env_int("GRIDGOV_SCREEN_REFRESH_SECONDS", 30)
# Scheduled jobs (gridgov.core.periodic): without a broker every server process runs a
# scheduler thread ("auto"; "on"/"off" force it) that offers each job its chance every
# GRIDGOV_SCHEDULER_TICK_SECONDS; one process runs a job at a time, holding it for at most
# GRIDGOV_JOB_LEASE_SECONDS (a process that died mid-run frees it then). The intervals below
# are each job's; 0 turns a job off. With a broker, Celery beat runs the same jobs.
GRIDGOV_SCHEDULER = os.environ.get("GRIDGOV_SCHEDULER", "auto")
GRIDGOV_SCHEDULER_TICK_SECONDS = env_int("GRIDGOV_SCHEDULER_TICK_SECONDS", 15)
GRIDGOV_JOB_LEASE_SECONDS = env_int("GRIDGOV_JOB_LEASE_SECONDS", 1800)
# The modules that define scheduled jobs (each a core.periodic.Periodic named ``job``).
GRIDGOV_SCHEDULED_JOBS = [
    "gridgov.audit.autoseal", "gridgov.events.autoscan", "gridgov.patrols.autoend",
    "gridgov.party.reminders", "gridgov.needs.autorefresh", "gridgov.rules.autorun",
    "gridgov.core.autopurge", "gridgov.assess.autofreeze", "gridgov.background.autoresume",
]
# Background jobs (gridgov.background): how often the scheduler picks up jobs whose server
# restarted (0: off); GRIDGOV_BACKGROUND_MODE forces "thread", "celery" or "inline" (tests),
# else threads of the server process without a broker and Celery workers with one.
GRIDGOV_BACKGROUND_RESUME_SECONDS = env_int("GRIDGOV_BACKGROUND_RESUME_SECONDS", 30)
GRIDGOV_BACKGROUND_MODE = os.environ.get("GRIDGOV_BACKGROUND_MODE", "")
# Exports of up to this many rows are answered in the request; longer ones run as a job whose
# file is downloaded from the job's page (gridgov.background.files).
GRIDGOV_EXPORT_INLINE_ROWS = env_int("GRIDGOV_EXPORT_INLINE_ROWS", 2000)
# Idempotency records older than a day and the rows of ended throttle windows, deleted.
GRIDGOV_PURGE_SECONDS = env_int("GRIDGOV_PURGE_SECONDS", 3600)
# The previous month's assessment frozen once, early in the month (assess.autofreeze).
GRIDGOV_ASSESS_FREEZE_SECONDS = env_int("GRIDGOV_ASSESS_FREEZE_SECONDS", 3600)
# The scan for due-soon and overdue stages (events.autoscan), so the embedded default raises
# deadline alerts without Celery.
GRIDGOV_DEADLINE_SCAN_SECONDS = env_int("GRIDGOV_DEADLINE_SCAN_SECONDS", 300)
# Patrols left active for over 12 hours, ended (patrols.autoend).
GRIDGOV_PATROL_AUTOEND_SECONDS = env_int("GRIDGOV_PATROL_AUTOEND_SECONDS", 900)
# 换届 reminders (party.reminders).
GRIDGOV_PARTY_TERM_REMINDER_SECONDS = env_int("GRIDGOV_PARTY_TERM_REMINDER_SECONDS", 3600)
# New reports, visits and contact logs read into the needs figures (needs.autorefresh).
GRIDGOV_NEEDS_REFRESH_SECONDS = env_int("GRIDGOV_NEEDS_REFRESH_SECONDS", 900)
# The proactive-service rules, once per local day, checked at most this often (rules.autorun).
GRIDGOV_RULES_RUN_SECONDS = env_int("GRIDGOV_RULES_RUN_SECONDS", 3600)
# Live view (gridgov/video/live.py, docs/video.md): how long a signed link plays; where a
# camera's hls_url may point on this server's own disk ("": nowhere, except DATA_DIR/video
# on the demo server, for its sample stream); the relay's upstream timeout and segment bound.
GRIDGOV_VIDEO_LINK_SECONDS = env_int("GRIDGOV_VIDEO_LINK_SECONDS", 300)
GRIDGOV_VIDEO_LOCAL_ROOT = os.environ.get("GRIDGOV_VIDEO_LOCAL_ROOT", "")
GRIDGOV_VIDEO_FETCH_TIMEOUT = env_int("GRIDGOV_VIDEO_FETCH_TIMEOUT", 5)
GRIDGOV_VIDEO_MAX_SEGMENT_BYTES = env_int("GRIDGOV_VIDEO_MAX_SEGMENT_BYTES", 16 * 1024 * 1024)
SESSION_COOKIE_HTTPONLY = True
# SECURE_COOKIES=1 (a deployment behind HTTPS): secure cookies, redirect http to https and
# send HSTS. Off by default so the demo works over plain http on 127.0.0.1.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS",
                              365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: empty gives the built-in policy (gridgov.core.middleware).
GRIDGOV_CONTENT_SECURITY_POLICY = os.environ.get("GRIDGOV_CONTENT_SECURITY_POLICY", "")

# --- Audit ----------------------------------------------------------------------------------
# Cybersecurity Law art. 21: network logs are kept at least six months.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS must be at least 180 (Cybersecurity Law art. 21), "
        f"got {AUDIT_RETENTION_DAYS}"
    )
# The chain key: records are HMAC-chained so nobody without this key can forge a link.
# Falls back to SECRET_KEY for the demo and the tests; production must set its own.
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY") or SECRET_KEY
# Retired chain keys, newest first, comma-separated: what they signed still verifies up to the
# rotation recorded by `gridgov audit rotate-key` (docs/decisions/0001-audit-chain.md).
AUDIT_HMAC_KEYS_OLD = [key.strip() for key in os.environ.get("AUDIT_HMAC_KEYS_OLD", "").split(",")
                       if key.strip()]
# The audit log sealed (closed days, and a checkpoint of today) at most this often, in
# seconds, by the scheduled job audit.autoseal; 0 turns it off.
GRIDGOV_AUDIT_SEAL_SECONDS = env_int("GRIDGOV_AUDIT_SEAL_SECONDS", 900)
# The copy of every audit seal outside the database (JSON lines, fsync'ed after commit), which
# `gridgov audit verify` compares with the database; empty turns the copy off.
GRIDGOV_AUDIT_ANCHOR_LOG = os.environ.get("GRIDGOV_AUDIT_ANCHOR_LOG",
                                          str(DATA_DIR / "audit-anchors.jsonl"))
# PostgreSQL: the database role the audit purge runs as; the triggers honour the purge switch
# only for it (empty: nobody, the purge refuses). The purge connects as it through this URL
# when set, else switches to it with SET ROLE when the connection's user is a member.
GRIDGOV_AUDIT_PURGE_DB_ROLE = os.environ.get("GRIDGOV_AUDIT_PURGE_DB_ROLE", "")
GRIDGOV_AUDIT_PURGE_DATABASE_URL = os.environ.get("GRIDGOV_AUDIT_PURGE_DATABASE_URL", "")
if GRIDGOV_AUDIT_PURGE_DATABASE_URL:
    DATABASES["audit_purge"] = dj_database_url.parse(GRIDGOV_AUDIT_PURGE_DATABASE_URL)
    # Tests run the purge on the test database's own connection.
    DATABASES["audit_purge"]["TEST"] = {"MIRROR": "default"}
# Field-encryption keys and the lookup-hash key (gridgov/core/personal_data.py); empty: derived
# from SECRET_KEY (demo and tests only).
GRIDGOV_FIELD_KEYS = os.environ.get("GRIDGOV_FIELD_KEYS", "")
GRIDGOV_LOOKUP_KEY = os.environ.get("GRIDGOV_LOOKUP_KEY", "")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
try:
    # WhiteNoise warns on every request when the folder is missing, even when it serves from
    # the app folders (WHITENOISE_USE_FINDERS); `gridgov collectstatic` fills it for nginx.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:
    pass
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app folders so the demo needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Deployment-specific rules --------------------------------------------------------------
# Take the client address from X-Forwarded-For (only behind a proxy that sets it).
GRIDGOV_TRUST_PROXY = env_bool("GRIDGOV_TRUST_PROXY", False)
if GRIDGOV_TRUST_PROXY:
    # The proxy terminates TLS and says so; without this SECURE_SSL_REDIRECT would loop.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Office hours for deadlines counted in working hours.
GRIDGOV_WORKING_HOURS = os.environ.get("GRIDGOV_WORKING_HOURS", "08:30-12:00,13:30-17:30")
if os.environ.get("GRIDGOV_COORDINATING_DEPARTMENT"):
    # The department that settles data-sharing disputes (a Department code).
    GRIDGOV_COORDINATING_DEPARTMENT = os.environ["GRIDGOV_COORDINATING_DEPARTMENT"]

# --- Uploaded files -------------------------------------------------------------------------
# Attachments may hold personal data: they are served only through views that check scope,
# never as a public folder.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"
# Object storage (S3-compatible: MinIO, Ceph, a cloud's OSS/COS with its S3 endpoint) for the
# uploaded files, when GRIDGOV_S3_BUCKET is set (pip install "gridgov[s3]"): the bucket stays
# private and files reach a browser only through the views that check scope, which stream
# them with their own safety headers (sniffed type, nosniff, a sandbox policy) that a
# presigned bucket link could not carry. Every app server then sees the same files.
GRIDGOV_S3_BUCKET = os.environ.get("GRIDGOV_S3_BUCKET", "")
if GRIDGOV_S3_BUCKET:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": GRIDGOV_S3_BUCKET,
        "endpoint_url": os.environ.get("GRIDGOV_S3_ENDPOINT", "") or None,
        "region_name": os.environ.get("GRIDGOV_S3_REGION", "") or None,
        "access_key": os.environ.get("GRIDGOV_S3_ACCESS_KEY", "") or None,
        "secret_key": os.environ.get("GRIDGOV_S3_SECRET_KEY", "") or None,
        # Private objects; a URL of the storage itself is presigned and short-lived, though
        # no page hands one out.
        "default_acl": None, "querystring_auth": True, "querystring_expire": 60,
        "file_overwrite": False, "addressing_style": "path",
    }}
GRIDGOV_MAX_UPLOAD_BYTES = env_int("GRIDGOV_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Imports (basedata CSV/XLSX and hotline uploads): refused over these limits before saving.
GRIDGOV_MAX_IMPORT_ROWS = env_int("GRIDGOV_MAX_IMPORT_ROWS", 20_000)
GRIDGOV_HOTLINE_MAX_ROWS = env_int("GRIDGOV_HOTLINE_MAX_ROWS", 5_000)
GRIDGOV_MAX_IMPORT_UNCOMPRESSED_BYTES = env_int("GRIDGOV_MAX_IMPORT_UNCOMPRESSED_BYTES",
                                                100 * 1024 * 1024)
GRIDGOV_IMPORT_REPORT_MAX_ROWS = env_int("GRIDGOV_IMPORT_REPORT_MAX_ROWS", 1000)
# A consumer's download of granted data on the web (CSV / Excel): refused over this many rows
# (the exchange API pages through any size); the page says so and how to narrow it.
GRIDGOV_SHARING_DOWNLOAD_MAX_ROWS = env_int("GRIDGOV_SHARING_DOWNLOAD_MAX_ROWS", 50_000)

# --- Maps -----------------------------------------------------------------------------------
# Empty: the map draws the district's own polygons on a plain background (no tile server).
GRIDGOV_TILE_URL = os.environ.get("GRIDGOV_TILE_URL", "")
GRIDGOV_TILE_ATTRIBUTION = os.environ.get("GRIDGOV_TILE_ATTRIBUTION", "")
# The datum the tile server draws in: "wgs84" (Tianditu/CGCS2000, OSM) or "gcj02" (AutoNavi).
GRIDGOV_TILE_CRS = os.environ.get("GRIDGOV_TILE_CRS", "wgs84")
# The {s} values of GRIDGOV_TILE_URL's host ("abc" for a.tile…, b.tile…), and the highest
# zoom the server has tiles for (Leaflet enlarges that level's tiles beyond it).
GRIDGOV_TILE_SUBDOMAINS = os.environ.get("GRIDGOV_TILE_SUBDOMAINS", "")
GRIDGOV_TILE_MAX_ZOOM = env_int("GRIDGOV_TILE_MAX_ZOOM", 19)
# 天地图 browser key (tk): with it and no GRIDGOV_TILE_URL, every map draws Tianditu's vector
# and annotation layers (CGCS2000, drawn as WGS-84). Empty: no request goes to Tianditu.
GRIDGOV_TIANDITU_KEY = os.environ.get("GRIDGOV_TIANDITU_KEY", "")
# Seconds between checks whether another process changed the areas (point lookup index).
GRIDGOV_AREA_INDEX_TTL = env_int("GRIDGOV_AREA_INDEX_TTL", 10)
# Seconds between checks for camera changes by other processes (the nearby-camera index).
GRIDGOV_VIDEO_INDEX_TTL = env_int("GRIDGOV_VIDEO_INDEX_TTL", GRIDGOV_AREA_INDEX_TTL)
# Duplicate suggestion for reports not classified yet: radius (metres) and window (hours).
GRIDGOV_DUPLICATE_RADIUS_M = env_int("GRIDGOV_DUPLICATE_RADIUS_M", 100)
GRIDGOV_DUPLICATE_WINDOW_HOURS = env_int("GRIDGOV_DUPLICATE_WINDOW_HOURS", 72)
# Seconds a process keeps a minor class it looked up by code (intake) before asking again.
GRIDGOV_CATALOG_CACHE_TTL = env_int("GRIDGOV_CATALOG_CACHE_TTL", 10)
# Notifications: the SMS gateway (a dotted class path; the console backend logs, masked).
GRIDGOV_SMS_BACKEND = os.environ.get(
    "GRIDGOV_SMS_BACKEND", "gridgov.notifications.backends.ConsoleSMSBackend")
# Seconds a process keeps the role → permission table before reading it again.
GRIDGOV_ACCESS_CACHE_TTL = env_int("GRIDGOV_ACCESS_CACHE_TTL", 10)

# --- Background jobs ------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Celery beat runs the scheduled jobs (core.periodic) through one task, so a run under beat
# takes the same shared lock and shows on the same page as one by the scheduler thread.
def _job(name, schedule):
    return {"task": "gridgov.core.tasks.run_job", "args": [name], "schedule": schedule}


CELERY_BEAT_SCHEDULE = {
    "audit-seal": _job("audit_seal", 900.0),
    "events-scan-deadlines": _job("deadline_scan", 300.0),
    "core-purge": _job("purge", 3600.0),
    # The previous month's assessment, frozen on the 1st at 02:00 (local time).
    "assess-freeze-previous-month": _job("assess_freeze",
                                         crontab(minute=0, hour=2, day_of_month=1)),
    # Patrols left active for over 12 hours, ended at their last point.
    "patrols-end-stale": _job("patrol_autoend", 900.0),
    # Party organisations whose term ends within 90 days: each secretary told once.
    "party-term-reminders": _job("party_term_reminders", crontab(minute=30, hour=7)),
    # 需求分析: read new reports, visits and contact logs into the needs figures.
    "needs-refresh": _job("needs_refresh", 900.0),
    # The proactive-service rules, nightly at 01:30 (a day already run is skipped).
    "rules-run-nightly": _job("rules_run", crontab(minute=30, hour=1)),
    # Background jobs whose worker stopped, queued again.
    "background-resume": _job("background_resume", 60.0),
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gridgov.accounts.api.authentication.ApiKeyAuthentication",
        "gridgov.accounts.api.device_auth.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["gridgov.core.access.drf.RequirePermission"],
    # GRIDGOV_RATE_API / GRIDGOV_RATE_API_ANON, counted across processes (Redis or database).
    "DEFAULT_THROTTLE_CLASSES": ["gridgov.core.api_throttle.PrincipalRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        # ?updated_since= on every list whose model has updated_at (delta sync).
        "gridgov.core.filters.UpdatedSinceFilter",
    ],
    # Limit/offset as before, plus ?cursor= keyset paging.
    "DEFAULT_PAGINATION_CLASS": "gridgov.core.pagination.GridGovPagination",
    # JSON with a nesting limit and no NUL characters (400, not 500); forms as DRF's own.
    "DEFAULT_PARSER_CLASSES": [
        "gridgov.core.middleware.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "gridgov.core.schema.PermissionAutoSchema",
    "EXCEPTION_HANDLER": "gridgov.core.api.exception_handler",
}
# The day (ISO date, UTC) from which the deprecated unversioned /api/ alias of /api/v1/ may
# stop answering: sent as its Sunset header (docs/api.md: at least 12 months after 2026-12-01).
GRIDGOV_API_ALIAS_SUNSET = os.environ.get("GRIDGOV_API_ALIAS_SUNSET", "2027-12-01")
SPECTACULAR_SETTINGS = {
    "TITLE": "GridGov API",
    "DESCRIPTION": (
        "网格化基层社会治理平台 API. Coordinates are WGS-84 unless `crs=gcj02` is given. "
        "This is version 1 (`/api/v1/`); the unversioned `/api/` paths are a deprecated alias "
        "answering with `Deprecation` and `Sunset` headers (docs/api.md: versions live at least "
        "12 months after their successor is published)."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Only /api/v1/ is listed (the unversioned /api/ alias is the same operations again);
    # tags and operation ids are taken after the version, so they stay the same in v2.
    "PREPROCESSING_HOOKS": ["gridgov.core.versioning.only_current_version"],
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Departments and areas both have a "kind"; name the department's enum apart.
    "ENUM_NAME_OVERRIDES": {"DepartmentKindEnum": "gridgov.accounts.choices.DepartmentKind",
                            "LayerGeometryTypeEnum": "gridgov.gis.choices.GeometryType"},
    # Document the 400/401/403/404 error answers every endpoint can give (gridgov.core.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Before the error answers: the header it adds makes every write answer 400 too.
        "gridgov.core.idempotency.add_idempotency_header",
        "gridgov.core.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Every audit seal as a JSON line, for a log shipper or syslog (a copy outside the database).
    "loggers": {"gridgov.audit.anchors": {"level": "INFO"}},
}
