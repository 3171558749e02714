"""The ranking in a real browser (``-m browser``): the district leader opens 考核排名 at
1440 px, the chart draws, a click on the department's name opens its explanation with the
formula and the cases; on a phone (390 px) the pages do not scroll sideways."""

import os

import pytest

from gridgov.core.testing import sign_in, wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

QUERY = "?period=month&date=2020-03-10&mode=live&kind=department"
SHOTS = os.environ.get("GRIDGOV_ASSESS_SHOTS", "")


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_ranking_drills_into_an_explanation(big, server_url, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, server_url, "leader_district")
    page.goto(server_url + "/assess/" + QUERY)
    wait_for_js(page, "!!document.querySelector('[data-gg-chart-ready]')")
    assert page.evaluate("document.querySelectorAll('#gg-assess-chart-box svg').length") == 1
    row = page.locator("#gg-assess-ranking tbody tr").first
    assert "92.22" in row.inner_text()
    _shot(page, "ranking-1440.png")
    row.get_by_role("link", name="区综合行政执法局").click()
    page.wait_for_url("**/assess/explain/department/**")
    assert page.locator(".gg-assess-score").inner_text() == "92.22"
    page.get_by_role("link", name="超期处置数").click()
    page.wait_for_url("**indicator=handled_late**")
    assert "对应案件(174)" in page.locator("#gg-assess-cases h2").inner_text()
    _shot(page, "explain-1440.png")
    first_case = page.locator("#gg-assess-cases tbody a").first
    first_case.click()
    page.wait_for_url("**/events/**")
    context.close()


def test_pages_fit_a_phone(big, server_url, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, server_url, "leader_district")
    explain = f"/assess/explain/department/{big['department'].pk}/"
    for name, path in (("ranking", "/assess/" + QUERY), ("explain", explain + QUERY),
                       ("schemes", "/assess/schemes/")):
        page.goto(server_url + path)
        wait_for_js(page, "document.readyState === 'complete'")
        _shot(page, f"{name}-390.png")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 392, (path, width)
    context.close()
