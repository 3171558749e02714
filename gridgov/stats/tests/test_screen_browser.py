"""The big screen in a real browser (``-m browser``): with a refresh every second it updates
itself at least five times without a reload (a marker set on ``window`` survives), an event
reported in between appears on the map and in the counters, and the page's DOM does not grow
from one refresh to the next. Screenshots at 1920, 1440 and 390 px go to /tmp/s21/dash/."""

import os

import pytest

from gridgov.core.testing import sign_in, wait_for_js
from gridgov.events.choices import State
from gridgov.events.tests.helpers_command import make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SHOTS = "/tmp/s21/dash"

NODES = "document.getElementsByTagName('*').length"
COUNTER = "Number(document.querySelector('[data-counter=\"%s\"]').textContent)"


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _refreshes(page) -> int:
    return page.evaluate("window.GridGovScreen.refreshes")


def test_screen_refreshes_in_place(gulou_grid, grid_worker, settings, server_url, browser):
    settings.GRIDGOV_SCREEN_REFRESH_SECONDS = 1
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    sign_in(page, server_url, "leader_gulou")
    page.goto(server_url + "/stats/screen/")
    page.evaluate("window.__ggMarker = 'still here'")
    wait_for_js(page, "window.GridGovScreen.refreshes >= 2", timeout=15000)
    today = page.evaluate(COUNTER % "today")
    opened = page.evaluate(COUNTER % "open")
    points = page.evaluate("Number(document.getElementById('gg-screen-points').dataset.count)")
    # The server shares this test's database connection: pause the screen while writing.
    page.evaluate("window.GridGovScreen.stopped = true")
    wait_for_js(page, "!window.GridGovScreen.busy", timeout=5000)
    event = make_event(gulou_grid, reporter=grid_worker, state=State.REPORTED)
    page.evaluate("window.GridGovScreen.stopped = false; window.GridGovScreen.refresh()")
    start = _refreshes(page)
    wait_for_js(page, f"window.GridGovScreen.refreshes >= {start + 1}", timeout=10000)
    # The new event: counted, and on the map (by its id), without a reload.
    assert page.evaluate(COUNTER % "today") == today + 1
    assert page.evaluate(COUNTER % "open") == opened + 1
    assert page.evaluate(f"!!window.GridGovScreen.markers[{event.pk}]")
    assert page.evaluate("Number(document.getElementById('gg-screen-points').dataset.count)") \
        == points + 1
    nodes = page.evaluate(NODES)
    wait_for_js(page, f"window.GridGovScreen.refreshes >= {start + 4}", timeout=15000)
    assert _refreshes(page) >= 5
    assert page.evaluate("window.__ggMarker") == "still here"  # never reloaded
    assert page.evaluate(NODES) == nodes  # lists replaced, not appended
    assert page.evaluate("window.GridGovScreen.failures") == 0
    assert page.evaluate("document.querySelectorAll('#gg-screen-trend canvas').length") == 1
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/screen-1920.png")
    page.evaluate("window.GridGovScreen.stopped = true")
    wait_for_js(page, "!window.GridGovScreen.busy", timeout=5000)
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        else:
            # A wall screen: the whole screen in the window, no scrolling.
            assert page.evaluate("document.documentElement.scrollHeight") <= height
        page.screenshot(path=f"{SHOTS}/screen-{width}.png", full_page=True)
    context.close()
