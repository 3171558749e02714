"""Shared test fixtures: the Haishu demo district, loaded once per test session.

``django_db_setup`` creates the test database as usual and then loads the demo district
(areas, departments, users) through ``gridgov.demo.load_demo``, so every test starts from the
same realistic data and each ``db`` test rolls back to it. Tests that flush the database
(``transaction=True``) get the demo loaded again before the next test needs it.

Named fixtures give the areas and the demo users of docs/architecture.md; ``client_as(user)``
and ``api_as(user)`` sign a user in (administrators with their TOTP step already passed).
"""

import os
import shutil
from pathlib import Path

import pytest

from gridgov.demo.users import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRETS,
    DISTRICT,
    GAOQIAO_GRID,
    GULOU_COMMUNITY,
    GULOU_GRID,
    GULOU_GRID2,
    GULOU_STREET,
)

# The demo passwords are hashed with a fast hasher in tests: PBKDF2 at Django's production
# cost takes about a second per user on a small machine, which only slows the suite down.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load_demo():
    from gridgov.demo import load_demo

    return load_demo()


def _demo_present() -> bool:
    from gridgov.accounts.models import User
    from gridgov.areas.models import Area

    return (
        Area.objects.filter(code=GAOQIAO_GRID).exists()
        and User.objects.filter(username="auditadmin").exists()
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The default test database, with the Haishu demo district loaded once."""
    from django.test.utils import override_settings

    # For the whole session (override_settings also clears Django's hasher caches).
    override_settings(PASSWORD_HASHERS=FAST_HASHERS).enable()
    with django_db_blocker.unblock():
        _load_demo()


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploaded files of the whole test session go to a temporary folder, not the tree."""
    from django.test.utils import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


# Throttles a test could trip over by sending many requests from one address (the API, the
# protocols, sign-in, imports): off for the whole suite; the throttle tests set tiny limits of
# their own. Counts go to the database (rolled back with each test) even when REDIS_URL is set.
THROTTLES_OFF = {
    "GRIDGOV_THROTTLE_STORE": "db",
    "GRIDGOV_RATE_SIGNIN_IP": "0",
    "GRIDGOV_RATE_API": "0",
    "GRIDGOV_RATE_API_ANON": "0",
    "GRIDGOV_RATE_OPEN311": "0",
    "GRIDGOV_RATE_OPEN311_ANON": "0",
    "GRIDGOV_RATE_CKAN": "0",
    "GRIDGOV_RATE_CKAN_ANON": "0",
    "GRIDGOV_RATE_OGCAPI": "0",
    "GRIDGOV_RATE_OGCAPI_ANON": "0",
    "GRIDGOV_RATE_IMPORT": "0",
    "GRIDGOV_RATE_EXPORT": "0",
}


# Open pages poll for alerts and redraw their queues by themselves; in a browser test that
# would put the server's requests on the database connection it shares with the test at
# moments the test does not choose. Tests of those features turn them on.
# The server's own deadline scan (events.autoscan) likewise stays off unless a test wants it.
BACKGROUND_OFF = {"GRIDGOV_ALERT_POLL_SECONDS": 0, "GRIDGOV_QUEUE_REFRESH_SECONDS": 0,
                  "GRIDGOV_DEADLINE_SCAN_SECONDS": 0, "GRIDGOV_PATROL_AUTOEND_SECONDS": 0,
                  "GRIDGOV_PARTY_TERM_REMINDER_SECONDS": 0, "GRIDGOV_NEEDS_REFRESH_SECONDS": 0,
                  "GRIDGOV_RULES_RUN_SECONDS": 0, "GRIDGOV_PURGE_SECONDS": 0,
                  "GRIDGOV_ASSESS_FREEZE_SECONDS": 0, "GRIDGOV_SCHEDULER": "off",
                  "GRIDGOV_BACKGROUND_RESUME_SECONDS": 0, "GRIDGOV_BACKGROUND_MODE": "inline"}


@pytest.fixture(scope="session", autouse=True)
def _throttles_off():
    from django.test.utils import override_settings

    with override_settings(**THROTTLES_OFF, **BACKGROUND_OFF):
        yield


@pytest.fixture(autouse=True)
def _throttle_window_just_begun(monkeypatch):
    """Windows are fixed to the clock (a minute ends at :00): a test counting "three posts, the
    third refused" would pass the third if a minute ended between them. The throttle's clock
    starts each test one second into an hour, so no window (minute, 10 or 15 minutes, hour)
    ends during it; time still runs, so expiry and Retry-After behave as they do live."""
    import time

    from gridgov.core import throttle

    real = time.time()
    shift = (real // 3600 + 1) * 3600 + 1 - real
    monkeypatch.setattr(throttle, "_clock", lambda: time.time() + shift)


@pytest.fixture(autouse=True)
def _fresh_catalog_cache():
    """A rolled-back test leaves no trace in the database, but may in the per-process cache
    of minor classes (a class it changed, then reported under): start every test without."""
    from gridgov.events import catalog_cache

    catalog_cache.invalidate()
    yield


@pytest.fixture(autouse=True)
def _chinese_after_each_test():
    """A request in English leaves English active in this thread; later tests expect Chinese."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


@pytest.fixture(autouse=True)
def _demo_loaded(request, django_db_blocker):
    """Reload the demo when a ``transaction=True`` test has flushed the database."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        DB_FIXTURES & set(request.fixturenames)
    )
    if uses_db:
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            if not _demo_present():
                _load_demo()


@pytest.fixture(autouse=True)
def _fresh_access_table(request, django_db_blocker, _demo_loaded):
    """Every test starts from the role → permission table as the database has it: a test
    that changed it rolled back its rows, but not this process's cache. Read at once, so a
    query-count guard inside the test counts the same whatever ran before."""
    from gridgov.core.access import grants

    grants._cached[:] = [None, 0.0]
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        DB_FIXTURES & set(request.fixturenames)
    )
    if uses_db:
        with django_db_blocker.unblock():
            grants.table()
    yield
    grants._cached[:] = [None, 0.0]


# --- areas ----------------------------------------------------------------------------------


def _area(code):
    from gridgov.areas.models import Area

    return Area.objects.get(code=code)


@pytest.fixture
def district(db):
    """海曙区 (330203)."""
    return _area(DISTRICT)


@pytest.fixture
def gulou_street(db):
    """鼓楼街道 (330203005)."""
    return _area(GULOU_STREET)


@pytest.fixture
def gaoqiao_town(db):
    """高桥镇 (330203101)."""
    return _area("330203101")


@pytest.fixture
def gulou_community(db):
    """The first community of 鼓楼街道 (330203005001)."""
    return _area(GULOU_COMMUNITY)


@pytest.fixture
def gulou_grid(db):
    """The first grid of that community (330203005001001), gw_gulou's grid."""
    return _area(GULOU_GRID)


@pytest.fixture
def gulou_grid2(db):
    """The second grid of that community (330203005001002), gw_gulou2's grid."""
    return _area(GULOU_GRID2)


@pytest.fixture
def other_street(db):
    """南门街道 (330203001): a street none of the 鼓楼 users can see into."""
    return _area("330203001")


# --- demo users -----------------------------------------------------------------------------


def _user(username):
    from gridgov.accounts.models import User

    return User.objects.get(username=username)


def _user_fixture(username, doc):
    @pytest.fixture
    def fixture(db):
        return _user(username)

    fixture.__doc__ = doc
    return fixture


grid_worker = _user_fixture("gw_gulou", "网格员 of 330203005001001.")
grid_worker2 = _user_fixture("gw_gulou2", "网格员 of 330203005001002.")
rural_grid_worker = _user_fixture("gw_gaoqiao", "网格员 of 330203101201001 (高桥镇).")
grid_chief = _user_fixture("gc_gulou", "网格长 of 330203005001.")
grid_instructor = _user_fixture("gi_gulou", "网格指导员 of 330203005001.")
intake_clerk = _user_fixture("clerk_gulou", "受理员 of 鼓楼街道.")
shift_leader = _user_fixture("shift_gulou", "值班长 of 鼓楼街道.")
dispatcher = _user_fixture("dispatch_gulou", "派遣员 of 鼓楼街道.")
leader = _user_fixture("leader_gulou", "领导 of 鼓楼街道.")
district_leader = _user_fixture("leader_district", "领导 of 海曙区.")
dept_handler = _user_fixture("handler_zhifa", "部门处置员, 区综合行政执法局.")
dept_admin = _user_fixture("deptadmin_zhifa", "部门管理员, 区综合行政执法局.")
data_officer = _user_fixture("data_minzheng", "数据专员, 区民政局.")
sys_admin = _user_fixture("sysadmin", "系统管理员 (TOTP).")
sec_admin = _user_fixture("secadmin", "安全管理员 (TOTP).")
audit_admin = _user_fixture("auditadmin", "审计管理员 (TOTP).")


@pytest.fixture
def demo_password():
    """The password of every demo user."""
    return DEMO_PASSWORD


@pytest.fixture
def totp_secrets():
    """The fixed TOTP secrets of the three demo administrators, by user name."""
    return dict(DEMO_TOTP_SECRETS)


# --- signed-in clients ----------------------------------------------------------------------


def _pass_second_factor(client, user) -> None:
    """Mark the session as past the TOTP step when the user is an administrator."""
    from gridgov.accounts.middleware import SESSION_FLAG, needs_second_factor

    if needs_second_factor(user):
        session = client.session
        session[SESSION_FLAG] = True
        session.save()


@pytest.fixture
def client_as(db):
    """``client_as(user)``: a Django test Client signed in as ``user``."""
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        _pass_second_factor(client, user)
        return client

    return make


@pytest.fixture
def api_as(db):
    """``api_as(user)``: a DRF APIClient authenticated as ``user`` (session signed in too, so
    the second-factor middleware sees the administrator's passed TOTP step)."""
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.force_login(user)
        _pass_second_factor(client, user)
        client.force_authenticate(user=user)
        return client

    return make


# --- browser tests (``-m browser``): Debian's chromium driven by Playwright -----------------

CHROMIUM = os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def server_url():
    """A live server on the test's own database connection (see core.testing)."""
    from gridgov.core.testing import shared_connection_server

    with shared_connection_server() as url:
        yield url


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread, where Django then refuses
    # database calls: tests ask for their database fixtures before this one.
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"chromium not found at {CHROMIUM}")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    test_connection = connections["default"]
    with sync_playwright() as p:
        # With Playwright's event loop running in this thread, Django's per-context
        # connection handler would open a second connection, outside the test's transaction
        # (SQLite then reports its tables locked): keep the test's own connection.
        connections["default"] = test_connection
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking"],
        )
        try:
            yield chromium
        finally:
            chromium.close()
