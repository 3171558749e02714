"""An alert appears for the holder of a case, in a real browser (``-m browser``).

The street's dispatcher has the command room open; the case they hold goes overdue on the
server (the deadline job's action). Within the polling interval, without a reload, a toast
names the case, the bell counts it and the 已超期 tab's count goes up; following the toast
marks the notice read and opens the case. The sound switch is remembered.
"""

import pytest
from django.test import override_settings

from gridgov.core.testing import sign_in, wait_for_js
from gridgov.events import actions as ev
from gridgov.events.choices import State
from gridgov.events.tests.helpers_command import make_event, make_overdue
from gridgov.notifications.choices import Kind
from gridgov.notifications.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

TOAST = ".gg-alert-toast[data-kind=overdue]"
OVERDUE_COUNT = "#gg-queue-tabs [data-queue=overdue] [data-count]"


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test writes between polls in the thread where Playwright's sync API runs an event
    loop; Django refuses that unless told it is safe. It is: the page's polling is paused
    (``ggAlerts.pause()`` resolves once no request is in flight) while the test writes."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def overdue_count(page) -> int:
    return int(page.get_attribute(OVERDUE_COUNT, "data-count"))


def opened(browser, server_url, username, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, server_url, username)
    return context, page


@pytest.mark.parametrize("width", [1440, 390])
@override_settings(GRIDGOV_ALERT_POLL_SECONDS=0.5, GRIDGOV_QUEUE_REFRESH_SECONDS=120)
def test_overdue_case_alerts_the_dispatcher_without_a_reload(
        browser, server_url, gulou_grid, dispatcher, django_capture_on_commit_callbacks, width):
    event = make_event(gulou_grid, state=State.FILED)
    context, page = opened(browser, server_url, "dispatch_gulou", width)
    page.goto(server_url + "/events/command/?queue=to_dispatch")
    # The first answer (the baseline) is in: the page remembers the newest notice it saw.
    wait_for_js(page, f"!!localStorage.getItem('gg.alerts.after.{dispatcher.pk}')")
    before = overdue_count(page)
    page.evaluate("window.ggNotReloaded = true")

    page.evaluate("window.ggAlerts.pause()")
    with django_capture_on_commit_callbacks(execute=True):
        ev.mark_deadline(make_overdue(event), kind="overdue")
    page.evaluate("window.ggAlerts.resume()")

    wait_for_js(page, f"!!document.querySelector('{TOAST}')")
    toast = page.locator(TOAST)
    assert event.number in toast.inner_text() and "已超期" in toast.inner_text()
    assert "gg-alert-danger" in toast.get_attribute("class")
    # The queue refreshed itself: the overdue tab counts the case, on the same page.
    wait_for_js(page, f"+document.querySelector('{OVERDUE_COUNT}').dataset.count === {before + 1}")
    assert page.evaluate("window.ggNotReloaded === true")
    assert int(page.inner_text("[data-gg-bell-count]")) >= 1
    # Nothing on a phone scrolls sideways, toast included.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = toast.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width

    toast.get_by_role("button", name="查看").click()
    page.wait_for_url(f"{server_url}/events/{event.pk}/")
    page.evaluate("window.ggAlerts.pause()")
    note = Notification.objects.get(user=dispatcher, kind=Kind.OVERDUE, event=event)
    assert note.read_at is not None
    context.close()


@override_settings(GRIDGOV_ALERT_POLL_SECONDS=0.5)
def test_the_sound_switch_is_off_by_default_and_remembered(browser, server_url, dispatcher):
    context, page = opened(browser, server_url, "dispatch_gulou", 1440)
    button = page.locator("[data-gg-sound]")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.locator("[data-gg-sound]").get_attribute("aria-pressed") == "true"
    page.evaluate("window.ggAlerts.pause()")
    context.close()


@override_settings(GRIDGOV_ALERT_POLL_SECONDS=30, GRIDGOV_QUEUE_REFRESH_SECONDS=120)
def test_a_refresh_waits_while_the_person_is_typing(browser, server_url, gulou_grid,
                                                    dept_handler):
    event = make_event(gulou_grid, state=State.DISPATCHED)
    context, page = opened(browser, server_url, "handler_zhifa", 390)
    page.goto(server_url + "/events/department/?queue=to_claim")
    row = page.locator(f"tr[data-event='{event.pk}']")
    row.locator("summary", has_text="回退").click()
    row.locator("textarea[name=reason]").fill("不属于本部门职责")
    page.evaluate("htmx.trigger('#gg-queue-live', 'gg:refresh')")
    wait_for_js(page, "document.querySelector('#gg-queue-live').hasAttribute('data-gg-held')")
    assert row.locator("textarea[name=reason]").input_value() == "不属于本部门职责"
    # Done typing and the form closed: the next refresh goes through and redraws the rows.
    row.locator("summary", has_text="回退").click()
    page.evaluate("document.activeElement.blur()")
    page.evaluate("document.querySelector('#gg-queue-live').dataset.stale = '1'")
    page.evaluate("htmx.trigger('#gg-queue-live', 'gg:refresh')")
    wait_for_js(page, "!document.querySelector('#gg-queue-live').dataset.stale")
    page.evaluate("window.ggAlerts.pause()")
    context.close()
