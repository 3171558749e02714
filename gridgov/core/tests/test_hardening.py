"""Hardening of the request edge (issue 9, item 12): paging bounds, NUL bytes, deep JSON,
JSON error bodies, database outages, idle sessions and security headers."""

import io
import runpy
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from rest_framework import exceptions

from gridgov.core.middleware import (
    JSONParser,
    SessionIdleTimeoutMiddleware,
    content_security_policy,
)
from gridgov.core.pagination import MAX_LIMIT, MAX_OFFSET

pytestmark = pytest.mark.django_db

AREAS = "/api/areas/"
DEEP = "[" * 100_000 + "]" * 100_000


def _fields(response):
    return {e["field"] for e in response.json()["errors"]}


# --- (a) paging bounds ----------------------------------------------------------------------


def test_huge_limit_is_taken_as_the_maximum(api_as, grid_worker):
    response = api_as(grid_worker).get(AREAS + "?limit=99999999999999999999")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) <= MAX_LIMIT
    assert body["next"] is None or f"limit={MAX_LIMIT}" in body["next"]


@pytest.mark.parametrize("query, field", [
    ("offset=99999999999999999999", "offset"),
    (f"offset={MAX_OFFSET + 1}", "offset"),
    ("offset=-1", "offset"),
    ("offset=abc", "offset"),
    ("limit=abc", "limit"),
    ("limit=0", "limit"),
    ("limit=-5", "limit"),
    ("limit=1" + "0" * 5000, None),
])
def test_bad_paging_parameters_answer_400_with_the_field(api_as, grid_worker, query, field):
    response = api_as(grid_worker).get(f"{AREAS}?{query}")
    if field is None:  # absurdly long but numeric: clamped, never a 500
        assert response.status_code == 200
        return
    assert response.status_code == 400, query
    assert field in _fields(response)


def test_offset_within_bounds_still_pages(api_as, grid_worker):
    response = api_as(grid_worker).get(AREAS + f"?limit=5&offset={MAX_OFFSET}")
    assert response.status_code == 200
    assert response.json()["results"] == []


# --- (b) NUL bytes --------------------------------------------------------------------------


def test_nul_in_a_query_parameter_answers_400(api_as, client_as, grid_worker):
    response = api_as(grid_worker).get(AREAS + "?search=a%00b")
    assert response.status_code == 400
    assert "search" in _fields(response)
    assert client_as(grid_worker).get("/?q=%00").status_code == 400


def test_nul_in_a_form_field_answers_400(client):
    response = client.post("/accounts/login/", {"username": "gw\x00gulou", "password": "x"})
    assert response.status_code == 400
    assert "username" in _fields(response)


def test_nul_in_a_multipart_form_field_answers_400(client_as, grid_worker):
    # A page form under CSRF protection (multipart: Client.post's default encoding).
    response = client_as(grid_worker).post("/accounts/password/", {"old_password": "a\x00"})
    assert response.status_code == 400
    assert "old_password" in _fields(response)


def test_nul_in_a_json_string_answers_400():
    with pytest.raises(exceptions.ValidationError):
        JSONParser().parse(io.BytesIO(b'{"title": "a\\u0000b"}'))


# --- (c) deeply nested JSON -----------------------------------------------------------------


def test_deep_json_is_refused_by_the_parser():
    with pytest.raises(exceptions.ParseError):
        JSONParser().parse(io.BytesIO(DEEP.encode()))
    with pytest.raises(exceptions.ParseError):
        JSONParser().parse(io.BytesIO(("[" * 65 + "]" * 65).encode()))
    assert JSONParser().parse(io.BytesIO(b'{"a": [[1, 2], {"b": null}]}')) == {
        "a": [[1, 2], {"b": None}]}


def test_deep_json_to_a_view_with_drf_own_parser_answers_400(api_as, grid_worker):
    # /api/events/report/ names DRF's JSONParser itself; the exception handler catches it.
    response = api_as(grid_worker).post("/api/events/report/", DEEP,
                                        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] in {"too_deep", "parse_error"}


def test_deep_json_to_a_plain_django_view_answers_400(client):
    client.raise_request_exception = False
    response = client.post("/api/3/action/package_search", "{\"q\": " + DEEP + "}",
                           content_type="application/json")
    assert response.status_code == 400


# --- (d) JSON error bodies for JSON clients -------------------------------------------------


def test_api_404_is_json(api_as, grid_worker):
    response = api_as(grid_worker).get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"][0]["code"] == "not_found"


def test_page_404_is_json_for_a_json_client_and_html_for_a_browser(client):
    json_answer = client.get("/no-such-page/", HTTP_ACCEPT="application/json")
    assert json_answer.status_code == 404
    assert json_answer.json()["errors"][0]["code"] == "not_found"
    html = client.get("/no-such-page/",
                      HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert html.status_code == 404 and html["Content-Type"].startswith("text/html")


def test_403_is_json_for_a_json_client(client_as, grid_worker):
    response = client_as(grid_worker).get("/accounts/users/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"


def test_500_is_json_for_an_api_client(api_as, grid_worker):
    client = api_as(grid_worker)
    client.raise_request_exception = False
    with mock.patch("gridgov.areas.api.views.AreaViewSet.list",
                    side_effect=RuntimeError("boom")):
        response = client.get(AREAS)
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"] == "error"
    assert "boom" not in response.content.decode()


# --- (e) database outage --------------------------------------------------------------------


def _database_down():
    return mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
                      side_effect=OperationalError("server closed the connection"))


def test_database_outage_answers_503_with_retry_after(api_as, client_as, grid_worker):
    api = api_as(grid_worker)
    page = client_as(grid_worker)
    api.raise_request_exception = page.raise_request_exception = False
    with _database_down():
        answer = api.get(AREAS)
        html = page.get("/")
    assert answer.status_code == 503 and int(answer["Retry-After"]) > 0
    assert answer.json()["errors"][0]["code"] == "service_unavailable"
    assert html.status_code == 503 and int(html["Retry-After"]) > 0


def test_connections_are_health_checked():
    assert django_settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


# --- (h) idle sessions ----------------------------------------------------------------------


def _age_session(client, **ago):
    session = client.session
    now = int(time.time())
    for key, seconds in ago.items():
        session[getattr(SessionIdleTimeoutMiddleware, key)] = now - seconds
    session.save()


def test_signing_in_stamps_the_session(client, grid_worker):
    from gridgov.demo.users import DEMO_PASSWORD

    client.post("/accounts/login/", {"username": grid_worker.username,
                                     "password": DEMO_PASSWORD})
    session = client.session
    assert "_auth_user_id" in session
    assert session[SessionIdleTimeoutMiddleware.SEEN] >= int(time.time()) - 5
    assert session[SessionIdleTimeoutMiddleware.SINCE] >= int(time.time()) - 5


def test_idle_session_is_signed_out(client_as, grid_worker):
    assert django_settings.GRIDGOV_SESSION_IDLE_SECONDS == 1800
    client = client_as(grid_worker)
    assert client.get("/").status_code == 200
    _age_session(client, SEEN=1700)
    assert client.get("/").status_code == 200  # active within the window: still signed in
    _age_session(client, SEEN=1801)
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_background_polling_is_not_activity(client_as, grid_worker):
    client = client_as(grid_worker)
    assert client.get("/").status_code == 200
    _age_session(client, SEEN=1700)
    # The alert feed polled by an open tab answers, but does not keep the session alive.
    assert client.get("/notifications/alerts/", HTTP_X_GG_BACKGROUND="1").status_code == 200
    assert client.session[SessionIdleTimeoutMiddleware.SEEN] <= int(time.time()) - 1700
    _age_session(client, SEEN=1801)
    response = client.get("/notifications/alerts/", HTTP_X_GG_BACKGROUND="1")
    assert response.status_code in (302, 401)
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_session_ends_after_the_absolute_age_however_active(client_as, grid_worker):
    client = client_as(grid_worker)
    assert client.get("/").status_code == 200
    _age_session(client, SEEN=10, SINCE=django_settings.SESSION_COOKIE_AGE + 1)
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_idle_timeout_is_a_setting(client_as, grid_worker, settings):
    settings.GRIDGOV_SESSION_IDLE_SECONDS = 60
    client = client_as(grid_worker)
    client.get("/")
    _age_session(client, SEEN=61)
    assert client.get("/").status_code == 302


# --- (i) security headers -------------------------------------------------------------------


def test_pages_carry_a_content_security_policy(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_csp_allows_the_tile_server(settings):
    settings.GRIDGOV_TILE_URL = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "img-src 'self' data: blob: https://*.tile.openstreetmap.org" in (
        content_security_policy())


def test_csp_allows_tianditu_when_it_is_the_base(settings):
    from gridgov.web.basemap import csp_image_sources

    settings.GRIDGOV_TILE_URL = ""
    settings.GRIDGOV_TIANDITU_KEY = ""
    assert "tianditu" not in content_security_policy()
    settings.GRIDGOV_TIANDITU_KEY = "k"
    policy = content_security_policy()
    assert "img-src 'self' data: blob: https://*.tianditu.gov.cn" in policy
    assert csp_image_sources() == ["https://*.tianditu.gov.cn"]  # the base map agrees


def test_hsts_and_https_redirect_follow_secure_cookies(monkeypatch):
    path = str(Path(django_settings.BASE_DIR) / "settings.py")
    monkeypatch.delenv("SECURE_COOKIES", raising=False)
    plain = runpy.run_path(path)
    assert plain["SECURE_SSL_REDIRECT"] is False and plain["SECURE_HSTS_SECONDS"] == 0
    monkeypatch.setenv("SECURE_COOKIES", "1")
    secure = runpy.run_path(path)
    assert secure["SECURE_SSL_REDIRECT"] is True
    assert secure["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert secure["SESSION_COOKIE_SECURE"] is True
