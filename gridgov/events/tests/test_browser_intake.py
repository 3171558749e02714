"""The intake forms' point picker in a real browser (``-m browser``).

With no tile server (the default install) the map stands on the district's own outlines: a
resident zooms in, clicks inside a grid, and the coordinates are filled for the report.
"""

import os
import re
from pathlib import Path

import pytest

from gridgov.areas import views as area_views
from gridgov.core.testing import sign_in, wait_for_js
from gridgov.events.models import Event

from .intake_support import OUTSIDE, point_in
from .test_public_track import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))
PHONE = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks, in the thread where Playwright's sync API
    runs an event loop; safe here, as in test_browser_loop: one request at a time on the
    test's own connection, and no query while a request is in flight."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fresh_outlines(settings):
    """No outline body from another test's rolled-back revision; no rate limit in the way."""
    settings.GRIDGOV_PUBLIC_REPORT_LIMIT = 1000
    area_views.invalidate_outlines()
    yield
    area_views.invalidate_outlines()


def watch(page, server_url):
    """(requests to other hosts, script errors) of the page, filled as it runs."""
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server_url, "data:")) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return outside, errors


def wait_for_outlines(page):
    paths = page.locator(".gg-intake-map .leaflet-overlay-pane path")
    paths.first.wait_for(state="attached", timeout=15000)
    return paths


def click_at(page, lng, lat, zoom=17):
    """Bring (lng, lat) into view at ``zoom`` as a person would, and click it."""
    page.locator(".gg-intake-map").scroll_into_view_if_needed()
    # Where the point is on the screen: Leaflet measures clicks from inside the map's border,
    # so the border and a fractional top edge are counted, not just the bounding box.
    at = page.evaluate(
        """([lat, lng, zoom]) => {
            const map = document.querySelector('[data-gg-point]').ggPicker.map;
            map.setView([lat, lng], zoom, {animate: false});
            const p = map.latLngToContainerPoint([lat, lng]);
            const el = map.getContainer(), r = el.getBoundingClientRect();
            return [r.left + el.clientLeft + p.x, r.top + el.clientTop + p.y];
        }""",
        [lat, lng, zoom],
    )
    page.mouse.click(at[0], at[1])


def hint(page):
    return page.locator("[data-gg-point-hint]").inner_text()


def test_resident_picks_the_point_on_the_outline_map(
    gulou_grid, gulou_community, server_url, browser
):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    outside, errors = watch(page, server_url)
    page.goto(server_url + "/events/public/report/")

    paths = wait_for_outlines(page)
    assert paths.count() > 10  # the district, its streets and communities
    map_box = page.locator(".gg-intake-map").bounding_box()
    assert map_box["width"] <= PHONE["width"] and map_box["height"] > 200
    # The page itself does not scroll sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "gridgov-intake-outline-map-phone.png"), full_page=True)

    # With the map up, the coordinates and the datum fold away under 手动输入坐标.
    assert not page.locator("#id_lng").is_visible()
    assert not page.locator("#id_crs").is_visible()
    page.get_by_text("手动输入坐标").click()
    # Typed coordinates move the marker; a point far away gets the gentle hint.
    page.fill("#id_lng", f"{OUTSIDE[0]:.6f}")
    page.fill("#id_lat", f"{OUTSIDE[1]:.6f}")
    wait_for_js(
        page,
        "document.querySelector('[data-gg-point-hint]').classList.contains('is-outside')"
    )
    assert hint(page) == "该位置不在本辖区范围内"
    pin = page.locator(".gg-intake-map .leaflet-marker-icon:not(.gg-intake-label)")
    assert pin.count() == 1
    marker_at = page.evaluate(
        "document.querySelector('[data-gg-point]').ggPicker.marker().getLatLng()"
    )
    assert abs(marker_at["lng"] - OUTSIDE[0]) < 1e-6 and abs(marker_at["lat"] - OUTSIDE[1]) < 1e-6

    # Zoomed in, the grids and the community names show; a click inside the grid fills the
    # point (WGS-84: the outlines' datum) and names the grid.
    lng, lat = point_in(gulou_grid)
    click_at(page, lng, lat)
    wait_for_js(
        page,
        "(name) => document.querySelector('[data-gg-point-hint]').textContent.includes(name)",
        arg=gulou_grid.name,
    )
    assert "is-outside" not in (page.locator("[data-gg-point-hint]").get_attribute("class"))
    assert abs(float(page.input_value("#id_lng")) - lng) < 2e-5
    assert abs(float(page.input_value("#id_lat")) - lat) < 2e-5
    assert page.input_value("#id_crs") == "wgs84"
    assert page.locator(".gg-intake-label", has_text=gulou_community.name).count() >= 1
    page.screenshot(path=str(SHOTS / "gridgov-intake-picked-phone.png"), full_page=True)

    page.fill("#id_description", "鼓楼网格内路灯不亮,夜间通行不便")
    page.locator("button.gg-intake-submit").click()
    page.wait_for_selector("text=提交成功")
    number = re.search(r"E\d{16}", page.content()).group(0)
    context.close()
    event = Event.objects.get(number=number)
    assert event.grid.code == gulou_grid.code
    assert outside == [] and errors == []


def test_sending_without_a_point_asks_for_one_on_the_map(gulou_grid, server_url, browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    outside, errors = watch(page, server_url)
    before = Event.objects.count()
    page.goto(server_url + "/events/public/report/")
    wait_for_outlines(page)
    page.fill("#id_description", "路灯不亮")
    page.locator("button.gg-intake-submit").click()
    missing = page.locator("[data-gg-point-missing]")
    missing.wait_for(state="visible")
    assert "/events/public/report/" in page.url and Event.objects.count() == before
    click_at(page, *point_in(gulou_grid))
    wait_for_js(page, "document.getElementById('id_lng').value !== ''")
    assert not missing.is_visible()
    page.locator("button.gg-intake-submit").click()
    page.wait_for_selector("text=提交成功")
    context.close()
    assert outside == [] and errors == []


def test_without_script_the_coordinates_are_typed(gulou_grid, server_url, browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(server_url + "/events/public/report/")
    assert page.locator("#id_lng").is_visible() and page.locator("#id_crs").is_visible()
    lng, lat = point_in(gulou_grid)
    page.fill("#id_description", "井盖缺失")
    page.fill("#id_lng", f"{lng:.7f}")
    page.fill("#id_lat", f"{lat:.7f}")
    page.locator("button.gg-intake-submit").click()
    page.wait_for_selector("text=提交成功")
    context.close()
    assert Event.objects.get(description="井盖缺失").grid.code == gulou_grid.code


def test_resident_looks_a_case_up_by_number_and_phone(gulou_grid, server_url, browser):
    _response, event, _token = report(gulou_grid)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    outside, errors = watch(page, server_url)
    page.goto(server_url + "/")  # not signed in: the sign-in page, with the residents' box
    page.get_by_role("link", name="查询办理进度").click()
    page.fill("#id_number", event.number)
    page.fill("#id_phone", "13900000000")
    page.locator("button.gg-intake-submit").click()
    page.wait_for_selector("text=未找到与该编号和电话相符的反映")
    page.fill("#id_phone", "138-1234-5678")
    page.locator("button.gg-intake-submit").click()
    page.wait_for_selector("text=反映已提交")
    assert event.number in page.content() and "待受理" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
    assert outside == [] and errors == []


def test_grid_worker_report_page_has_the_map_and_gps_moves_the_marker(
    grid_worker, gulou_grid2, server_url, browser
):
    lng, lat = point_in(gulou_grid2)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN",
        geolocation={"longitude": lng, "latitude": lat, "accuracy": 12},
        permissions=["geolocation"],
    )
    page = context.new_page()
    outside, errors = watch(page, server_url)
    sign_in(page, server_url, grid_worker.username)
    page.goto(server_url + "/events/report/")
    assert wait_for_outlines(page).count() > 10

    page.locator("[data-gg-locate]").click()
    wait_for_js(page, "document.getElementById('id_lng').value !== ''")
    assert page.input_value("#id_crs") == "wgs84"
    assert "12" in page.locator("[data-gg-locate-status]").inner_text()
    marker_at = page.evaluate(
        "document.querySelector('[data-gg-point]').ggPicker.marker().getLatLng()"
    )
    assert abs(marker_at["lng"] - lng) < 1e-6 and abs(marker_at["lat"] - lat) < 1e-6
    wait_for_js(
        page,
        "(name) => document.querySelector('[data-gg-point-hint]').textContent.includes(name)",
        arg=gulou_grid2.name,
    )
    context.close()
    assert outside == [] and errors == []


def test_gcj02_tiles_get_gcj02_outlines_and_the_click_stays_gcj02(
    gulou_grid, server_url, browser, settings
):
    # A tile server on the test server itself (its tiles are 404s): nothing leaves the host.
    settings.GRIDGOV_TILE_URL = server_url + "/static/no-tiles/{z}/{x}/{y}.png"
    settings.GRIDGOV_TILE_CRS = "gcj02"
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    outside, errors = watch(page, server_url)
    fetched = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(server_url + "/events/public/report/")
    wait_for_outlines(page)
    assert any("outlines.geojson?crs=gcj02" in url for url in fetched)
    assert len([url for url in fetched if url.endswith("leaflet.js")]) == 1  # not twice

    lng, lat = point_in(gulou_grid, crs="gcj02")
    click_at(page, lng, lat)
    wait_for_js(
        page,
        "(name) => document.querySelector('[data-gg-point-hint]').textContent.includes(name)",
        arg=gulou_grid.name,
    )
    assert page.input_value("#id_crs") == "gcj02"
    assert abs(float(page.input_value("#id_lng")) - lng) < 2e-5
    assert page.locator(".gg-intake-map .leaflet-tile-pane img").count() > 0
    context.close()
    assert outside == [] and errors == []
