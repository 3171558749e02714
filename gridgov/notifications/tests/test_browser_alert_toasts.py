"""alerts.js builds every toast of its own with one builder (``addToast``): a note without the
shell's ``gg.toast`` (here: the session ending while the page is open) has the alert toast's
box, classes and close button (``-m browser``). The alert toast itself is followed in
test_browser_alerts.py."""

import pytest
from django.test import override_settings

from gridgov.core.testing import sign_in, wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@override_settings(GRIDGOV_ALERT_POLL_SECONDS=0.5)
def test_a_note_without_the_shell_is_built_like_an_alert(browser, server_url, dispatcher):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    page = context.new_page()
    sign_in(page, server_url, "dispatch_gulou")
    wait_for_js(page, f"!!localStorage.getItem('gg.alerts.after.{dispatcher.pk}')")
    page.evaluate("window.gg.toast = undefined")  # as on a page without shell.js
    context.clear_cookies()  # the session ends: the next poll is refused
    wait_for_js(page, "!!document.querySelector('.gg-alert-toast[role=status]')")
    toast = page.locator(".gg-alert-toast[role=status]")
    assert "登录已失效" in toast.inner_text()
    assert toast.get_attribute("class") == "gg-toast gg-toast-warn gg-alert-toast gg-alert-warn"
    assert toast.locator(".gg-alert-body").count() == 1
    toast.get_by_role("button", name="关闭").click()
    assert page.locator(".gg-alert-toast").count() == 0
    context.close()
