"""附近 on 案件查询 in a real browser (``-m browser``): "在地图上选点" opens the intake's point
picker; a click on the map and a radius make near=lng,lat,radius_m; the cases within it are
listed, one 800 m away is not; no sideways scroll on a phone. Screenshots (1440 and 390 px)
go to $GRIDGOV_SCREENSHOTS (default /tmp)."""

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from gridgov.areas import views as area_views
from gridgov.core.testing import sign_in, wait_for_js
from gridgov.events.choices import State
from gridgov.events.filtersets import clear_options
from gridgov.events.models import Event
from gridgov.events.tests.helpers_command import make_event

from .test_browser_intake import click_at, wait_for_outlines

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))
OVERFLOW = "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
METRES_PER_DEGREE = 111_195.08  # of latitude (R = 6,371,008.8 m)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    clear_options()
    area_views.invalidate_outlines()
    yield
    area_views.invalidate_outlines()
    clear_options()


def listed(page) -> list[str]:
    return page.eval_on_selector_all("#gg-search-table tbody tr",
                                     "rows => rows.map(r => r.dataset.number)")


@pytest.mark.parametrize("width", [1440, 390])
def test_pick_a_point_and_a_radius(dispatcher, gulou_grid, browser, server_url, width):
    here = make_event(gulou_grid, state=State.FILED, description="附近浏览器测试甲")
    far = make_event(gulou_grid, state=State.FILED, description="附近浏览器测试乙")
    Event.objects.filter(pk=far.pk).update(lng=here.lng, lat=here.lat + 800 / METRES_PER_DEGREE)
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, dispatcher.username)
    page.goto(server_url + "/events/search/?q=附近浏览器测试")
    page.locator(".gg-search-near > summary").click()  # 附近 opens
    page.get_by_text("在地图上选点").click()
    page.wait_for_load_state()
    wait_for_outlines(page)
    click_at(page, here.lng, here.lat)
    wait_for_js(page, "document.getElementById('id_near').value.split(',').length === 3")
    page.select_option("#gg-near-radius", "200")
    page.screenshot(path=str(SHOTS / f"search-near-pick-{width}.png"), full_page=True)
    assert not page.evaluate(OVERFLOW)
    page.locator(".gg-search-submit button[type=submit]").click()
    page.wait_for_load_state()
    wait_for_js(page, "location.search.indexOf('near=') !== -1")

    query = parse_qs(urlsplit(page.url).query)
    lng, lat, radius = (float(v) for v in query["near"][0].split(","))
    assert radius == 200 and "pick" not in query and "near_crs" not in query
    # The click landed on the case's point (to a pixel at zoom 17: ~1 m).
    assert abs(lng - here.lng) * METRES_PER_DEGREE * 0.87 < 3
    assert abs(lat - here.lat) * METRES_PER_DEGREE < 3
    assert listed(page) == [here.number]
    chip = page.locator(".gg-search-chips li[data-chip=near]")
    assert "200 米内" in chip.inner_text()
    page.screenshot(path=str(SHOTS / f"search-near-{width}.png"), full_page=True)
    assert not page.evaluate(OVERFLOW)
    assert errors == []
    context.close()
