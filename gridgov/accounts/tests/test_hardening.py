"""Sign-in hardening (issue 9, item 12): single-use TOTP codes and no reuse of the current
password."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from gridgov.accounts import actions, totp
from gridgov.accounts.middleware import SESSION_FLAG

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOTP = "/accounts/totp/"


def _sign_in(user):
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    return client


def test_a_totp_code_is_accepted_once_on_the_sign_in_page(audit_admin):
    secret = actions.enroll_totp(audit_admin, actor=None)
    code = totp.current_code(secret)
    assert actions.confirm_totp(audit_admin, code, actor=None)  # enrolment, outside a request
    first = _sign_in(audit_admin)
    first.post(TOTP, {"code": code})
    assert first.session.get(SESSION_FLAG) is True
    # The same code again (a shoulder-surfer, a replayed request) within its window.
    second = _sign_in(audit_admin)
    response = second.post(TOTP, {"code": code})
    assert response.status_code == 200
    assert not second.session.get(SESSION_FLAG)
    assert second.get("/").status_code == 302


def test_single_use_codes_refuse_the_same_or_an_earlier_step():
    secret = totp.new_secret()
    now = time.time()
    with totp.single_use_codes():
        assert totp.verify(secret, totp.current_code(secret, now))
        assert not totp.verify(secret, totp.current_code(secret, now))
        assert not totp.verify(secret, totp.current_code(secret, now - totp.INTERVAL))
    # Another secret (another user) is not affected.
    other = totp.new_secret()
    assert totp.verify(other, totp.current_code(other), single_use=True)


def test_setting_the_current_password_again_is_refused(grid_worker):
    with pytest.raises(ValidationError) as caught:
        actions.set_password(grid_worker, PASSWORD, actor=grid_worker)
    assert "不能与当前密码相同" in str(caught.value)
    grid_worker.refresh_from_db()
    assert grid_worker.check_password(PASSWORD)


def test_password_page_says_the_new_password_is_the_current_one(grid_worker, client_as):
    response = client_as(grid_worker).post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 200
    assert "新密码不能与当前密码相同" in response.content.decode()
