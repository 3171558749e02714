"""底图 in a real browser (``-m browser``): the own base names the streets, then the
communities when zoomed in; a configured XYZ source is asked for its tiles; the overlay
control lists the OGC API index's overlays and loads their items for the view."""

import base64
import json

import pytest

from gridgov.core.testing import sign_in, wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# A 1×1 transparent PNG: what the fake tile server answers.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

SET_VIEW = "(c) => void window.GridGovMap.map.setView([c[1], c[0]], c[2], {animate: false})"
LABELS = ("Array.from(document.querySelectorAll('.gg-bm-label--{level}'))"
          ".map(function (e) {{ return e.textContent; }})")


def labels(page, level):
    return page.evaluate(LABELS.format(level=level))


def open_map(browser, server_url, user, **viewport):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 860},
                                  locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, server_url, user.username)
    return context, page, errors


def test_own_base_names_streets_then_communities(settings, leader, gulou_street,
                                                  gulou_community, server_url, browser):
    settings.GRIDGOV_TILE_URL = ""
    settings.GRIDGOV_TIANDITU_KEY = ""
    context, page, errors = open_map(browser, server_url, leader)
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server_url, "data:")) else None)
    # No overlays here yet: the index is answered with an empty list.
    page.route("**/ogcapi/collections?f=json", lambda route: route.fulfill(
        status=200, content_type="application/json", body='{"collections": []}'))
    page.goto(server_url + "/map/")
    wait_for_js(page, "!!(window.GridGovMap && window.GridGovMap.basemap)", timeout=15000)
    page.evaluate("window.GridGovMap.basemap.ready.then(() => true)")
    # District scale: the street names, no community names.
    page.evaluate(SET_VIEW, [gulou_street.centroid_lng, gulou_street.centroid_lat, 12])
    wait_for_js(page, "(n) => " + LABELS.format(level="street") + ".indexOf(n) >= 0",
                arg="鼓楼街道", timeout=10000)
    assert page.locator(".gg-bm-label--street", has_text="鼓楼街道").first.is_visible()
    assert labels(page, "community") == []
    # The land and the district are drawn beneath the map's own panes.
    assert page.locator(".leaflet-gg-base-pane canvas").count() == 1
    assert "gg-basemap-own" in page.get_attribute("#gg-map", "class")
    # Zoomed in: the community names appear.
    page.evaluate(SET_VIEW, [gulou_community.centroid_lng, gulou_community.centroid_lat, 14])
    wait_for_js(page, "(n) => " + LABELS.format(level="community") + ".indexOf(n) >= 0",
                arg=gulou_community.name, timeout=10000)
    # De-cluttered: no two labels' boxes overlap.
    overlaps = page.evaluate("""() => {
      const r = Array.from(document.querySelectorAll('.gg-bm-label span'))
        .map(e => e.getBoundingClientRect());
      let n = 0;
      for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++) {
        const a = r[i], b = r[j];
        if (a.left < b.right - 2 && b.left < a.right - 2 && a.top < b.bottom - 2 &&
            b.top < a.bottom - 2) n++;
      }
      return n;
    }""")
    assert overlaps == 0
    # Whole names only: none runs over the map's edge.
    cut = page.evaluate("""() => {
      const c = document.getElementById('gg-map').getBoundingClientRect();
      return Array.from(document.querySelectorAll('.gg-bm-label span'))
        .map(e => e.getBoundingClientRect())
        .filter(r => r.left < c.left || r.right > c.right || r.top < c.top ||
                     r.bottom > c.bottom).length;
    }""")
    assert cut == 0
    # No tile server: nothing fetched from any other host, and no overlay control.
    assert outside == []
    assert page.locator(".leaflet-control-layers").count() == 0
    assert errors == []
    context.close()


def test_failing_overlay_index_leaves_a_quiet_map(settings, leader, server_url, browser):
    context, page, errors = open_map(browser, server_url, leader)
    page.route("**/ogcapi/collections?f=json", lambda route: route.fulfill(
        status=503, content_type="application/json", body="{}"))
    page.goto(server_url + "/map/")
    wait_for_js(page, "!!(window.GridGovMap && window.GridGovMap.basemap)", timeout=15000)
    page.evaluate("window.GridGovMap.basemap.ready.then(() => true)")
    assert page.locator(".leaflet-control-layers").count() == 0
    # The browser itself reports the failed response once; the page adds nothing to it.
    assert [e for e in errors if "503" not in e] == []
    context.close()


def test_xyz_tiles_are_requested_from_the_configured_server(settings, leader, server_url,
                                                            browser):
    settings.GRIDGOV_TILE_URL = "https://tiles.gridgov.test/{z}/{x}/{y}.png"
    settings.GRIDGOV_TILE_ATTRIBUTION = "测试底图"
    settings.GRIDGOV_TILE_CRS = "wgs84"
    context, page, errors = open_map(browser, server_url, leader)
    asked = []

    def tile(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG)

    page.route("https://tiles.gridgov.test/**", tile)
    page.goto(server_url + "/map/")
    page.locator(".leaflet-tile-loaded").first.wait_for(state="attached", timeout=15000)
    assert asked and all(u.startswith("https://tiles.gridgov.test/") for u in asked)
    assert "测试底图" in page.inner_text(".leaflet-control-attribution")
    # Tiles replace the own base: no outlines fetched, no land pane.
    assert page.locator(".leaflet-gg-base-pane").count() == 0
    assert [e for e in errors if "ogcapi" not in e and "404" not in e] == []
    context.close()


def test_overlay_control_lists_and_loads_the_index_overlays(settings, leader, gulou_street,
                                                            server_url, browser, monkeypatch):
    # One item per request: the answer fills the limit, so the page says it was cut.
    monkeypatch.setattr("gridgov.web.basemap.OVERLAY_LIMIT", 1)
    settings.GRIDGOV_TILE_URL = ""
    settings.GRIDGOV_TIANDITU_KEY = ""
    lng, lat = gulou_street.centroid_lng, gulou_street.centroid_lat
    index = {"collections": [
        {"id": "streets", "title": "街道", "links": []},
        {"id": "cameras", "title": "视频监控", "gridgov:overlay": True, "links": [
            {"rel": "items", "type": "application/geo+json",
             "href": "http://internal:8000/ogcapi/collections/cameras/items"}]},
        {"id": "layer-cg01", "title": "城管部件", "gridgov:overlay": True, "links": []},
    ]}
    cameras = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "33020300001320000001",
         "geometry": {"type": "Point", "coordinates": [lng, lat]},
         "properties": {"code": "33020300001320000001", "name": "鼓楼测试摄像头",
                        "status": "online", "status_label": "在线", "kind_label": "球机",
                        "owner": "区公安分局", "url": "/video/cameras/33020300001320000001/"}}]}
    asked = []
    context, page, errors = open_map(browser, server_url, leader)
    page.route("**/ogcapi/collections?f=json", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(index)))

    def items(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="application/geo+json",
                      body=json.dumps(cameras))

    page.route("**/ogcapi/collections/cameras/items*", items)
    page.goto(server_url + "/map/")
    control = page.locator(".leaflet-control-layers")
    control.wait_for(state="attached", timeout=15000)
    page.evaluate(SET_VIEW, [lng, lat, 16])
    control.hover()
    entries = page.locator("[data-gg-overlay]")
    assert [entries.nth(i).inner_text() for i in range(entries.count())] == ["视频监控", "城管部件"]
    page.locator("label:has([data-gg-overlay=cameras]) input").check()
    marker = page.locator(".gg-bm-camera")
    marker.first.wait_for(state="visible", timeout=10000)
    # The items are asked of this site for the view, with a limit.
    assert asked[0].startswith(server_url + "/ogcapi/collections/cameras/items?")
    assert "bbox=" in asked[0] and "limit=1&" in asked[0] + "&" and "f=json" in asked[0]
    assert "仅显示前 1 个" in page.inner_text(".gg-bm-note")
    page.mouse.move(5, 400)
    marker.first.click()
    popup = page.locator(".leaflet-popup-content .gg-bm-popup")
    popup.wait_for(state="visible")
    assert "鼓楼测试摄像头" in popup.inner_text() and "在线" in popup.inner_text()
    assert popup.locator("a").get_attribute("href") == "/video/cameras/33020300001320000001/"
    # Moving the map asks again for the new view; switching off clears the layer.
    with page.expect_request("**/ogcapi/collections/cameras/items*") as moved:
        page.evaluate("void window.GridGovMap.map.panBy([200, 0], {animate: false})")
    assert moved.value.url != asked[0] and "bbox=" in moved.value.url
    control.hover()
    page.locator("label:has([data-gg-overlay=cameras]) input").uncheck()
    assert page.locator(".gg-bm-camera").count() == 0
    assert page.locator(".gg-bm-note").count() == 0
    assert errors == []
    context.close()


def test_case_map_has_the_own_base_and_camera_markers(settings, gulou_grid, server_url,
                                                      browser, monkeypatch):
    from gridgov.events.tests.helpers_command import make_event

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.GRIDGOV_TILE_URL = ""
    settings.GRIDGOV_TIANDITU_KEY = ""
    case = make_event(gulou_grid)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, "dispatch_gulou")
    page.route("**/ogcapi/collections?f=json", lambda route: route.fulfill(
        status=200, content_type="application/json", body='{"collections": []}'))
    page.goto(f"{server_url}/events/{case.pk}/")
    wait_for_js(page, "!!(window.GridGovCaseMap && window.GridGovCaseMap.basemap)")
    page.evaluate("window.GridGovCaseMap.basemap.ready.then(() => true)")
    # The own base names the place around the case (its community at least).
    wait_for_js(page, "document.querySelectorAll('#gg-case-map .gg-bm-label').length > 0",
                timeout=10000)
    # Nearby items of kind "camera" get the camera marker, reports stay dots.
    page.evaluate("""() => {
      const m = window.GridGovCaseMap, c = m.map.getCenter();
      m.addNearby('cameras-test', [
        {kind: 'camera', status: 'fault', title: '测试摄像头', subtitle: '', distance: 20,
         url: '/video/', point: [c.lat + 0.0005, c.lng]},
        {kind: 'report', title: 'R', subtitle: '', distance: 30, url: '',
         point: [c.lat - 0.0005, c.lng]}]);
    }""")
    assert page.locator("#gg-case-map .gg-bm-camera.gg-bm-camera--fault").count() == 1
    assert errors == []
    context.close()
