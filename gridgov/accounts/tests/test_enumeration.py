"""A guesser cannot tell from the sign-in page whether a name exists or is locked.

A locked existing account, an unknown name and a wrong password get the same status, the same
page (apart from the CSRF token) and spend one password hash each (the same timing class)."""

import re
from unittest import mock

import pytest
from django.contrib.auth import hashers
from django.test import Client

from gridgov.accounts import lockout

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
# The CSRF token appears as the form's hidden field and in the page's htmx headers.
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    settings.GRIDGOV_LOCKOUT_THRESHOLD = 3
    settings.GRIDGOV_LOCKOUT_WINDOW_SECONDS = 600
    settings.GRIDGOV_LOCKOUT_SECONDS = 900


def attempt(username, password):
    """One sign-in from a fresh client: status, page without its CSRF token, hashes spent."""
    spent = []
    real = hashers.PBKDF2PasswordHasher.encode

    def counting(self, *args, **kwargs):
        spent.append(1)
        return real(self, *args, **kwargs)

    with mock.patch.object(hashers.PBKDF2PasswordHasher, "encode", counting):
        response = Client().post(LOGIN, {"username": username, "password": password})
    return response.status_code, CSRF.sub("", response.content.decode()), len(spent)


@pytest.fixture
def hashed_by_pbkdf2(settings):
    # The test settings may use a fast hasher; count a real PBKDF2 hash on every path.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def test_locked_unknown_and_wrong_password_answer_alike(grid_worker, grid_worker2,
                                                         hashed_by_pbkdf2):
    locked = grid_worker2
    for _ in range(3):
        lockout.register_failure(locked.username)
    assert lockout.is_locked(locked.username)

    wrong = attempt(grid_worker.username, "wrong-password")
    unknown = attempt("t_nobody_at_all", "wrong-password")
    locked_right = attempt(locked.username, PASSWORD)
    locked_wrong = attempt(locked.username, "wrong-password")

    # The user name is echoed back into its field; blank it to compare the rest of the page.
    def page(result, username):
        return result[1].replace(f'value="{username}"', 'value=""')

    assert wrong[0] == unknown[0] == locked_right[0] == locked_wrong[0] == 200
    assert page(wrong, grid_worker.username) == page(unknown, "t_nobody_at_all")
    assert page(wrong, grid_worker.username) == page(locked_right, locked.username)
    assert page(locked_right, locked.username) == page(locked_wrong, locked.username)
    assert "账号已锁定" not in locked_right[1]
    # Each path hashes the offered password once: none answers measurably faster.
    assert wrong[2] == unknown[2] == locked_right[2] == locked_wrong[2] == 1


def test_address_throttle_keeps_its_own_message(grid_worker, settings):
    # The per-address limit does not depend on the account, so it may say what it is.
    settings.GRIDGOV_RATE_SIGNIN_IP = "1/15m"
    client = Client()
    client.post(LOGIN, {"username": grid_worker.username, "password": "wrong-password"})
    response = client.post(LOGIN, {"username": "t_nobody", "password": "wrong-password"})
    assert response.status_code == 429
    assert "该地址登录失败次数过多" in response.content.decode()
