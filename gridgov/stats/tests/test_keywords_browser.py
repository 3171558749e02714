"""热词分析 in a real browser (``-m browser``): the street leader opens the page, the bar chart
draws, a click on the 飞线充电 bar lands on the list of exactly its cases; on a phone (390 px)
the keyword pages do not scroll sideways."""

import pytest

from gridgov.core.testing import sign_in, wait_for_js
from gridgov.stats.keywords import tokenize

from .test_keywords import fixture_events  # noqa: F401 - the hand-built fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

QUERY = "?period=month&date=2019-11-15"


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    # The test reads nothing between clicks, but Playwright's loop runs in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tokenize.invalidate()


def test_chart_draws_and_a_bar_opens_its_cases(fixture_events, server_url,  # noqa: F811
                                               browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    sign_in(page, server_url, "leader_gulou")
    page.goto(server_url + "/stats/keywords/" + QUERY)
    wait_for_js(page, "document.querySelector('#gg-kw-chart[data-gg-chart-ready]')")
    assert page.evaluate("document.querySelectorAll('#gg-kw-chart svg').length") == 1
    page.locator("#gg-kw-chart").scroll_into_view_if_needed()
    x, y = page.evaluate("""() => {
      const node = document.getElementById('gg-kw-chart');
      const chart = echarts.getInstanceByDom(node);
      const i = chart.getOption().yAxis[0].data.indexOf('飞线充电');
      const value = chart.getOption().series[0].data[i].value;
      const [x, y] = chart.convertToPixel({seriesIndex: 0}, [value / 2, i]);
      const box = node.getBoundingClientRect();
      return [box.left + x, box.top + y];
    }""")
    page.mouse.click(x, y)
    page.wait_for_url("**/stats/keywords/cases/**", timeout=10000)
    assert "term=%E9%A3%9E%E7%BA%BF%E5%85%85%E7%94%B5" in page.url
    assert "12" in page.locator("#gg-kw-count strong").inner_text()
    assert page.locator("tbody tr").count() == 12
    assert page.locator("tbody mark").first.inner_text() == "飞线充电"
    context.close()


def test_keyword_pages_fit_a_phone(fixture_events, server_url, browser):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, server_url, "leader_gulou")
    for path in ("/stats/keywords/" + QUERY,
                 "/stats/keywords/cases/" + QUERY + "&term=%E5%8D%A0%E9%81%93%E7%BB%8F%E8%90%A5"):
        page.goto(server_url + path)
        wait_for_js(page, "document.readyState === 'complete'")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()
