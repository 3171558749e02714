"""The closed loop in a real browser, as the district's people do it (``-m browser``).

A resident reports on the public page; the clerk registers it from the command room, the
shift leader files it, the dispatcher dispatches it with one click, the department claims
and completes it, the grid worker verifies it on site and it closes; the resident follows
the private link from the done page and rates it; the detail page's timeline then shows
every step. A case past its deadline turns red in the command room and
its alert reaches the notifications of whoever holds the stage.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from gridgov.core.testing import sign_in, wait_for_js
from gridgov.events.choices import State
from gridgov.events.models import Event

from .intake_support import point_in
from .workflow_support import photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _photo(name) -> dict:
    """A site photo for a file input (completion and verification need one by default)."""
    return {"name": name, "mimeType": "image/jpeg", "buffer": photo().read()}


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks, in the thread where Playwright's sync API
    runs an event loop; Django refuses that unless told it is safe. It is: the live server
    answers one request at a time on this same connection, and the test only queries while
    no request is in flight."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


STEPS = ["上报", "受理", "立案", "派遣", "签收", "处置完毕", "核查"]


def as_person(browser, server_url, username):
    """A fresh browser context signed in as ``username``; returns (context, page)."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, server_url, username)
    return context, page


def resident_reports(browser, server_url, grid) -> tuple[str, str]:
    """The event number and the private tracking link the done page gives the resident."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server_url + "/events/public/report/")
    lng, lat = point_in(grid)
    page.fill("#id_description", "鼓楼网格内人行道上堆放建筑垃圾,影响通行")
    # Once the map is up the coordinates fold away under 手动输入坐标; open them to type.
    wait_for_js(page, "!document.querySelector('[data-gg-coords]').open")
    page.get_by_text("手动输入坐标").click()
    page.fill("#id_lng", f"{lng:.6f}")
    page.fill("#id_lat", f"{lat:.6f}")
    page.fill("#id_address", "中山西路 1 号旁")
    page.locator("button.gg-intake-submit").click()
    page.wait_for_selector("text=提交成功")
    number = re.search(r"E\d{16}", page.content()).group(0)
    track_url = page.locator(".gg-public-track-link a").get_attribute("href")
    context.close()
    return number, track_url


def open_detail(page, server_url, event):
    page.goto(f"{server_url}/events/{event.pk}/")
    assert event.number in page.content()


def act(page, action, fill=None):
    """Open the action's fold on the detail page, fill it and submit."""
    page.locator(f"#action-{action} summary").click()
    for selector, value in (fill or {}).items():
        field = page.locator(f"#action-{action} {selector}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.locator(f"#action-{action} button[type=submit]").click()
    page.wait_for_load_state()


def test_a_resident_report_goes_round_the_loop(gulou_grid, server_url, browser):
    number, track_url = resident_reports(browser, server_url, gulou_grid)
    assert "/events/public/track/" in track_url
    event = Event.objects.get(number=number)
    assert (event.state, event.grid.code, event.source) == (State.REPORTED, gulou_grid.code,
                                                           "citizen")

    # The intake clerk sees it in the command room's "new" queue and registers it.
    context, page = as_person(browser, server_url, "clerk_gulou")
    page.goto(server_url + "/events/command/?queue=new")
    row = page.locator(f"tr[data-event='{event.pk}']")
    assert row.count() == 1
    row.locator("a", has_text="详情").click()
    act(page, "register", {"[name=register-category]": "0101"})
    context.close()
    event.refresh_from_db()
    assert event.state == State.REGISTERED and event.category.code == "0101"

    # The shift leader files it.
    context, page = as_person(browser, server_url, "shift_gulou")
    open_detail(page, server_url, event)
    act(page, "file")
    context.close()
    event.refresh_from_db()
    assert event.state == State.FILED

    # The dispatcher sends it to the class's default department with one click.
    context, page = as_person(browser, server_url, "dispatch_gulou")
    page.goto(server_url + "/events/command/?queue=to_dispatch")
    page.locator(f"tr[data-event='{event.pk}'] button", has_text="派遣至").click()
    page.wait_for_load_state()
    context.close()
    event.refresh_from_db()
    assert event.state == State.DISPATCHED
    assert event.department == event.category.default_department

    # The department claims it and reports it done.
    context, page = as_person(browser, server_url, "handler_zhifa")
    page.goto(server_url + "/events/department/")
    page.locator(f"tr[data-event='{event.pk}'] button", has_text="签收").click()
    page.wait_for_load_state()
    page.locator("a[data-queue=handling]").click()
    page.wait_for_load_state()
    row = page.locator(f"tr[data-event='{event.pk}']")
    row.locator("summary", has_text="处置完毕").click()
    row.locator("textarea[name=remark]").fill("已清运建筑垃圾,恢复通行")
    # The class's evidence rule asks for a photo of the result (取证规则).
    row.locator("input[name=photos]").set_input_files(_photo("处置后.jpg"))
    row.locator("button", has_text="提交").click()
    page.wait_for_load_state()
    context.close()
    event.refresh_from_db()
    assert event.state == State.COMPLETED

    # The grid worker checks on site and passes it: the case closes.
    context, page = as_person(browser, server_url, "gw_gulou")
    page.goto(server_url + "/events/mine/")
    row = page.locator(f"tr[data-event='{event.pk}']")
    row.locator("summary", has_text="核查通过").click()
    row.locator("details[open] input[name=photos]").set_input_files(_photo("核查.jpg"))
    row.locator("button", has_text="核查通过").click()
    page.wait_for_load_state()
    context.close()
    event.refresh_from_db()
    assert event.state == State.CLOSED and event.closed_at is not None

    # The resident follows the link on their phone, sees it done and rates it.
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(track_url)
    assert number in page.content() and "已清运建筑垃圾" in page.content()
    assert "孙志强" not in page.content(), "no staff names on the resident's page"
    page.locator("input[name=score][value='5']").check()
    page.fill("#id_comment", "处理及时,谢谢")
    page.locator("button", has_text="提交评价").click()
    page.wait_for_load_state()
    assert page.locator("form.gg-public-evaluate").count() == 0
    context.close()

    # The clerk opens the case: the timeline has it all.
    context, page = as_person(browser, server_url, "clerk_gulou")
    open_detail(page, server_url, event)
    timeline = page.locator("section[aria-labelledby=gg-event-timeline]").inner_text()
    for label in [*STEPS, "评价"]:
        assert label in timeline, (label, timeline)
    assert "已清运建筑垃圾" in timeline and "处理及时" in timeline
    # People by their real names: the clerk 刘敏, the grid worker 王丽娟; the resident as
    # the reporter.
    assert "刘敏" in timeline and "王丽娟" in timeline and "上报人" in timeline
    page.screenshot(path="/tmp/gridgov-loop-timeline.png", full_page=True)
    context.close()
    event.refresh_from_db()
    assert event.evaluation_score == 5


def test_an_overdue_case_turns_red_and_notifies(gulou_grid, django_capture_on_commit_callbacks,
                                                server_url, browser):
    from gridgov.events import actions
    from gridgov.events.tasks import scan_deadlines

    lng, lat = point_in(gulou_grid)
    event = actions.report_event(source="grid_patrol", description="窨井盖缺失", lng=lng,
                                 lat=lat, category="0101")
    # The dispatch limit ran out an hour ago.
    Event.objects.filter(pk=event.pk).update(
        stage_deadline=timezone.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):  # alerts go out on commit
        scan_deadlines()

    # Not yet registered: the clerk holds the stage, so the clerk sees it and is told.
    context, page = as_person(browser, server_url, "clerk_gulou")
    page.goto(server_url + "/events/command/?queue=overdue")
    row = page.locator(f"tr[data-event='{event.pk}']")
    assert row.count() == 1 and "gg-row-overdue" in row.get_attribute("class")
    red, green, _blue = (int(v) for v in re.findall(r"\d+", row.evaluate(
        "r => getComputedStyle(r.cells[0]).backgroundColor"))[:3])
    assert "已超期" in row.inner_text()
    badge = page.locator("a[data-queue=overdue] .gg-badge")
    assert "gg-badge-danger" in badge.get_attribute("class")
    assert red > green, "an overdue row is drawn in red"
    page.goto(server_url + "/notifications/")
    assert event.number in page.content() and "超期" in page.content()
    context.close()
