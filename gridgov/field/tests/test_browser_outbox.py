"""The outbox engine and the service worker in a real browser (``-m browser``), on a phone.

Writes go to the real intake API (``POST /api/v1/events/report/``) through a test page's
data-outbox form (``tests/urls.py``), and to a real workflow step with ``expected_version``
for the conflict. Offline is Playwright's network emulation (``context.set_offline``).
"""

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from gridgov.core.testing import wait_for_js
from gridgov.events.actions import perform
from gridgov.events.models import Event, EventAttachment
from gridgov.events.tests.intake_support import point_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db,
              pytest.mark.urls("gridgov.field.tests.urls")]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks (one request at a time, see
    events/tests/test_browser_intake.py)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def phone(browser, grid, **kwargs):
    lng, lat = point_in(grid)
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                               geolocation={"longitude": lng, "latitude": lat, "accuracy": 12},
                               permissions=["geolocation"], locale="zh-CN", **kwargs)


def sign_in(page, base, password, username="gw_gulou"):
    page.goto(base + "/m/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form[data-login-form] [type=submit]").click()
    page.wait_for_url(base + "/m/")


def big_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (40, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def items(page):
    return page.evaluate(
        "GridgovOutbox.list().then(l => l.map(i => ({id: i.id, status: i.status, "
        "label: i.label, errors: i.errors, response: i.response, replacedBy: i.replacedBy,"
        " files: (i.files || []).map(f => f.blob ? f.blob.size : f.size)})))")


def wait_for_worker(page):
    """Until the service worker controls the page (the page is then cached by it)."""
    wait_for_js(page, "navigator.serviceWorker.ready.then(() => true)", timeout=20000)
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    wait_for_js(page, "!!navigator.serviceWorker.controller", timeout=20000)


def report(page, text, photo=None):
    page.fill("textarea[name=description]", text)
    if photo:
        page.set_input_files("input[name=attachments]",
                             files=[{"name": "scene.png", "mimeType": "image/png",
                                     "buffer": photo}])
    wait_for_js(page, "document.querySelector('input[name=lng]').value !== ''")
    page.locator("form[data-outbox] [type=submit]").click()
    page.wait_for_url("**/m/outbox/")


def test_offline_reports_survive_closing_the_tab_and_are_created_once(
        browser, server_url, gulou_grid, grid_worker, demo_password):
    context = phone(browser, gulou_grid)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, demo_password)
    page.goto(server_url + "/m/test-outbox/")
    wait_for_worker(page)
    page.reload()  # through the worker: now the page is on the device

    context.set_offline(True)
    page.goto(server_url + "/m/test-outbox/")  # from the cache
    assert page.locator("[data-offline-banner]").is_visible()
    report(page, "离线上报一:井盖缺失", big_photo())  # the outbox page, from the cache too
    page.goto(server_url + "/m/test-outbox/")
    report(page, "离线上报二:路灯不亮")
    queued = items(page)
    assert [i["status"] for i in queued] == ["pending", "pending"]
    assert page.locator("[data-outbox-badge]").first.inner_text() == "2"
    page.screenshot(path=str(SHOTS / "A-outbox-offline.png"))
    assert Event.objects.filter(description__startswith="离线上报").count() == 0
    page.close()  # the tab is closed with both writes unsent

    page = context.new_page()
    page.goto(server_url + "/m/outbox/")
    assert [i["status"] for i in items(page)] == ["pending", "pending"]
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for_js(page, "GridgovOutbox.list().then(l => l.every(i => i.status === 'done'))",
                timeout=90000)
    one = Event.objects.get(description="离线上报一:井盖缺失")
    assert Event.objects.filter(description="离线上报二:路灯不亮").count() == 1
    assert one.reporter_user_id == grid_worker.pk
    photos = list(EventAttachment.objects.filter(event=one, public=False))
    assert len(photos) == 1, [(p.name, p.kind, p.size, p.step) for p in photos]
    photo = photos[0]
    with photo.file.open("rb") as handle:
        image = Image.open(handle)
        assert max(image.size) == 1600 and image.format == "JPEG"
    page.wait_for_selector(".m-outbox-item[data-status=done]")
    assert one.number in page.locator("[data-outbox-list]").inner_text()
    page.screenshot(path=str(SHOTS / "A-outbox-done.png"))
    assert not errors
    context.close()


def test_an_answer_lost_mid_sync_is_retried_without_a_duplicate(
        browser, server_url, gulou_grid, grid_worker, demo_password):
    context = phone(browser, gulou_grid, service_workers="block")
    page = context.new_page()
    sign_in(page, server_url, demo_password)
    calls = []

    def drop_first_answer(route):
        calls.append(route.request.headers.get("idempotency-key"))
        if len(calls) == 1:
            route.fetch()  # the request reaches the server and creates the event…
            route.abort("connectionreset")  # …and the answer never reaches the phone
        else:
            route.continue_()

    context.route("**/api/v1/events/report/", drop_first_answer)
    page.goto(server_url + "/m/test-outbox/")
    report(page, "应答丢失后重试:占道堆物")
    wait_for_js(page, "GridgovOutbox.list().then(l => l[0] && l[0].status === 'done')",
                timeout=90000)
    assert len(calls) == 2 and calls[0] == calls[1] and calls[0]
    assert Event.objects.filter(description="应答丢失后重试:占道堆物").count() == 1
    context.close()


def test_a_rejected_write_is_fixed_in_the_editor_and_resent(
        browser, server_url, gulou_grid, grid_worker, demo_password):
    context = phone(browser, gulou_grid)
    page = context.new_page()
    sign_in(page, server_url, demo_password)
    page.goto(server_url + "/m/test-outbox/")
    wait_for_js(page, "document.querySelector('[data-geo-status]').textContent.includes('12')")
    assert "已定位,精度约 12 米" in page.locator("[data-geo-status]").inner_text()
    report(page, "")  # no description: the server refuses it (400, field description)
    page.wait_for_selector(".m-outbox-item[data-status=rejected]", timeout=20000)
    rejected = items(page)[0]
    assert "description" in rejected["errors"]
    item = page.locator(".m-outbox-item[data-status=rejected]")
    assert "描述:" in item.inner_text()  # the reason under the form's own label
    item.get_by_role("button", name="修改后重发").click()
    editor = page.locator("form[data-outbox-editor]")
    assert editor.locator(".m-field.has-error .m-error").count() >= 1
    page.screenshot(path=str(SHOTS / "A-outbox-editor.png"))
    editor.locator("textarea[name=description]").fill("改正后重发:共享单车乱停")
    editor.locator("[type=submit]").click()
    wait_for_js(page, "GridgovOutbox.list().then(l => l.some(i => i.status === 'done'))",
                timeout=90000)
    after = {i["id"]: i for i in items(page)}
    old = after[rejected["id"]]
    assert old["status"] == "replaced" and old["replacedBy"] != rejected["id"]
    assert after[old["replacedBy"]]["status"] == "done"
    assert Event.objects.filter(description="改正后重发:共享单车乱停").count() == 1
    context.close()


def test_a_conflict_is_shown_and_not_overwritten(
        browser, server_url, gulou_grid, grid_worker, intake_clerk, demo_password, api_as):
    lng, lat = point_in(gulou_grid)
    answer = api_as(grid_worker).post("/api/v1/events/report/", {
        "description": "冲突测试:垃圾满溢", "lng": lng, "lat": lat}, format="json")
    assert answer.status_code == 201, answer.content
    event = Event.objects.get(pk=answer.json()["id"])
    stale = event.version
    perform("register", event, actor=intake_clerk, data={})  # the command room moved it on
    event.refresh_from_db()
    assert event.version != stale

    context = phone(browser, gulou_grid)
    page = context.new_page()
    sign_in(page, server_url, demo_password)
    page.goto(server_url + "/m/outbox/")
    page.evaluate(
        """([url, version]) => GridgovOutbox.enqueue({kind: "resolve", label: "自行处置:冲突测试",
            url: url, fields: {remark: "已清理", expected_version: String(version)}})""",
        [f"/api/v1/events/{event.pk}/resolve_on_spot/", stale])
    page.wait_for_selector(".m-outbox-item[data-status=conflict]", timeout=20000)
    conflict = page.locator(".m-outbox-item[data-status=conflict]")
    assert "有冲突" in conflict.inner_text()
    assert str(event.version) in conflict.locator(".m-outbox-current").inner_text()
    page.screenshot(path=str(SHOTS / "A-outbox-conflict.png"))
    event.refresh_from_db()
    assert event.state == "registered"
    page.on("dialog", lambda d: d.accept())
    conflict.get_by_role("button", name="放弃").click()
    wait_for_js(page, "GridgovOutbox.list().then(l => l.length === 0)")
    context.close()
