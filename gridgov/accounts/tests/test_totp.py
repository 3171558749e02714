"""The TOTP second factor the three administrator roles must pass, on pages and the API."""

import time

import pytest
from django.test import Client

from gridgov.accounts import actions, totp
from gridgov.accounts.middleware import SESSION_FLAG
from gridgov.audit.models import AuditRecord

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

ADMINS = ["sys_admin", "sec_admin", "audit_admin"]
TOTP = "/accounts/totp/"


def wrong_code(secret) -> str:
    now = {totp.current_code(secret, time.time() + d) for d in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in now)


def test_totp_verify_accepts_current_code_and_rejects_others():
    secret = totp.new_secret()
    assert totp.valid_secret(secret)
    assert totp.verify(secret, totp.current_code(secret))
    code = totp.current_code(secret)
    assert totp.verify(secret, f"{code[:3]} {code[3:]}")
    assert not totp.verify(secret, wrong_code(secret))
    assert not totp.verify(secret, "12345")
    assert not totp.verify(secret, "abcdef")
    assert not totp.verify("", code)
    uri = totp.provisioning_uri("sysadmin", secret)
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri


@pytest.mark.parametrize("who", ADMINS)
def test_admin_pages_wait_for_the_second_factor(request, who, client_as):
    admin = request.getfixturevalue(who)
    client = client_as(admin, second_factor=False)
    for path in ("/", "/accounts/users/", "/accounts/password/", "/accounts/api-keys/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(TOTP + "?next="), path
    # The TOTP page itself, and signing out, stay open.
    assert client.get(TOTP).status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


@pytest.mark.parametrize("who", ADMINS)
def test_admin_api_answers_403_second_factor_required(request, who, api_as):
    admin = request.getfixturevalue(who)
    response = api_as(admin, second_factor=False).get("/api/me/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "second_factor_required"
    assert api_as(admin).get("/api/me/").status_code == 200


@pytest.mark.parametrize("who", ["grid_worker", "leader", "dept_admin", "data_officer"])
def test_other_roles_need_no_second_factor(request, who, client_as, api_as):
    user = request.getfixturevalue(who)
    client = client_as(user, second_factor=False)
    assert client.get("/").status_code == 200
    response = client.get(TOTP)
    assert response.status_code == 302 and not response["Location"].startswith(TOTP)
    assert api_as(user, second_factor=False).get("/api/me/").status_code == 200


def test_admin_enrols_and_verifies_through_the_pages(sys_admin):
    client = Client()
    response = client.post("/accounts/login/", {"username": sys_admin.username,
                                                "password": PASSWORD, "next": "/accounts/users/"})
    assert response.status_code == 302
    assert response["Location"] == TOTP + "?next=/accounts/users/"
    page = client.get(response["Location"])
    text = page.content.decode()
    sys_admin.refresh_from_db()
    secret = sys_admin.totp_secret
    assert secret and not sys_admin.totp_confirmed
    assert secret in text
    assert "otpauth://totp/" in text
    # A wrong code is refused and counted.
    bad = client.post(TOTP + "?next=/accounts/users/", {"code": wrong_code(secret)})
    assert bad.status_code == 200 and "动态口令不正确" in bad.content.decode()
    assert not client.session.get(SESSION_FLAG)
    good = client.post(TOTP, {"code": totp.current_code(secret), "next": "/accounts/users/"})
    assert good.status_code == 302 and good["Location"] == "/accounts/users/"
    assert client.session.get(SESSION_FLAG) is True
    assert client.get("/accounts/users/").status_code == 200
    sys_admin.refresh_from_db()
    assert sys_admin.totp_confirmed
    logged = set(AuditRecord.objects.filter(object_type="accounts.user",
                                            object_id=str(sys_admin.pk))
                 .values_list("action", flat=True))
    assert {"accounts.login", "accounts.totp_enrolled", "accounts.totp_failed",
            "accounts.totp_confirmed"} <= logged


def test_enrolled_admin_sees_no_secret_and_each_sign_in_asks_again(audit_admin):
    secret = actions.enroll_totp(audit_admin, actor=None)
    assert actions.confirm_totp(audit_admin, totp.current_code(secret), actor=None)
    client = Client()
    client.post("/accounts/login/", {"username": audit_admin.username, "password": PASSWORD})
    page = client.get(TOTP)
    assert secret not in page.content.decode()
    client.post(TOTP, {"code": totp.current_code(secret)})
    assert client.session.get(SESSION_FLAG)
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": audit_admin.username, "password": PASSWORD})
    assert not client.session.get(SESSION_FLAG)
    assert client.get("/").status_code == 302


def test_wrong_codes_lock_the_account_and_sign_out(sec_admin, settings):
    settings.GRIDGOV_LOCKOUT_THRESHOLD = 3
    secret = actions.enroll_totp(sec_admin, actor=None)
    actions.confirm_totp(sec_admin, totp.current_code(secret), actor=None)
    client = Client()
    client.post("/accounts/login/", {"username": sec_admin.username, "password": PASSWORD})
    for _ in range(2):
        client.post(TOTP, {"code": wrong_code(secret)})
    response = client.post(TOTP, {"code": wrong_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    again = client.post("/accounts/login/", {"username": sec_admin.username,
                                             "password": PASSWORD})
    # Back on the sign-in page the lock reads like any failed sign-in (no account enumeration).
    assert "账号因连续多次失败已被暂时锁定" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_totp_page_ignores_foreign_next(sys_admin):
    secret = actions.enroll_totp(sys_admin, actor=None)
    client = Client()
    client.post("/accounts/login/", {"username": sys_admin.username, "password": PASSWORD})
    response = client.post(TOTP, {"code": totp.current_code(secret),
                                  "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
