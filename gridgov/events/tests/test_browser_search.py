"""案件查询 in a real browser (``-m browser``): a dispatcher finds a case by part of its
number and a closed case by its text, picks a class in the category tree, saves the search
and opens it again; the area tree loads from the server; no sideways scroll on a phone."""

import pytest

from gridgov.core.testing import sign_in, wait_for_js
from gridgov.events.choices import State
from gridgov.events.filtersets import clear_options
from gridgov.events.models import SavedFilter
from gridgov.events.tests.helpers_command import make_event


@pytest.fixture(autouse=True)
def _fresh_picker_options():
    clear_options()
    yield
    clear_options()


pytestmark = [pytest.mark.browser, pytest.mark.django_db]
OVERFLOW = "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    # The test reads the database between clicks; the live server answers one request at a
    # time on this same connection (see test_browser_loop).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def listed(page) -> list[str]:
    return page.eval_on_selector_all("#gg-search-table tbody tr",
                                     "rows => rows.map(r => r.dataset.number)")


def test_dispatcher_finds_picks_saves_and_reloads(dispatcher, gulou_grid, gulou_community,
                                                  browser, server_url):
    closed = make_event(gulou_grid, state=State.CLOSED, description="桥洞下积水浸泡电箱甲乙")
    filed = make_event(gulou_grid, state=State.FILED, description="占道堆放杂物丙丁")
    category = closed.category
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_in(page, server_url, dispatcher.username)
    page.goto(server_url + "/events/search/")

    # Part of a number.
    page.fill("#id_q", filed.number[-8:])
    page.locator(".gg-search-bar button[type=submit]").click()
    page.wait_for_load_state()
    assert filed.number in listed(page)

    # A closed case by its text.
    page.fill("#id_q", "积水浸泡电箱")
    page.locator(".gg-search-bar button[type=submit]").click()
    page.wait_for_load_state()
    assert listed(page) == [closed.number]

    # Pick the minor class in the category tree (search box, then the name).
    page.fill("#id_q", "")
    page.locator(".gg-search-more summary").click()
    picker = page.locator("[data-field=category] .gg-picker-button")
    assert picker.inner_text() == "全部"
    picker.click()
    page.locator("[data-field=category] .gg-picker-search").fill(category.name)
    choice = page.locator(f"[data-field=category] .gg-picker-pick[data-code='{category.code}']")
    choice.wait_for()
    choice.click()
    assert category.name in picker.inner_text()
    assert page.eval_on_selector("select[name=category]", "s => s.value") == category.code
    assert page.locator("[data-field=major]").is_hidden()
    page.locator(".gg-search-submit button[type=submit]").click()
    page.wait_for_load_state()
    assert f"category={category.code}" in page.url
    assert closed.number in listed(page)
    assert category.name in page.locator("[data-field=category] .gg-picker-button").inner_text()

    # The area tree loads the person's areas from the server.
    area = page.locator("[data-field=within] .gg-picker-button")
    area.click()
    page.locator("[data-field=within] .gg-picker-search").fill(gulou_community.name)
    hit = page.locator(f"[data-field=within] .gg-picker-pick[data-code='{gulou_community.code}']")
    hit.wait_for()
    hit.click()
    assert gulou_community.name in area.inner_text()

    # Save the search, leave, and open it again from 我的查询.
    page.fill("#gg-save-name", "本类积水")
    page.locator(".gg-saved-new button[type=submit]").click()
    page.wait_for_load_state()
    saved = SavedFilter.objects.get(owner=dispatcher, name="本类积水")
    assert f"category={category.code}" in saved.query
    page.goto(server_url + "/events/search/")
    page.locator(".gg-saved-list a", has_text="本类积水").click()
    page.wait_for_load_state()
    assert f"category={category.code}" in page.url
    assert page.eval_on_selector("select[name=category]", "s => s.value") == category.code
    assert closed.number in listed(page)
    assert category.name in page.locator("[data-chip=category]").inner_text()

    # Delete it again from 管理.
    page.locator(".gg-saved-list li", has_text="本类积水").locator("summary").click()
    page.locator(".gg-saved-list li", has_text="本类积水").locator(".gg-btn-danger").click()
    page.wait_for_load_state()
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()
    assert "本类积水" not in page.locator(".gg-search-saved").inner_text()

    # On a phone the page does not scroll sideways, with the pickers open.
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator(".gg-search-more summary").click() if not page.locator(
        ".gg-search-more[open]").count() else None
    page.locator("[data-field=category] .gg-picker-button").click()
    wait_for_js(page, "!!document.querySelector("
                      "'[data-field=category] .gg-picker-panel:not([hidden])')")
    assert not page.evaluate(OVERFLOW)
    context.close()
