"""核查 on a phone in a real browser (``-m browser``): open the case to verify, take a photo,
verify with the device's position → closed, with the distance on the step; and the same
offline: queued in the outbox, sent once when the network returns."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from gridgov.core.testing import wait_for_js
from gridgov.demo.users import GULOU_GRID
from gridgov.events.choices import State
from gridgov.events.models import Event, EventStep
from gridgov.events.tests.workflow_support import call, new_event, people

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))
PHONE = {"width": 390, "height": 844}
# The phone stands about 30 m north of the event.
OFFSET_DEG = 30 / 111_195


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks (one request at a time, see
    events/tests/test_browser_intake.py)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def completed(db):
    p = people()
    event = new_event(p, grid=GULOU_GRID)
    for action in ("register", "file", "dispatch", "claim", "complete"):
        event = call(action, event, p)
    return event


def phone(browser, event):
    return browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
        geolocation={"longitude": event.lng, "latitude": event.lat + OFFSET_DEG,
                     "accuracy": 12},
        permissions=["geolocation"])


def sign_in(page, base, password):
    page.goto(base + "/m/login/")
    page.fill("input[name=username]", "gw_gulou")
    page.fill("input[name=password]", password)
    page.locator("form[data-login-form] [type=submit]").click()
    page.wait_for_url(base + "/m/")


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (60, 140, 90)).save(out, "JPEG")
    return out.getvalue()


def fill_verify(page):
    page.set_input_files("#m-verify-photos", files=[
        {"name": "site.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    page.locator("[data-photo-preview] img").first.wait_for()
    wait_for_js(page, "document.querySelector('#m-act-verify input[name=lng]').value !== ''")
    page.locator("[data-geo-distance]").wait_for()
    assert page.locator("[data-geo-distance]").inner_text() == "距事件约 30 米"


def outbox_done(page):
    wait_for_js(page, "GridgovOutbox.list().then(l => l.length > 0 && "
                      "l.every(i => i.status === 'done'))", timeout=90000)


def wait_for_worker(page):
    """Until the service worker controls the page (the page is then cached by it)."""
    wait_for_js(page, "navigator.serviceWorker.ready.then(() => true)", timeout=20000)
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    wait_for_js(page, "!!navigator.serviceWorker.controller", timeout=20000)


def test_verify_on_site_with_photo_and_position_closes_the_case(
        browser, server_url, completed, demo_password):
    context = phone(browser, completed)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, demo_password)
    page.goto(server_url + "/m/events/")
    page.screenshot(path=str(SHOTS / "C-events-list.png"))
    page.locator(f'[data-event="{completed.number}"] a').click()
    page.wait_for_url(f"**/m/events/{completed.number}/")
    page.locator("#m-event-map .leaflet-interactive").first.wait_for()
    page.screenshot(path=str(SHOTS / "C-event-detail.png"))
    fill_verify(page)
    page.locator("#m-act-verify").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "C-event-verify-form.png"))
    page.locator("#m-act-verify [type=submit]").click()
    # Queued in IndexedDB (photo resized on the device), then the list from the cache: slow on
    # a loaded machine.
    page.wait_for_url("**/m/events/?tab=verify", timeout=90_000)
    outbox_done(page)
    completed.refresh_from_db()
    assert completed.state == State.CLOSED
    step = EventStep.objects.get(event=completed, action="verify")
    assert 28 <= step.place_distance_m <= 32 and step.place_accuracy_m == 12
    page.goto(server_url + f"/m/events/{completed.number}/")
    line = page.locator(".m-step-position").inner_text()
    assert line.startswith("核查位置距事件 ") and "(精度 ±12 米)" in line
    page.locator(".m-step-position").scroll_into_view_if_needed()
    # The check's photo is shown on its step through the scoped thumbnail view.
    wait_for_js(page, "Array.from(document.querySelectorAll('.m-photos--step img'))"
                      ".every(i => i.complete && i.naturalWidth > 0)")
    assert page.locator("[data-step=verify] .m-photos--step img").count() == 1
    page.screenshot(path=str(SHOTS / "C-event-closed.png"))
    assert not errors
    context.close()


def test_a_failed_check_needs_the_reason_on_the_device(
        browser, server_url, completed, demo_password):
    context = phone(browser, completed)
    page = context.new_page()
    sign_in(page, server_url, demo_password)
    page.goto(server_url + f"/m/events/{completed.number}/")
    page.locator("#m-act-verify label.m-choice--danger").click()
    button = page.locator("#m-act-verify [type=submit]")
    assert button.inner_text() == "退回重办"
    assert page.evaluate("document.querySelector('#m-verify-remark').required")
    page.locator("#m-act-verify").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "C-event-verify-failed.png"))
    context.close()


def test_offline_verification_is_queued_and_sent_once(
        browser, server_url, completed, demo_password):
    context = phone(browser, completed)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, demo_password)
    page.goto(server_url + "/m/events/?tab=verify")
    wait_for_worker(page)
    page.goto(server_url + "/m/events/?tab=verify")  # through the worker: cached
    page.goto(server_url + f"/m/events/{completed.number}/")

    context.set_offline(True)
    page.goto(server_url + f"/m/events/{completed.number}/")  # from the device's cache
    assert page.locator("[data-offline-banner]").is_visible()
    fill_verify(page)
    page.locator("#m-act-verify [type=submit]").click()
    # Queued in IndexedDB (photo resized on the device), then the list from the cache: slow on
    # a loaded machine.
    page.wait_for_url("**/m/events/?tab=verify", timeout=90_000)
    queued = page.evaluate("GridgovOutbox.list().then(l => l.map(i => i.status))")
    assert queued == ["pending"]
    # The cached list still shows the case to verify, and says the check is on its way.
    page.locator(f'[data-event="{completed.number}"] [data-queued-badge]').wait_for()
    page.screenshot(path=str(SHOTS / "C-events-offline-queued.png"))
    assert Event.objects.get(pk=completed.pk).state == State.COMPLETED
    page.close()  # the tab is closed with the check unsent

    page = context.new_page()
    page.goto(server_url + "/m/outbox/")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    outbox_done(page)
    assert Event.objects.get(pk=completed.pk).state == State.CLOSED
    assert EventStep.objects.filter(event=completed, action="verify").count() == 1
    assert not errors
    context.close()


def test_the_command_room_sees_how_far_from_the_event_the_check_was_made(
        browser, server_url, completed, demo_password):
    from gridgov.core.testing import sign_in as desk_sign_in
    from gridgov.events import actions
    from gridgov.events.tests.workflow_support import photo

    p = people()
    actions.verify_event(completed, passed=False, remark="垃圾仍未清理", actor=p["worker"],
                         attachments=[photo()], lng=completed.lng,
                         lat=completed.lat + 450 / 111_195, accuracy_m="25",
                         expected_version=completed.version)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    desk_sign_in(page, server_url, "shift_gulou", demo_password)
    page.goto(server_url + f"/events/{completed.pk}/")
    line = page.locator(".gg-step-verify .gg-step-position")
    assert line.inner_text() == "核查位置距事件 450 米(精度 ±25 米),超出 200 米范围"
    assert "gg-badge-warn" in line.get_attribute("class")
    line.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "C-casefile-position.png"))
    context.close()
