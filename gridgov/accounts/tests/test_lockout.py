"""Lock-out after repeated failed sign-ins: threshold, window, expiry, unlock, audit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridgov.accounts import actions, lockout
from gridgov.accounts.models import AccountLock, LoginFailure
from gridgov.audit.models import AuditRecord

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
# The one answer to a wrong password, an unknown name and a locked name alike.
GENERIC = "用户名或密码不正确,或账号因连续多次失败已被暂时锁定"


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    settings.GRIDGOV_LOCKOUT_THRESHOLD = 3
    settings.GRIDGOV_LOCKOUT_WINDOW_SECONDS = 600
    settings.GRIDGOV_LOCKOUT_SECONDS = 900


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_threshold_failures_lock_the_account(grid_worker):
    client = Client()
    for _ in range(2):
        response = sign_in(client, grid_worker.username, "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    assert not lockout.is_locked(grid_worker.username)
    response = sign_in(client, grid_worker.username, "wrong-password")
    text = response.content.decode()
    # The page does not say the name is now locked (that would tell a guesser it matters).
    assert GENERIC in text
    until = AccountLock.objects.get(username=grid_worker.username).locked_until
    assert timezone.localtime(until).strftime("%Y-%m-%d %H:%M") not in text
    assert dt.timedelta(seconds=890) < until - timezone.now() <= dt.timedelta(seconds=900)


def test_locked_account_refuses_the_right_password(grid_worker):
    client = Client()
    for _ in range(3):
        sign_in(client, grid_worker.username, "wrong-password")
    response = sign_in(client, grid_worker.username, PASSWORD)
    assert response.status_code == 200
    assert GENERIC in response.content.decode()
    assert not is_signed_in(client)
    refused = AuditRecord.objects.filter(action="accounts.login_refused",
                                         object_id=grid_worker.username)
    assert refused.count() == 1
    assert not AuditRecord.objects.filter(action="accounts.login",
                                          object_id=str(grid_worker.pk)).exists()


def test_failures_outside_the_window_do_not_count(grid_worker):
    old = timezone.now() - dt.timedelta(seconds=601)
    for _ in range(2):
        LoginFailure.objects.create(username=grid_worker.username, at=old)
    assert lockout.register_failure(grid_worker.username) is None
    assert lockout.register_failure(grid_worker.username) is None
    assert not lockout.is_locked(grid_worker.username)
    assert lockout.register_failure(grid_worker.username) is not None
    assert lockout.is_locked(grid_worker.username)


def test_lock_ends_by_itself(grid_worker):
    for _ in range(3):
        lockout.register_failure(grid_worker.username)
    assert lockout.is_locked(grid_worker.username)
    later = timezone.now() + dt.timedelta(seconds=901)
    assert not lockout.is_locked(grid_worker.username, now=later)
    AccountLock.objects.filter(username=grid_worker.username).update(
        locked_until=timezone.now() - dt.timedelta(seconds=1))
    client = Client()
    sign_in(client, grid_worker.username, PASSWORD)
    assert is_signed_in(client)
    # The count starts afresh after a lock: one more failure does not lock again.
    assert lockout.register_failure(grid_worker.username) is None


def test_success_clears_failures(grid_worker):
    client = Client()
    for _ in range(2):
        sign_in(client, grid_worker.username, "wrong-password")
    assert LoginFailure.objects.filter(username=grid_worker.username).count() == 2
    sign_in(client, grid_worker.username, PASSWORD)
    assert is_signed_in(client)
    assert not LoginFailure.objects.filter(username=grid_worker.username).exists()
    client.post("/accounts/logout/")
    sign_in(client, grid_worker.username, "wrong-password")
    assert not lockout.is_locked(grid_worker.username)


def test_unknown_user_names_lock_the_same_way(db):
    client = Client()
    for _ in range(3):
        sign_in(client, "t_nobody", "whatever-password")
    assert lockout.is_locked("t_nobody")
    response = sign_in(client, "t_nobody", "whatever-password")
    assert GENERIC in response.content.decode()
    assert AuditRecord.objects.filter(action="accounts.login_refused",
                                      object_id="t_nobody").count() == 1


def test_sec_admin_unlocks_and_it_is_audited(grid_worker, sec_admin, sys_admin, audit_admin):
    for _ in range(3):
        lockout.register_failure(grid_worker.username)
    for actor in (sys_admin, audit_admin, grid_worker):
        with pytest.raises(PermissionDenied):
            actions.unlock_account(grid_worker.username, actor=actor)
    assert lockout.is_locked(grid_worker.username)
    actions.unlock_account(grid_worker.username, actor=sec_admin)
    assert not lockout.is_locked(grid_worker.username)
    assert not LoginFailure.objects.filter(username=grid_worker.username).exists()
    with pytest.raises(ValidationError):
        actions.unlock_account(grid_worker.username, actor=sec_admin)
    client = Client()
    sign_in(client, grid_worker.username, PASSWORD)
    assert is_signed_in(client)
    chain = list(AuditRecord.objects.filter(object_type="accounts.login",
                                            object_id=grid_worker.username)
                 .order_by("seq").values_list("action", "actor_id"))
    assert ("accounts.locked", None) in chain
    assert ("accounts.unlocked", sec_admin.pk) in chain


def test_failed_sign_ins_and_lock_are_audited_in_order(grid_worker):
    client = Client()
    for _ in range(3):
        sign_in(client, grid_worker.username, "wrong-password")
    actions_in_chain = list(AuditRecord.objects.filter(
        object_type="accounts.login", object_id=grid_worker.username,
    ).order_by("seq").values_list("action", flat=True))
    assert actions_in_chain == ["accounts.login_failed"] * 3 + ["accounts.locked"]
    # Nobody's password is in the log.
    for rec in AuditRecord.objects.all():
        assert "wrong-password" not in str(rec.changes) + rec.remark


def test_unlock_page_for_sec_admin(grid_worker, sec_admin, client_as, leader):
    for _ in range(3):
        lockout.register_failure(grid_worker.username)
    assert client_as(leader).get(reverse("accounts:locks")).status_code == 403
    client = client_as(sec_admin)
    page = client.get(reverse("accounts:locks"))
    assert grid_worker.username in page.content.decode()
    response = client.post(reverse("accounts:unlock"), {"username": grid_worker.username},
                           follow=True)
    assert "已解锁" in response.content.decode()
    assert not lockout.is_locked(grid_worker.username)
    assert client_as(leader).post(reverse("accounts:unlock"),
                                  {"username": "x"}).status_code == 403
