"""The case file in a real browser (``-m browser``): the map draws the point and the grid,
the photos before and after show as loaded thumbnails that open the full image, and on a
phone everything stacks with no sideways scroll."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.core.testing import sign_in, wait_for_js
from gridgov.events.choices import State

from .helpers_command import make_event
from .intake_support import jpeg_with_gps

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

LOADED = ("img => img.complete && img.naturalWidth > 0")


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def case(gulou_grid):
    before = SimpleUploadedFile("路面破损.jpg", jpeg_with_gps(size=(800, 600)),
                                content_type="image/jpeg")
    return make_event(gulou_grid, state=State.COMPLETED, attachments=[before])


def _open(browser, server_url, case, width, height):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, server_url, "dispatch_gulou")
    page.goto(f"{server_url}/events/{case.pk}/")
    wait_for_js(page, "!!window.GridGovCaseMap")
    return context, page, errors


def test_the_case_file_shows_the_map_and_the_photos_before_and_after(case, server_url,
                                                                     browser):
    context, page, errors = _open(browser, server_url, case, 1440, 900)
    # The map: the event's marker and the grid's outline drawn (no tile server needed).
    assert page.locator("#gg-case-map .gg-case-here").count() == 1
    assert page.locator("#gg-case-map path.leaflet-interactive, #gg-case-map path").count() >= 2
    assert page.locator("#gg-case-map").bounding_box()["height"] >= 300
    # Before and after side by side, each a loaded thumbnail.
    before = page.locator("[data-photos=before] img.gg-thumb")
    after = page.locator("[data-photos=after] img.gg-thumb")
    assert before.count() == 1 and after.count() == 1
    for img in (before.first, after.first):
        img.scroll_into_view_if_needed()
        wait_for_js(page, f"({LOADED})(document.querySelector('{_selector(img)}'))")
    left, right = before.first.bounding_box(), after.first.bounding_box()
    assert right["x"] > left["x"] + left["width"] and abs(right["y"] - left["y"]) < 40
    assert page.evaluate("document.querySelector('[data-photos=before] img').naturalWidth"
                         ) <= 480
    # A thumbnail opens the full photo.
    with context.expect_page() as popup:
        before.first.click()
    full = popup.value
    full.wait_for_load_state()
    assert full.evaluate("document.contentType") == "image/jpeg"
    assert full.evaluate("document.images[0].naturalWidth") == 800
    full.close()
    assert errors == []
    context.close()


def _selector(locator) -> str:
    return locator.evaluate(
        "el => '#' + el.closest('li').id + ' img'")


def test_on_a_phone_the_case_file_stacks(case, server_url, browser):
    context, page, errors = _open(browser, server_url, case, 390, 844)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    before = page.locator("[data-photos=before]").bounding_box()
    after = page.locator("[data-photos=after]").bounding_box()
    assert after["y"] >= before["y"] + before["height"] - 1  # stacked, not side by side
    assert page.locator("#gg-case-map").bounding_box()["width"] <= 390
    assert errors == []
    context.close()
