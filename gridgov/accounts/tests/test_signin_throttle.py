"""Sign-in limits shared by every process (issue 9, item 8): failed sign-ins per client address
across user names, and TOTP codes spent for every worker, not just the one that saw them."""

import time

import pytest
from django.core.cache import cache
from django.test import Client

from gridgov.accounts import totp
from gridgov.accounts.models import LoginFailure
from gridgov.audit.models import AuditRecord

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def signin_rate(settings):
    # The shipped default (the suite turns it off in gridgov/conftest.py).
    settings.GRIDGOV_RATE_SIGNIN_IP = "20/15m"
    settings.GRIDGOV_LOCKOUT_THRESHOLD = 5


def test_spraying_100_user_names_from_one_address_is_stopped_after_20():
    """The probe: 100 failed sign-ins over 100 user names, each name below its lock-out
    threshold. 20 are checked; the other 80 get 429 and no password is looked at. The count
    lives outside the process: the per-process cache is emptied before every attempt."""
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses, retry_after = [], set()
    for i in range(100):
        cache.clear()
        response = client.post(LOGIN, {"username": f"spray{i:03d}", "password": "Guess#2026"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            retry_after.add(int(response["Retry-After"]))
            text = response.content.decode()
    assert statuses == [200] * 20 + [429] * 80
    assert "该地址登录失败次数过多" in text and "分钟后再试" in text
    assert all(0 < seconds <= 900 for seconds in retry_after)
    # Only the 20 checked attempts reached the password check and the per-name count.
    assert LoginFailure.objects.filter(username__startswith="spray").count() == 20
    throttled = AuditRecord.objects.filter(action="accounts.signin_throttled")
    assert throttled.count() == 1
    assert throttled.get().object_id == "203.0.113.7"


def test_a_throttled_address_is_refused_even_the_right_password(grid_worker, settings):
    settings.GRIDGOV_RATE_SIGNIN_IP = "3/15m"
    client = Client(REMOTE_ADDR="203.0.113.8")
    for i in range(3):
        client.post(LOGIN, {"username": f"nobody{i}", "password": "x"})
    response = client.post(LOGIN, {"username": grid_worker.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    other = Client(REMOTE_ADDR="203.0.113.9")
    response = other.post(LOGIN, {"username": grid_worker.username, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in other.session


def test_successful_sign_ins_do_not_use_the_limit(grid_worker, settings):
    """An office behind one address signs in all morning: only failures count."""
    settings.GRIDGOV_RATE_SIGNIN_IP = "3/15m"
    for _ in range(10):
        client = Client(REMOTE_ADDR="203.0.113.10")
        response = client.post(LOGIN, {"username": grid_worker.username, "password": PASSWORD})
        assert response.status_code == 302
    client.post(LOGIN, {"username": grid_worker.username, "password": "wrong"})
    response = client.post(LOGIN, {"username": grid_worker.username, "password": PASSWORD})
    assert response.status_code == 302


def test_ipv6_clients_count_per_64_block(settings):
    settings.GRIDGOV_RATE_SIGNIN_IP = "2/15m"
    for host in ("2001:db8:7:1::a", "2001:db8:7:1::b"):
        Client(REMOTE_ADDR=host).post(LOGIN, {"username": "x", "password": "y"})
    response = Client(REMOTE_ADDR="2001:db8:7:1::c").post(LOGIN, {"username": "x", "password": "y"})
    assert response.status_code == 429
    other = Client(REMOTE_ADDR="2001:db8:7:2::a").post(LOGIN, {"username": "x", "password": "y"})
    assert other.status_code == 200


def test_a_totp_code_spent_in_one_worker_is_refused_in_another():
    """Claims are on the shared store: an empty per-process cache (another worker) still
    refuses a code already accepted, and an older code after a newer one."""
    secret = totp.new_secret()
    now = time.time()
    with totp.single_use_codes():
        assert totp.verify(secret, totp.current_code(secret, now))
        cache.clear()
        assert not totp.verify(secret, totp.current_code(secret, now))
        cache.clear()
        assert not totp.verify(secret, totp.current_code(secret, now - totp.INTERVAL))
