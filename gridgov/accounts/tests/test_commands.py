"""``gridgov create_admin`` and ``gridgov unlock_account``."""

import io

import pytest
from django.core.management import CommandError, call_command

from gridgov.accounts import lockout
from gridgov.accounts.models import User
from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_create_admin(district, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Gulou-Tower-1959\n"))
    out = io.StringIO()
    call_command("create_admin", "t_ops_sec", role="sec_admin", real_name="运维安全员",
                 area=district.code, password_stdin=True, stdout=out)
    user = User.objects.get(username="t_ops_sec")
    assert user.check_password("Gulou-Tower-1959")
    assert list(user.assignments.values_list("role", flat=True)) == ["sec_admin"]
    assert "t_ops_sec" in out.getvalue()
    rec = AuditRecord.objects.get(action="accounts.user_created", object_id=str(user.pk))
    assert rec.actor_name == "system"


def test_create_admin_refuses_weak_password_and_rolls_back(district, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("weak\n"))
    with pytest.raises(CommandError, match="password"):
        call_command("create_admin", "t_ops_weak", role="sys_admin", real_name="某人",
                     area=district.code, password_stdin=True)
    assert not User.objects.filter(username="t_ops_weak").exists()


def test_create_admin_checks_level_and_rolls_back(gulou_street, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Gulou-Tower-1959\n"))
    with pytest.raises(CommandError, match="area"):
        call_command("create_admin", "t_ops_street", role="audit_admin", real_name="某人",
                     area=gulou_street.code, password_stdin=True)
    assert not User.objects.filter(username="t_ops_street").exists()


def test_unlock_account_command(grid_worker, settings):
    settings.GRIDGOV_LOCKOUT_THRESHOLD = 2
    for _ in range(2):
        lockout.register_failure(grid_worker.username)
    assert lockout.is_locked(grid_worker.username)
    call_command("unlock_account", grid_worker.username, stdout=io.StringIO())
    assert not lockout.is_locked(grid_worker.username)
    with pytest.raises(CommandError):
        call_command("unlock_account", grid_worker.username)
