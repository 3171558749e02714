"""Device tokens: issue for oneself, sign requests as the person, revoke, expire, audit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.accounts import device_actions
from gridgov.accounts.models import DeviceToken
from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
URL = "/api/device-tokens/"


def device_client(raw):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Device {raw}")
    return api


def test_issue_shows_the_token_once_and_audits(api_as, grid_worker):
    response = api_as(grid_worker).post(URL, {"name": "工作手机"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token"].startswith("ggd_") and body["prefix"] == body["token"][:12]
    assert response["Cache-Control"] == "no-store"
    token = DeviceToken.objects.get(pk=body["id"])
    assert token.user == grid_worker and body["token"] not in token.token_hash
    assert AuditRecord.objects.filter(action="accounts.device_token_issued",
                                      object_id=str(token.pk)).count() == 1
    listed = api_as(grid_worker).get(URL).json()["results"]
    assert [row["id"] for row in listed] == [token.pk] and "token" not in listed[0]


def test_device_token_acts_as_its_user_with_the_same_scope(grid_worker, gulou_grid):
    _token, raw = device_actions.issue_device_token(name="手机", actor=grid_worker)
    api = device_client(raw)
    me = api.get("/api/me/").json()
    assert me["username"] == grid_worker.username
    areas = api.get("/api/areas/?limit=500").json()["results"]
    assert gulou_grid.code in {a["code"] for a in areas}
    assert all(a["code"].startswith(gulou_grid.code[:6]) for a in areas)
    # Same permissions as the person: a grid worker may not create areas.
    assert api.post("/api/areas/", {}, format="json").status_code == 403


def test_last_used_is_touched_at_most_once_a_minute(grid_worker):
    token, raw = device_actions.issue_device_token(name="手机", actor=grid_worker)
    api = device_client(raw)
    api.get("/api/me/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/api/me/")
    token.refresh_from_db()
    assert token.last_used_at == first
    DeviceToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    api.get("/api/me/")
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(minutes=2)


def test_revoked_expired_unknown_are_401(grid_worker, api_as):
    token, raw = device_actions.issue_device_token(name="手机", actor=grid_worker)
    assert device_client(raw).get("/api/me/").status_code == 200
    revoke = api_as(grid_worker).post(f"{URL}{token.pk}/revoke/")
    assert revoke.status_code == 200 and revoke.json()["is_active"] is False
    assert device_client(raw).get("/api/me/").status_code == 401
    assert AuditRecord.objects.filter(action="accounts.device_token_revoked").count() == 1
    again = api_as(grid_worker).post(f"{URL}{token.pk}/revoke/")
    assert again.status_code == 400

    soon = timezone.now() + dt.timedelta(hours=1)
    token2, raw2 = device_actions.issue_device_token(name="平板", actor=grid_worker,
                                                     expires_at=soon)
    assert device_client(raw2).get("/api/me/").status_code == 200
    DeviceToken.objects.filter(pk=token2.pk).update(expires_at=timezone.now())
    assert device_client(raw2).get("/api/me/").status_code == 401
    assert device_client("ggd_nothing").get("/api/me/").status_code == 401


def test_others_tokens_are_out_of_reach_but_the_security_admin_revokes(
        grid_worker, grid_worker2, api_as, sec_admin):
    token, _raw = device_actions.issue_device_token(name="手机", actor=grid_worker)
    assert api_as(grid_worker2).post(f"{URL}{token.pk}/revoke/").status_code == 404
    with pytest.raises(PermissionDenied):
        device_actions.revoke_device_token(token, actor=grid_worker2)
    response = api_as(sec_admin).post(f"{URL}{token.pk}/revoke/")
    assert response.status_code == 200, response.content
    record = AuditRecord.objects.get(action="accounts.device_token_revoked")
    assert record.actor_id == sec_admin.pk


def test_who_may_hold_tokens(grid_worker, sys_admin, api_as):
    with pytest.raises(PermissionDenied):
        device_actions.issue_device_token(name="手机", actor=sys_admin)
    with pytest.raises(PermissionDenied):
        device_actions.issue_device_token(name="手机", actor=None)
    with pytest.raises(ValidationError):
        device_actions.issue_device_token(name=" ", actor=grid_worker)
    with pytest.raises(ValidationError):
        device_actions.issue_device_token(name="手机", actor=grid_worker,
                                          expires_at=timezone.now() - dt.timedelta(days=1))
    # A token cannot mint another one (a stolen token must not outlive its revocation).
    _token, raw = device_actions.issue_device_token(name="手机", actor=grid_worker)
    assert device_client(raw).post(URL, {"name": "另一台"}, format="json").status_code == 403
    assert DeviceToken.objects.filter(user=grid_worker).count() == 1


def test_token_of_a_user_who_became_an_administrator_is_refused(grid_worker, district):
    from gridgov.accounts.models import Assignment

    _token, raw = device_actions.issue_device_token(name="手机", actor=grid_worker)
    Assignment.objects.create(user=grid_worker, role="sec_admin", area=district)
    assert device_client(raw).get("/api/me/").status_code == 401


def test_api_key_clients_hold_no_tokens(dept_handler):
    from gridgov.accounts import actions

    _key, raw = actions.issue_api_key(dept_handler.department, name="对接", actor=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api.post(URL, {"name": "x"}, format="json").status_code == 403
    assert api.get(URL).json()["results"] == []
