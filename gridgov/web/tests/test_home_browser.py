"""A leader's home page in a real browser (``-m browser``): the month's cards and tables fit
1440 and 390 px (no sideways scroll on a phone), and the links lead to the statistics, the
big screen and the monthly report. Screenshots go to /tmp/s21/dash/."""

import os

import pytest

from gridgov.core.testing import sign_in, wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SHOTS = "/tmp/s21/dash"


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.parametrize("username", ["leader_gulou", "leader_district"])
def test_leader_home_at_two_widths(username, server_url, browser):
    os.makedirs(SHOTS, exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    sign_in(page, server_url, username)
    wait_for_js(page, "document.querySelector('[data-board]') !== null")
    assert page.locator("[data-board-kpi]").count() == 5
    page.screenshot(path=f"{SHOTS}/home-{username}-1440.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=f"{SHOTS}/home-{username}-390.png", full_page=True)
    page.locator("[data-board-link='3']").click()
    page.wait_for_url("**/stats/report/**")
    wait_for_js(page, "document.querySelector('[data-gg-report-ready]') !== null")
    context.close()
