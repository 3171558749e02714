"""The pages in a real browser: Debian's chromium driven by Playwright (``-m browser``).

The server shares the test's database connection (gridgov.core.testing), so the browser sees
the session-loaded demo district and everything the visit writes is rolled back.
"""

import os
from pathlib import Path

import pytest

from gridgov.core.testing import sign_in, wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))


def test_grid_worker_finds_their_grid_on_the_map(grid_worker, gulou_grid, server_url, browser):
    outside = []
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    # Nothing may be fetched from anywhere but the server itself (no CDN, no tiles).
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server_url, "data:")) else None)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    sign_in(page, server_url, grid_worker.username)
    assert gulou_grid.code in page.content()
    page.screenshot(path=str(SHOTS / "gridgov-home-grid-worker.png"), full_page=True)

    page.click("nav#gg-nav >> text=网格地图")
    page.wait_for_url(server_url + "/map/")
    grid_path = page.locator(".leaflet-gg-grid-pane path")
    grid_path.first.wait_for(state="visible", timeout=15000)
    assert grid_path.count() == 1  # the worker sees their own grid only
    wait_for_js(
        page,
        "document.getElementById('gg-map-status').textContent.indexOf('1') >= 0"
    )
    # Click the middle of the grid polygon: the popup names the grid and its code.
    box = grid_path.first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".leaflet-popup-content .gg-popup")
    popup.wait_for(state="visible", timeout=10000)
    assert gulou_grid.code in popup.inner_text()
    # Staff come from the detail API after the popup opens.
    wait_for_js(
        page,
        "(name) => document.querySelector('.gg-popup').textContent.includes(name)",
        arg=grid_worker.real_name, timeout=10000,
    )
    text = popup.inner_text()
    assert "平方米" in text and "平方公里" in text
    assert gulou_grid.name in text
    # Let the popup finish fading in, and move the pointer off the polygon (its tooltip).
    page.mouse.move(10, 10)
    wait_for_js(
        page,
        "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    page.screenshot(path=str(SHOTS / "gridgov-map-grid-worker.png"))

    # Layers toggle: hiding the grid layer removes its polygons.
    page.uncheck("input[data-gg-layer=grid]")
    assert page.locator(".leaflet-gg-grid-pane path").count() == 0
    page.check("input[data-gg-layer=grid]")
    page.locator(".leaflet-gg-grid-pane path").first.wait_for(state="visible")

    assert errors == []
    assert outside == []
    context.close()


def test_leader_map_on_a_phone(leader, gulou_street, server_url, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, leader.username)
    page.screenshot(path=str(SHOTS / "gridgov-home-leader-phone.png"), full_page=True)
    # The menu folds away on a phone and opens with its button.
    assert not page.is_visible("nav#gg-nav")
    page.click("[data-gg-menu-toggle]")
    assert page.is_visible("nav#gg-nav")
    page.click("nav#gg-nav >> text=网格地图")
    page.wait_for_url(server_url + "/map/")
    page.locator(".leaflet-gg-community-pane path").first.wait_for(state="visible",
                                                                   timeout=15000)
    # The street's grids load for the communities in view once zoomed in.
    page.locator(".leaflet-gg-grid-pane path").first.wait_for(state="attached", timeout=20000)
    wait_for_js(
        page,
        "document.getElementById('gg-map-status').textContent"
        " !== window.GridGovMap.config.text.loading", timeout=20000,
    )
    page.screenshot(path=str(SHOTS / "gridgov-map-leader-phone.png"))
    assert errors == []
    context.close()


def test_english_switch_in_the_browser(grid_worker, server_url, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, server_url, grid_worker.username)
    page.select_option("#gg-lang-select", "en")
    page.wait_for_load_state("load")
    page.wait_for_selector("text=Grid map")
    assert page.get_attribute("html", "lang") == "en"
    page.screenshot(path=str(SHOTS / "gridgov-home-english.png"), full_page=True)
    context.close()
