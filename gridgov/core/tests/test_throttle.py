"""The shared counter (gridgov.core.throttle): windows, limits, hashing, claims, purge, and one
count across processes and connections on SQLite, PostgreSQL and Redis."""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from gridgov.core import throttle
from gridgov.core.context import request_context
from gridgov.core.models import RateCounter

from .throttle_worker import WINDOW

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]
REDIS_URL = "redis://127.0.0.1:6379/15"
T0 = 1_800_000_000.0  # a window boundary for windows of 60, 600 and 900 s


def test_parse_rate():
    assert throttle.parse_rate("20/15m") == throttle.Rate(20, 900)
    assert throttle.parse_rate("600/min") == throttle.Rate(600, 60)
    assert throttle.parse_rate(" 30 / hour ") == throttle.Rate(30, 3600)
    assert throttle.parse_rate("5/10min") == throttle.Rate(5, 600)
    assert throttle.parse_rate("1/d") == throttle.Rate(1, 86400)
    for off in ("", "0", "off", None, "0/min"):
        assert throttle.parse_rate(off) is None
    for bad in ("20", "20/fortnight", "x/min", "20/0m"):
        with pytest.raises(ImproperlyConfigured):
            throttle.parse_rate(bad)


def test_limit_window_and_retry_after():
    decisions = [throttle.hit("t-basic", "1.2.3.4", limit=3, window=600, now=T0 + 60)
                 for _ in range(4)]
    assert [d.count for d in decisions] == [1, 2, 3, 4]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after == 540 and decisions[-1].retry_minutes == 9
    # Another client has its own count; the next window starts afresh.
    assert throttle.hit("t-basic", "1.2.3.5", limit=3, window=600, now=T0 + 61).count == 1
    assert throttle.hit("t-basic", "1.2.3.4", limit=3, window=600, now=T0 + 600).count == 1


def test_no_personal_data_in_the_table():
    throttle.hit("t-hash", "13800138000", limit=5, window=60, now=T0)
    throttle.hit("t-hash", "gw_gulou", limit=5, window=60, now=T0)
    keys = list(RateCounter.objects.filter(key__startswith="t-hash:").values_list("key", flat=True))
    assert len(keys) == 2
    assert all("13800138000" not in k and "gw_gulou" not in k and len(k) == 47 for k in keys)


def test_refund_takes_back_one_count():
    for _ in range(3):
        throttle.hit("t-refund", "k", limit=2, window=600, now=T0)
    throttle.refund("t-refund", "k", window=600, now=T0)
    assert throttle.hit("t-refund", "k", limit=2, window=600, now=T0).count == 3
    # Never below zero, and nothing for a window that has no row yet.
    for _ in range(5):
        throttle.refund("t-refund", "k", window=600, now=T0)
    throttle.refund("t-refund", "k", window=600, now=T0 + 600)
    assert throttle.hit("t-refund", "k", limit=2, window=600, now=T0).count == 1
    assert throttle.hit("t-refund", "k", limit=2, window=600, now=T0 + 600).count == 1


def test_claim_once_until_it_expires():
    assert throttle.claim_once("totp:abc:7", 90, now=T0)
    assert not throttle.claim_once("totp:abc:7", 90, now=T0 + 1)
    assert throttle.claim_once("totp:abc:8", 90, now=T0 + 1)
    assert not throttle.claim_once("totp:abc:7", 90, now=T0 + 89)
    assert throttle.claim_once("totp:abc:7", 90, now=T0 + 91)


def test_check_reads_the_operators_rate(settings):
    settings.GRIDGOV_RATE_API_ANON = "2/min"
    assert [throttle.check("api-anon", "a", now=T0).allowed for _ in range(3)] == [
        True, True, False]
    settings.GRIDGOV_RATE_API_ANON = "0"
    assert throttle.check("api-anon", "a", now=T0) == throttle.UNLIMITED
    # The off switch counts nothing: the row still holds the three counted hits.
    assert RateCounter.objects.filter(key__startswith="api-anon:").get().count == 3


def test_purge_deletes_ended_windows_only():
    throttle.hit("t-purge", "old", limit=5, window=60, now=T0)
    throttle.hit("t-purge", "new", limit=5, window=60, now=T0 + 120)
    throttle.claim_once("t-purge-claim", 30, now=T0)
    assert throttle.purge_expired(now=T0 + 100) == 2
    assert list(RateCounter.objects.filter(key__startswith="t-purge:")
                .values_list("window_start", flat=True)) == [T0 + 120]


def test_first_hit_of_a_window_purges_at_most_once_a_minute(monkeypatch):
    monkeypatch.setattr(throttle, "_last_purge", [0.0])
    throttle.hit("t-auto", "a", limit=5, window=60, now=T0)
    throttle.hit("t-auto", "b", limit=5, window=60, now=T0 + 200)  # purges a's row
    assert not RateCounter.objects.filter(key__startswith="t-auto:", window_start=T0).exists()
    throttle.hit("t-auto", "c", limit=5, window=60, now=T0 + 201)
    throttle.hit("t-auto", "d", limit=5, window=60, now=T0 + 230)  # within the minute: kept
    assert RateCounter.objects.filter(key__startswith="t-auto:").count() == 3


def test_client_address_counts_ipv6_per_64_block(rf):
    with request_context(client_ip="2001:db8:1:2:aaaa::1"):
        assert throttle.client_address() == "2001:db8:1:2::/64"
    with request_context(client_ip="::ffff:10.1.2.3"):
        assert throttle.client_address() == "10.1.2.3"
    with request_context(client_ip=""):
        assert throttle.client_address(rf.get("/", REMOTE_ADDR="10.9.8.7")) == "10.9.8.7"


def test_the_count_does_not_live_in_the_process_cache():
    """LocMemCache is per process: clearing it (another worker) must not reset a count."""
    for _ in range(3):
        throttle.hit("t-cache", "ip", limit=3, window=600, now=T0)
        cache.clear()
    assert not throttle.hit("t-cache", "ip", limit=3, window=600, now=T0).allowed


def test_redis_failure_falls_back_to_the_database(settings):
    settings.GRIDGOV_THROTTLE_STORE = "redis"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    throttle._clients.clear()
    try:
        assert throttle.hit("t-fallback", "k", limit=1, window=600, now=T0).allowed
        assert not throttle.hit("t-fallback", "k", limit=1, window=600, now=T0).allowed
    finally:
        throttle._clients.clear()
    assert RateCounter.objects.filter(key__startswith="t-fallback:").get().count == 2


# --- across processes -------------------------------------------------------------------------


def _run_workers(env, key, *, limit, processes=2, threads=3, hits=7):
    command = [sys.executable, "-m", "gridgov.core.tests.throttle_worker", key, str(limit),
               str(threads), str(hits), str(time.time())]
    running = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(processes)]
    results = []
    for proc in running:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    errors = [e for r in results for e in r["errors"]]
    assert not errors, errors
    counts = sorted(c for r in results for c in r["counts"])
    return counts, sum(r["allowed"] for r in results)


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def _database_env(tmp_path):
    """Settings for workers on a database of their own (SQLite: a file) or on this test's
    PostgreSQL database (rows they commit are deleted by the test)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{tmp_path}/shared.sqlite3"
        env = _env(DATABASE_URL=url, GRIDGOV_DATA_DIR=str(tmp_path), GRIDGOV_THROTTLE_STORE="db")
        subprocess.run([sys.executable, "-m", "gridgov.core.tests.throttle_worker", "--create"],
                       cwd=REPO, env=env, check=True, timeout=120)
        return env
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return _env(DATABASE_URL=url, GRIDGOV_THROTTLE_STORE="db")


def _delete_committed_rows(env):
    if connection.vendor != "postgresql":
        return
    code = ("import django; django.setup(); from gridgov.core.models import RateCounter; "
            "RateCounter.objects.filter(key__startswith='test-shared:').delete()")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120,
                   env={**env, "DJANGO_SETTINGS_MODULE": "gridgov.settings"})


def test_one_count_across_processes_and_connections_in_the_database(tmp_path):
    """Two processes of three threads (six connections) hit one key 42 times with limit 14:
    every count from 1 to 42 is seen once, and exactly 14 hits pass."""
    env = _database_env(tmp_path)
    try:
        counts, allowed = _run_workers(env, uuid.uuid4().hex, limit=14)
    finally:
        _delete_committed_rows(env)
    assert counts == list(range(1, 43))
    assert allowed == 14


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


def test_one_count_across_processes_in_redis(tmp_path):
    if not _redis_reachable():
        pytest.skip(f"no Redis at {REDIS_URL}")
    env = _env(REDIS_URL=REDIS_URL, GRIDGOV_THROTTLE_STORE="redis",
               DATABASE_URL=f"sqlite:///{tmp_path}/unused.sqlite3",
               GRIDGOV_DATA_DIR=str(tmp_path))
    counts, allowed = _run_workers(env, uuid.uuid4().hex, limit=14)
    assert counts == list(range(1, 43))
    assert allowed == 14


def test_redis_store_counts_refunds_and_claims(settings):
    if not _redis_reachable():
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.GRIDGOV_THROTTLE_STORE = "redis"
    settings.REDIS_URL = REDIS_URL
    key, now = uuid.uuid4().hex, time.time()
    assert [throttle.hit("t-redis", key, limit=2, window=WINDOW, now=now).allowed
            for _ in range(3)] == [True, True, False]
    throttle.refund("t-redis", key, window=WINDOW, now=now)
    assert throttle.hit("t-redis", key, limit=2, window=WINDOW, now=now).count == 3
    assert throttle.claim_once(key, 5) and not throttle.claim_once(key, 5)
    # Nothing went to the database.
    assert not RateCounter.objects.filter(key__startswith="t-redis:").exists()
