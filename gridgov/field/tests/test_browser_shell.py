"""The terminal's shell in a real browser on a phone (``-m browser``): sign-in, the pages,
tabs, installability, and sign-out that warns about unsent items and clears the device."""

import os
from pathlib import Path

import pytest

from gridgov.accounts.models import DeviceToken
from gridgov.core.testing import wait_for_js

from .test_browser_outbox import phone, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_sign_in_home_me_and_tabs_on_a_phone(browser, server_url, gulou_grid, grid_worker,
                                             demo_password):
    context = phone(browser, gulou_grid)
    page = context.new_page()
    errors, outside = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server_url, "data:", "blob:")) else None)
    page.goto(server_url + "/m/")
    assert "/m/login/" in page.url
    page.screenshot(path=str(SHOTS / "A-login-390.png"), full_page=True)
    sign_in(page, server_url, demo_password)
    assert page.locator(".m-tab[aria-current=page]").inner_text() == "待办"
    assert grid_worker.real_name in page.locator(".m-hello").inner_text()
    # Installable: the manifest is linked and the worker takes control.
    wait_for_js(page, "navigator.serviceWorker.ready.then(r => !!r.active)", timeout=20000)
    manifest = page.evaluate("fetch(document.querySelector('link[rel=manifest]').href)"
                             ".then(r => r.json())")
    assert manifest["scope"] == "/m/"
    page.screenshot(path=str(SHOTS / "A-home-390.png"), full_page=True)
    # Tap targets of the bottom tabs are at least 44 px high.
    for box in page.locator(".m-tab").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().height)"):
        assert box >= 44
    page.locator(".m-tab[data-tab-key=me]").click()
    page.wait_for_url("**/m/me/")
    assert page.locator(".m-tab[aria-current=page]").inner_text() == "我的"
    assert "移动终端" in page.locator(".m-card").nth(1).inner_text()
    page.screenshot(path=str(SHOTS / "A-me-390.png"), full_page=True)
    page.locator("a[href='/m/outbox/']").first.click()
    page.wait_for_url("**/m/outbox/")
    page.locator("[data-outbox-empty]").wait_for(state="visible")
    page.screenshot(path=str(SHOTS / "A-outbox-empty-390.png"), full_page=True)
    # Offline: a page never opened shows the offline page, not the browser's error.
    context.set_offline(True)
    page.goto(server_url + "/m/patrol/never-opened/")
    assert page.locator("[data-offline-page]").is_visible()
    page.screenshot(path=str(SHOTS / "A-offline-390.png"), full_page=True)
    page.goto(server_url + "/m/me/")  # opened before: from the device
    assert page.locator("[data-offline-banner]").is_visible()
    assert "离线" in page.locator("[data-net-state]").inner_text()
    context.set_offline(False)
    assert not errors, errors
    assert not outside, outside
    context.close()


def test_sign_out_warns_about_unsent_items_then_clears_the_device(
        browser, server_url, gulou_grid, grid_worker, demo_password):
    context = phone(browser, gulou_grid)
    page = context.new_page()
    sign_in(page, server_url, demo_password)
    wait_for_js(page, "navigator.serviceWorker.ready.then(r => !!r.active)", timeout=20000)
    context.set_offline(True)
    page.goto(server_url + "/m/me/")
    wait_for_js(page, "!!window.GridgovOutbox")
    page.evaluate("""GridgovOutbox.enqueue({kind: "report", label: "上报:未发送",
        url: "/api/v1/events/report/", fields: {description: "未发送"}})""")
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="退出登录").click()
    wait_for_js(page, "true")
    page.wait_for_timeout(300)
    assert dialogs and "1 条内容未发送" in dialogs[0]
    assert "/m/me/" in page.url  # kept: the worker said no
    assert page.evaluate("GridgovOutbox.list().then(l => l.length)") == 1
    context.set_offline(False)
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/m/login/?signed_out=1")
    assert len(dialogs) == 2
    assert DeviceToken.objects.get(user=grid_worker).revoked_at is not None
    # No page is left on the device (the sign-in page's own static files, nobody's data,
    # may be cached again at once).
    assert page.evaluate("caches.keys().then(k => k.filter(n => !n.startsWith("
                         "'gg-field-static-')).length)") == 0
    assert page.evaluate("""new Promise(r => { const q = indexedDB.open("gridgov-field");
        q.onsuccess = () => { const db = q.result; const n = db.objectStoreNames.length;
        if (!n) { db.close(); return r(0); }
        const c = db.transaction("items").objectStore("items").count();
        c.onsuccess = () => { db.close(); r(c.result); }; }; })""") == 0
    assert "已退出登录" in page.locator(".m-login").inner_text()
    context.close()
