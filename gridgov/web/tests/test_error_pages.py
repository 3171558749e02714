"""Error pages for browsers are Chinese pages of the console (JSON clients keep JSON bodies,
see gridgov/core/tests/test_hardening.py)."""

from unittest import mock

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


def test_404_page_is_chinese(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT=BROWSER)
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and "返回首页" in html
    assert "Not Found" not in html and "requested resource" not in html


def test_unknown_queue_answers_the_chinese_404(client_as, dispatcher):
    response = client_as(dispatcher).get("/events/command/", {"queue": "no-such-queue"},
                                         HTTP_ACCEPT=BROWSER)
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and "Not Found" not in html
    # The console's own page: the signed-in person keeps the menu.
    assert 'class="gg-nav"' in html


def test_unknown_queue_stays_json_for_an_api_client(client_as, dispatcher):
    response = client_as(dispatcher).get("/events/command/", {"queue": "no-such-queue"},
                                         HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_403_page_is_chinese(client_as, grid_worker):
    response = client_as(grid_worker).get("/accounts/users/", HTTP_ACCEPT=BROWSER)
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html and "403 Forbidden" not in html


def test_csrf_refusal_is_chinese(grid_worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(grid_worker)
    response = client.post("/accounts/logout/", HTTP_ACCEPT=BROWSER)
    html = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in html and "CSRF verification failed" not in html


def test_500_page_is_chinese(client_as, grid_worker):
    client = client_as(grid_worker)
    client.raise_request_exception = False
    with mock.patch("gridgov.web.views.HomeView.get", side_effect=RuntimeError("boom")):
        response = client.get("/", HTTP_ACCEPT=BROWSER)
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in html and "boom" not in html and "Server Error" not in html
