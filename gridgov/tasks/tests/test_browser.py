"""力量调度 end to end in a real browser (``-m browser``): the dispatcher assigns a task to
the nearest worker on duty on the desktop; the worker sees it on the terminal's home screen
and completes it with a photo and the device's position through the outbox."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from gridgov.core.testing import sign_in as desktop_sign_in
from gridgov.core.testing import wait_for_js
from gridgov.tasks.models import Task

from .support import GRID1, grid_point, offset

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks (one request at a time, see
    events/tests/test_browser_intake.py)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 140, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_dispatcher_assigns_nearest_and_worker_completes_with_photo(
        browser, server_url, dispatcher, grid_worker, grid_worker2, demo_password, on_duty):
    SHOTS.mkdir(parents=True, exist_ok=True)
    on_duty((grid_worker, 60), (grid_worker2, 1800))
    desk = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = desk.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    desktop_sign_in(page, server_url, "dispatch_gulou", demo_password)
    page.goto(server_url + f"/tasks/new/?grid={GRID1}")
    assert page.locator("#gg-task-onduty-table").is_visible()
    page.screenshot(path=str(SHOTS / "D-desktop-new.png"), full_page=True)
    page.select_option("#id_kind", "verify")
    page.fill("#id_title", "核查楼道堆物")
    page.fill("#id_instructions", "到 3 号楼楼道查看堆物是否清理,拍照回报。")
    lng, lat = grid_point()
    page.fill("#id_lng", f"{lng:.6f}")
    page.fill("#id_lat", f"{lat:.6f}")
    page.check("input[name=assign_to][value=nearest]")
    page.locator("#gg-task-form [type=submit]").click()
    page.wait_for_url("**/tasks/*/")
    task = Task.objects.get(title="核查楼道堆物")
    assert task.assignee == grid_worker and task.assign_mode == "nearest"
    assert "最近的在岗网格员" in page.content()

    there = offset((lng, lat), 25)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, locale="zh-CN",
                                geolocation={"longitude": there[0], "latitude": there[1],
                                             "accuracy": 10}, permissions=["geolocation"])
    m = phone.new_page()
    m.on("pageerror", lambda e: errors.append(str(e)))
    m.goto(server_url + "/m/login/")
    m.fill("input[name=username]", "gw_gulou")
    m.fill("input[name=password]", demo_password)
    m.locator("form[data-login-form] [type=submit]").click()
    m.wait_for_url(server_url + "/m/")
    section = m.locator("[data-today=tasks]")
    assert "核查楼道堆物" in section.inner_text()
    m.screenshot(path=str(SHOTS / "D-field-home.png"), full_page=True)
    section.locator("a", has_text="核查楼道堆物").first.click()
    m.wait_for_url(f"**/m/tasks/{task.pk}/")
    wait_for_js(m, "document.querySelector('#m-task-complete input[name=lng]').value !== ''")
    m.screenshot(path=str(SHOTS / "D-field-detail.png"), full_page=True)
    m.set_input_files("#m-task-photos", files=[{"name": "site.jpg", "mimeType": "image/jpeg",
                                               "buffer": photo()}])
    m.fill("#m-task-note", "堆物已清理,楼道通畅。")
    m.locator("#m-task-complete [type=submit]").click()
    m.wait_for_url(server_url + "/m/tasks/")
    wait_for_js(m, "GridgovOutbox.list().then(l => l.length > 0 && "
                   "l.every(i => i.status === 'done'))", timeout=90000)
    task.refresh_from_db()
    assert task.state == "done" and task.result_note == "堆物已清理,楼道通畅。"
    assert task.attachments.count() == 1
    assert task.done_distance_m == pytest.approx(25, abs=5)
    m.goto(server_url + "/m/tasks/?done=1")
    assert "核查楼道堆物" in m.content()
    m.screenshot(path=str(SHOTS / "D-field-list.png"), full_page=True)

    page.goto(server_url + f"/tasks/{task.pk}/")
    assert page.locator("#gg-task-distance").is_visible()
    page.screenshot(path=str(SHOTS / "D-desktop-detail.png"), full_page=True)
    page.goto(server_url + "/tasks/")
    page.screenshot(path=str(SHOTS / "D-desktop-list.png"), full_page=True)
    # The command room's pages on a phone: nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in ((f"/tasks/{task.pk}/", "detail"), ("/tasks/new/", "new")):
        page.goto(server_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.screenshot(path=str(SHOTS / f"D-desktop-{name}-390.png"), full_page=True)
    assert not errors, errors
    phone.close()
    desk.close()
