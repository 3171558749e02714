"""Sign-in pages and the administrators' account pages."""

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.accounts import actions
from gridgov.accounts.models import ApiKey, User
from gridgov.audit.models import AuditRecord

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


# --- sign in and out ------------------------------------------------------------------------


def test_login_page_is_chinese_and_keeps_next(db):
    page = Client().get("/accounts/login/?next=/map/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "用户名" in text and "密码" in text and "登录" in text
    assert 'value="/map/"' in text


def test_login_logout_and_failed_login_are_audited(grid_worker):
    client = Client()
    bad = client.post("/accounts/login/", {"username": grid_worker.username, "password": "no"})
    assert bad.status_code == 200
    failed = AuditRecord.objects.get(action="accounts.login_failed",
                                     object_id=grid_worker.username)
    assert failed.actor_name == "system" and failed.request_id
    response = client.post("/accounts/login/", {"username": grid_worker.username,
                                                "password": PASSWORD, "next": "/map/"},
                           REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302 and response["Location"] == "/map/"
    login = AuditRecord.objects.get(action="accounts.login", object_id=str(grid_worker.pk))
    assert login.actor_id == grid_worker.pk and login.role == "grid_worker"
    assert login.client_ip == "10.1.2.3"
    # Signing out is POST only: a link elsewhere cannot sign anyone out.
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="accounts.logout",
                                      object_id=str(grid_worker.pk)).count() == 1


def test_login_refuses_foreign_next(grid_worker):
    response = Client().post("/accounts/login/", {"username": grid_worker.username,
                                                  "password": PASSWORD,
                                                  "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_inactive_user_cannot_sign_in(grid_worker, sys_admin):
    actions.deactivate_user(grid_worker, actor=sys_admin)
    client = Client()
    response = client.post("/accounts/login/", {"username": grid_worker.username,
                                                "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_deactivated_user_is_signed_out_at_once(grid_worker, sys_admin, client_as):
    client = client_as(grid_worker)
    assert client.get("/").status_code == 200
    actions.deactivate_user(grid_worker, actor=sys_admin)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- own password ---------------------------------------------------------------------------


def test_change_own_password_with_policy(grid_worker, client_as):
    client = client_as(grid_worker)
    assert client.get("/accounts/password/").status_code == 200
    weak = client.post("/accounts/password/", {"old_password": PASSWORD,
                                               "new_password1": "abcdefgh1234",
                                               "new_password2": "abcdefgh1234"})
    assert weak.status_code == 200
    assert "至少包含" in weak.content.decode()
    wrong_old = client.post("/accounts/password/", {"old_password": "nope",
                                                    "new_password1": "Yuehu-Lake-2026",
                                                    "new_password2": "Yuehu-Lake-2026"})
    assert wrong_old.status_code == 200
    ok = client.post("/accounts/password/", {"old_password": PASSWORD,
                                             "new_password1": "Yuehu-Lake-2026",
                                             "new_password2": "Yuehu-Lake-2026"})
    assert ok.status_code == 302
    grid_worker.refresh_from_db()
    assert grid_worker.check_password("Yuehu-Lake-2026")
    # Still signed in after the change.
    assert client.get("/accounts/password/").status_code == 200
    rec = AuditRecord.objects.get(action="accounts.password_changed",
                                  object_id=str(grid_worker.pk))
    assert "Yuehu-Lake-2026" not in str(rec.changes)


# --- users (system administrator) and roles (security administrator) ------------------------


@pytest.mark.parametrize("who", ["grid_worker", "leader", "dept_admin", "audit_admin"])
def test_user_pages_are_for_sys_and_sec_admin_only(request, who, client_as, grid_worker):
    client = client_as(request.getfixturevalue(who))
    assert client.get("/accounts/users/").status_code == 403
    assert client.get(f"/accounts/users/{grid_worker.pk}/").status_code == 403
    assert client.get("/accounts/users/new/").status_code == 403


def test_sys_admin_lists_creates_and_deactivates_users(sys_admin, grid_worker, zhifa,
                                                       client_as):
    client = client_as(sys_admin)
    page = client.get("/accounts/users/?q=t_gw")
    assert page.status_code == 200 and grid_worker.username in page.content.decode()
    assert client.get("/accounts/users/new/").status_code == 200
    weak = client.post("/accounts/users/new/", {
        "username": "t_created", "real_name": "新用户", "phone": "13900001111",
        "department": zhifa.pk, "password1": "short", "password2": "short"})
    assert weak.status_code == 200 and not User.objects.filter(username="t_created").exists()
    response = client.post("/accounts/users/new/", {
        "username": "t_created", "real_name": "新用户", "phone": "13900001111",
        "department": zhifa.pk, "password1": "Baiyun#Road9", "password2": "Baiyun#Road9"})
    created = User.objects.get(username="t_created")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[created.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "139****1111" in detail and "13900001111" not in detail
    # The system administrator sees no role form (that is the security administrator's duty).
    assert reverse("accounts:assign_role", args=[created.pk]) not in detail
    client.post(reverse("accounts:user_deactivate", args=[created.pk]))
    created.refresh_from_db()
    assert not created.is_active


def test_sec_admin_cannot_create_or_deactivate(sec_admin, grid_worker, client_as):
    client = client_as(sec_admin)
    assert client.get("/accounts/users/new/").status_code == 403
    assert client.post(reverse("accounts:user_deactivate",
                               args=[grid_worker.pk])).status_code == 403
    grid_worker.refresh_from_db()
    assert grid_worker.is_active


def test_sec_admin_assigns_and_revokes_roles_on_the_page(sec_admin, make_user, gulou_street,
                                                         client_as, sys_admin):
    person = make_user("t_page_person")
    client = client_as(sec_admin)
    detail = client.get(reverse("accounts:user_detail", args=[person.pk])).content.decode()
    assert reverse("accounts:assign_role", args=[person.pk]) in detail
    response = client.post(reverse("accounts:assign_role", args=[person.pk]),
                           {"role": "leader", "area_code": gulou_street.code}, follow=True)
    assert "已分配角色" in response.content.decode()
    assignment = person.assignments.get()
    assert assignment.role == "leader"
    # The rules of the action surface as a message, and nothing changes.
    refused = client.post(reverse("accounts:assign_role", args=[person.pk]),
                          {"role": "audit_admin", "area_code": gulou_street.code[:6]},
                          follow=True)
    assert "三员分立" in refused.content.decode()
    assert person.assignments.count() == 1
    unknown = client.post(reverse("accounts:assign_role", args=[person.pk]),
                          {"role": "leader", "area_code": "999999"}, follow=True)
    assert "没有编码为 999999 的区域" in unknown.content.decode()
    client.post(reverse("accounts:revoke_role", args=[assignment.pk]))
    assert not person.assignments.exists()
    # The system administrator cannot assign roles.
    assert client_as(sys_admin).post(reverse("accounts:assign_role", args=[person.pk]),
                                      {"role": "leader", "area_code": gulou_street.code}
                                      ).status_code == 403


def test_sec_admin_resets_totp_on_the_page(sec_admin, sys_admin, client_as):
    actions.enroll_totp(sys_admin, actor=None)
    client = client_as(sec_admin)
    client.post(reverse("accounts:reset_totp", args=[sys_admin.pk]))
    sys_admin.refresh_from_db()
    assert sys_admin.totp_secret == ""
    assert client_as(sys_admin).post(reverse("accounts:reset_totp", args=[sec_admin.pk])
                                     ).status_code == 403


def test_post_only_buttons_refuse_get(sec_admin, grid_worker, client_as):
    client = client_as(sec_admin)
    assert client.get(reverse("accounts:reset_totp", args=[grid_worker.pk])).status_code == 405


# --- departments ----------------------------------------------------------------------------


def test_departments_page_for_sys_admin(sys_admin, leader, zhifa, minzheng, client_as,
                                        district):
    assert client_as(leader).get("/accounts/departments/").status_code == 403
    client = client_as(sys_admin)
    text = client.get("/accounts/departments/?q=执法").content.decode()
    assert zhifa.name in text and minzheng.name not in text
    response = client.post("/accounts/departments/new/", {
        "code": "T977", "name": "测试信访局", "kind": "government", "area_code": district.code})
    assert response.status_code == 302
    assert "测试信访局" in client.get("/accounts/departments/").content.decode()


# --- API keys -------------------------------------------------------------------------------


def test_api_key_page_shows_the_raw_key_once(dept_admin, zhifa, client_as):
    client = client_as(dept_admin)
    assert client.get("/accounts/api-keys/new/").status_code == 200
    response = client.post("/accounts/api-keys/new/", {"department": zhifa.pk,
                                                       "name": "执法系统对接"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    key = ApiKey.objects.get(name="执法系统对接")
    text = response.content.decode()
    start = text.index('id="raw-key">') + len('id="raw-key">')
    raw = text[start:text.index("<", start)]
    assert raw.startswith(key.prefix) and len(raw) > 40
    listing = client.get("/accounts/api-keys/").content.decode()
    assert key.prefix in listing and raw not in listing


def test_dept_admin_sees_and_revokes_only_own_keys(dept_admin, other_dept_admin, zhifa,
                                                   minzheng, sys_admin, client_as, leader):
    own, _ = actions.issue_api_key(zhifa, name="本部门", actor=sys_admin)
    other, _ = actions.issue_api_key(minzheng, name="民政部门", actor=sys_admin)
    client = client_as(dept_admin)
    text = client.get("/accounts/api-keys/").content.decode()
    assert own.prefix in text and other.prefix not in text
    # Another department's key is out of scope: 404 like a missing one.
    assert client.post(reverse("accounts:api_key_revoke", args=[other.pk])).status_code == 404
    # Issuing for another department is not even offered.
    refused = client.post("/accounts/api-keys/new/", {"department": minzheng.pk, "name": "x"})
    assert refused.status_code == 200 and not ApiKey.objects.filter(name="x").exists()
    client.post(reverse("accounts:api_key_revoke", args=[own.pk]))
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.revoked_at is not None and other.revoked_at is None
    assert client_as(leader).get("/accounts/api-keys/").status_code == 403
    all_keys = client_as(sys_admin).get("/accounts/api-keys/").content.decode()
    assert own.prefix in all_keys and other.prefix in all_keys
