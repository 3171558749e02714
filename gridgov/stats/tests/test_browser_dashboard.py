"""The dashboard in a real browser (``-m browser``): a street leader opens 统计分析, the
charts draw, a click on a bar of the class chart lands on the list of its cases; on a phone
(390 px) no statistics page scrolls sideways and the hotspot map draws its grids."""

import pytest

from gridgov.core.testing import sign_in, wait_for_js

from .support import build_known

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

QUERY = "?period=month&date=2019-11-15"


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    # The test reads nothing between clicks, but Playwright's loop runs in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def known(db):
    return build_known()


def test_dashboard_draws_and_a_bar_drills_down(known, server_url, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    sign_in(page, server_url, "leader_gulou")
    page.goto(server_url + "/stats/" + QUERY)
    wait_for_js(page, "document.querySelectorAll('[data-gg-chart-ready]').length === 4")
    assert page.locator(".gg-kpi-value").first.inner_text().startswith("982")
    # Every chart drew SVG.
    assert page.evaluate("document.querySelectorAll('.gg-chart svg').length") == 4
    # A real mouse click on the middle of the 街面秩序 bar (ECharts says where it is drawn).
    page.locator("#gg-chart-major").scroll_into_view_if_needed()
    x, y = page.evaluate("""() => {
      const node = document.getElementById('gg-chart-major');
      const chart = echarts.getInstanceByDom(node);
      const i = chart.getOption().yAxis[0].data.indexOf('街面秩序');
      const value = chart.getOption().series[0].data[i].value;
      const [x, y] = chart.convertToPixel({seriesIndex: 0}, [value / 2, i]);
      const box = node.getBoundingClientRect();
      return [box.left + x, box.top + y];
    }""")
    page.mouse.click(x, y)
    page.wait_for_url("**/events/**major=05**")
    assert "within=330203005" in page.url
    assert page.evaluate("document.body.innerText").find("404") == -1
    context.close()


def test_dashboard_fits_a_phone(known, server_url, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, server_url, "leader_gulou")
    for path in ("/stats/", "/stats/table/community/", "/stats/hotspots/", "/stats/overdue/"):
        page.goto(server_url + path + QUERY)
        wait_for_js(page, "document.readyState === 'complete'")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        if path == "/stats/hotspots/":
            # The choropleth drew the street's three fixture grids.
            wait_for_js(page, "(document.getElementById('gg-stats-map') || {dataset: {}})"
                              ".dataset.ggMapReady === '3'")
            assert page.locator("#gg-stats-map path.leaflet-interactive").count() == 3
    context.close()
