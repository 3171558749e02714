"""The report screen in a real browser on a phone (``-m browser``): camera first, the GPS fix
with its accuracy on the map, the marker moved by hand, a class found by search; sent online
at once, and offline through the outbox once the network is back, each created once."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from gridgov.core.testing import sign_in as desktop_sign_in
from gridgov.core.testing import wait_for_js
from gridgov.events.choices import State
from gridgov.events.models import Event, EventAttachment, MinorCategory
from gridgov.events.tests.intake_support import point_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))
CLASS = "0109"


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks (one request at a time, see
    events/tests/test_browser_intake.py)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def phone(browser, grid, viewport=None):
    lng, lat = point_in(grid)
    return browser.new_context(
        viewport=viewport or {"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        geolocation={"longitude": lng, "latitude": lat, "accuracy": 12},
        permissions=["geolocation"], locale="zh-CN")


def sign_in(page, base, password, username="gw_gulou"):
    page.goto(base + "/m/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form[data-login-form] [type=submit]").click()
    page.wait_for_url(base + "/m/")


def jpeg(colour=(200, 60, 40)) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), colour).save(buffer, "JPEG")
    return {"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def open_form(page, base):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/m/report/")
    wait_for_js(page, "document.querySelector('[data-gg-point]').ggPicker !== undefined")
    wait_for_js(page, "document.querySelector('input[name=lng]').value !== ''", timeout=15000)
    return errors


def take_photos(page):
    page.set_input_files("input[data-photo-pick=attachments][capture]", files=[jpeg()])
    page.set_input_files("input[data-photo-pick=attachments][multiple]",
                         files=[jpeg((30, 90, 200))])
    thumbs = page.locator("[data-photo-thumbs=attachments] li")
    assert thumbs.count() == 2
    thumbs.nth(1).locator("button").click()  # removed again
    assert thumbs.count() == 1
    assert page.evaluate("document.querySelector('input[name=attachments]').files.length") == 1


def pick_class(page):
    name = MinorCategory.objects.get(code=CLASS).name
    page.fill("[data-category-search]", name[:2])
    page.locator(f"[data-category-list] li[data-code='{CLASS}'] button").click()
    assert page.locator("[data-category-chosen]").is_visible()
    assert page.input_value("input[name=category]") == CLASS
    return name


def drag_marker(page, dx=50, dy=-40):
    marker = page.locator(".m-report-map .leaflet-marker-draggable")
    marker.scroll_into_view_if_needed()
    box = marker.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=4)
    page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()
    wait_for_js(page, "document.querySelector('[data-position-corrected]').value === 'true'")


def test_report_online_with_photo_corrected_point_and_searched_class(
        browser, server_url, gulou_grid, grid_worker, demo_password):
    context = phone(browser, gulou_grid)
    page = context.new_page()
    sign_in(page, server_url, demo_password)
    errors = open_form(page, server_url)
    assert "定位精度 ±12 米" in page.locator("[data-geo-status]").inner_text()
    take_photos(page)
    fix = (float(page.input_value("input[name=lng]")), float(page.input_value("input[name=lat]")))
    drag_marker(page)
    assert page.locator("[data-corrected]").is_visible()
    moved = (float(page.input_value("input[name=lng]")), float(page.input_value("input[name=lat]")))
    assert moved != fix
    name = pick_class(page)
    page.fill("textarea[name=description]", "浏览器上报:人行道井盖缺失")
    page.screenshot(path=str(SHOTS / "B-report-filled.png"), full_page=True)
    before = Event.objects.count()
    page.locator("[data-report-submit]").click()
    page.wait_for_url("**/m/report/?sent=1", timeout=90_000)
    wait_for_js(page, "GridgovOutbox.list().then(l => l.length > 0 && "
                      "l.every(i => i.status === 'done'))", timeout=90000)
    event = Event.objects.get(description="浏览器上报:人行道井盖缺失")
    assert Event.objects.count() == before + 1
    assert abs(event.lng - moved[0]) < 1e-6 and abs(event.lat - moved[1]) < 1e-6
    assert event.position_corrected is True and event.accuracy_m == 12
    assert event.category.code == CLASS and event.observed_at is not None
    assert EventAttachment.objects.filter(event=event, public=False).count() == 1
    page.reload()
    assert event.number in page.locator("[data-report-recent]").inner_text()
    page.screenshot(path=str(SHOTS / "B-report-sent.png"), full_page=True)
    # The class is now a recent choice.
    page.goto(server_url + "/m/report/")
    assert page.locator(f"[data-category-recent] [data-code='{CLASS}']").inner_text() == name
    assert not errors, errors
    # The command room's case file shows the device's accuracy and the correction.
    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    case = desk.new_page()
    desktop_sign_in(case, server_url, "shift_gulou", demo_password)
    case.goto(f"{server_url}/events/{event.pk}/")
    facts = case.locator(".gg-case-facts").inner_text()
    assert "定位精度 ±12 米" in facts and "已手动校正" in facts
    case.locator(".gg-case-facts").screenshot(path=str(SHOTS / "B-casefile-accuracy.png"))


def test_report_offline_is_queued_and_sent_once_when_online(
        browser, server_url, gulou_grid, grid_worker, demo_password):
    context = phone(browser, gulou_grid)
    page = context.new_page()
    sign_in(page, server_url, demo_password)
    open_form(page, server_url)
    # Once the service worker runs the page, it keeps the form and the "sent" page (a
    # data-precache link) for offline use.
    wait_for_js(page, "navigator.serviceWorker.ready.then(() => true)", timeout=20000)
    errors = open_form(page, server_url)
    wait_for_js(page, "!!navigator.serviceWorker.controller", timeout=20000)
    wait_for_js(page, "caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then("
                      "c => c.keys())))).then(ls => ls.flat().some(r => "
                      "r.url.endsWith('/m/report/?sent=1')))", timeout=20000)
    page.set_input_files("input[data-photo-pick=attachments][capture]", files=[jpeg()])
    pick_class(page)
    page.fill("textarea[name=description]", "离线上报:路灯不亮")
    context.set_offline(True)
    page.locator("[data-report-submit]").click()
    page.wait_for_url("**/m/report/?sent=1", timeout=90_000)
    page.locator("[data-report-queued] li").first.wait_for(timeout=10000)
    assert "路灯" not in page.locator("[data-report-recent]").inner_text()
    assert page.locator("[data-report-sent-title]").inner_text() == "已保存,联网后自动上报"
    page.screenshot(path=str(SHOTS / "B-report-offline-sent.png"), full_page=True)
    assert Event.objects.filter(description="离线上报:路灯不亮").count() == 0
    context.set_offline(False)
    page = context.new_page()
    page.goto(server_url + "/m/outbox/")
    wait_for_js(page, "GridgovOutbox.list().then(l => l.length > 0 && "
                      "l.every(i => i.status === 'done'))", timeout=90000)
    assert Event.objects.filter(description="离线上报:路灯不亮").count() == 1
    # Once more on line: nothing is sent twice.
    page.evaluate("GridgovOutbox.flush()")
    assert Event.objects.filter(description="离线上报:路灯不亮").count() == 1
    assert not errors, errors


def test_report_screens_at_360(browser, server_url, gulou_grid, grid_worker, demo_password):
    context = phone(browser, gulou_grid, viewport={"width": 360, "height": 640})
    page = context.new_page()
    sign_in(page, server_url, demo_password)
    errors = open_form(page, server_url)
    page.screenshot(path=str(SHOTS / "B-report-360.png"))
    page.fill("[data-category-search]", "垃圾")
    page.locator("[data-spot-toggle]").check()
    assert page.locator("[data-spot-fields]").is_visible()
    page.screenshot(path=str(SHOTS / "B-report-360-full.png"), full_page=True)
    # Tap targets of the main controls are at least 44 px high.
    for selector in ("label.m-report-camera", "label.m-report-album", "[data-report-submit]",
                     "[data-category-list] li:not([hidden]) button"):
        assert page.locator(selector).first.bounding_box()["height"] >= 44, selector
    # Resolved on the spot, with the after photo: one request, the event waits for checking.
    page.set_input_files("input[data-photo-pick=attachments][capture]", files=[jpeg()])
    page.set_input_files("input[data-photo-pick=after_photos][capture]",
                         files=[jpeg((40, 160, 60))])
    assert page.locator("[data-photo-thumbs=after_photos] li").count() == 1
    pick_class(page)
    page.fill("textarea[name=description]", "自行处置:路面散落垃圾")
    page.fill("textarea[name=resolution]", "已当场清扫干净")
    page.locator("[data-report-submit]").click()
    page.wait_for_url("**/m/report/?sent=1", timeout=90_000)
    wait_for_js(page, "GridgovOutbox.list().then(l => l.length > 0 && "
                      "l.every(i => i.status === 'done'))", timeout=90000)
    event = Event.objects.get(description="自行处置:路面散落垃圾")
    assert event.state == State.COMPLETED and event.resolved_on_spot
    step = event.steps.get(action="resolve_on_spot")
    assert EventAttachment.objects.filter(event=event, step=step.seq, public=False).count() == 1
    assert not errors, errors
