"""走访 in a real browser on a 390 px phone (``-m browser``): a visit recorded offline with a
photo and the device's position, the tab closed, then sent once when the network returns;
the screens at 390 px (field) and 1440 px (desktop) without sideways scrolling."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from gridgov.core.testing import wait_for_js
from gridgov.field.tests.test_browser_outbox import items, phone, sign_in, wait_for_worker
from gridgov.visits import actions
from gridgov.visits.models import Visit, VisitSchedule

from .support import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks (one request at a time, see
    events/tests/test_browser_intake.py)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"H-{name}.png"), full_page=True)


def no_sideways_scroll(page):
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1500), (90, 160, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def overdue(gulou_grid, grid_worker):
    person = make_person(gulou_grid, "浏览走访", "独居老人", "高龄老人")
    actions.sync_schedules([person.pk], today=timezone.localdate() - dt.timedelta(days=10))
    other = make_person(gulou_grid, "浏览电话", "残疾人")
    actions.sync_schedules([other.pk], today=timezone.localdate() - dt.timedelta(days=27))
    actions.record_visit(other, kind="phone", notes="电话问候,一切正常。",
                         visited_at=timezone.now() - dt.timedelta(days=2), actor=grid_worker)
    return person


def test_a_visit_recorded_offline_is_sent_once(browser, server_url, gulou_grid, grid_worker,
                                               demo_password, overdue):
    context = phone(browser, gulou_grid)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, demo_password)
    shot(page, "home")
    assert page.locator("[data-today=visits]").count() == 1
    page.goto(server_url + "/m/visits/")
    assert "逾期 3 天" in page.locator("[data-visits-due]").inner_text()
    assert no_sideways_scroll(page)
    shot(page, "list")
    person_url = server_url + f"/m/visits/{overdue.pk}/"
    page.goto(person_url)
    wait_for_worker(page)
    page.reload()  # through the worker: the screen is on the device now
    page.goto(person_url + "new/")  # opened once online: kept for offline use
    shot(page, "new")

    context.set_offline(True)
    page.goto(person_url)
    shot(page, "person-offline")
    page.locator("a", has_text="记录走访").click()
    page.wait_for_url("**/new/")
    page.locator("label.m-chip", has_text="上门").click()
    page.fill("textarea[name=notes]", "上门查看,老人身体尚可,厨房燃气软管老化。")
    page.locator("label.m-chip", has_text="安全隐患").click()
    page.set_input_files("input[name=photos]", files=[
        {"name": "visit.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    wait_for_js(page, "document.querySelector('input[name=lng]').value !== ''")
    assert no_sideways_scroll(page)
    shot(page, "new-filled")
    submitted = timezone.now()
    page.locator("form[data-outbox] [type=submit]").click()
    page.wait_for_url(person_url)
    wait_for_js(page, "GridgovOutbox.list().then(l => l.length === 1 && "
                      "l[0].status === 'pending')")
    assert not Visit.objects.filter(person=overdue).exists()
    # The device's time was stamped on the stored form (not left to the server's receipt).
    stamped = page.evaluate("GridgovOutbox.list().then(l => l[0].fields.visited_at)")
    assert abs((dt.datetime.fromisoformat(stamped.replace("Z", "+00:00"))
                - submitted).total_seconds()) < 60
    page.close()  # closed before the network comes back

    page = context.new_page()
    page.goto(server_url + "/m/outbox/")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for_js(page, "GridgovOutbox.list().then(l => l.every(i => i.status === 'done'))",
                timeout=90000)
    assert [i["status"] for i in items(page)] == ["done"]
    visit = Visit.objects.get(person=overdue)
    assert visit.needs == ["safety"] and "燃气" in visit.notes and visit.kind == "home"
    assert visit.photos.count() == 1 and visit.lng and visit.accuracy_m == 12
    # The device's time of the visit, not the time it reached the server.
    assert abs((visit.visited_at - submitted).total_seconds()) < 60
    row = VisitSchedule.objects.get(person=overdue, governing=True)
    assert row.next_due == timezone.localdate(visit.visited_at) + dt.timedelta(days=7)
    page.goto(person_url)
    assert "燃气软管" in page.locator(".m-timeline").inner_text()
    shot(page, "person")
    assert not errors
    context.close()


def test_desktop_pages_at_1440(browser, server_url, gulou_grid, leader, sys_admin,
                               overdue, demo_password):
    from gridgov.core.testing import sign_in as desk_sign_in

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    desk_sign_in(page, server_url, "leader_gulou", demo_password)
    page.goto(server_url + "/visits/?state=week")
    assert "浏览走访" in page.content()
    shot(page, "desk-overdue")
    page.goto(server_url + f"/visits/people/{overdue.pk}/")
    shot(page, "desk-person")
    page.goto(server_url + "/visits/plans/")
    assert "独居老人" in page.content()
    shot(page, "desk-plans")
    context.close()
