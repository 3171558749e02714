"""A case's photos on a phone without signal (``-m browser``): the photo views answer
``no-store`` (the desktop keeps no copy), so the terminal's service worker keeps the photos a
grid worker's pages showed in its per-person page cache, serves them offline, and sign-out
drops them with the pages."""

import re

import pytest
from django.urls import reverse

from gridgov.core.testing import wait_for_js
from gridgov.field import assets

from . import test_events_browser
from .test_events_browser import phone, sign_in, wait_for_worker

pytestmark = pytest.mark.django_db

# A case of gw_gulou's grid waiting for verification, with the handler's photo.
completed = test_events_browser.completed


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The case is made in the database before the browser starts (see
    test_events_browser)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHOTOS = ".m-photos img"
ALL_LOADED = ("Array.from(document.querySelectorAll('.m-photos img'))"
              ".every(i => i.complete && i.naturalWidth > 0)")
KEPT = ("Promise.all(%s.map(u => caches.open('gg-field-pages')"
        ".then(c => c.match(u, {ignoreVary: true})))).then(h => h.every(Boolean))")
ANYWHERE = ("Promise.all(%s.map(u => caches.match(u, {ignoreVary: true})))"
            ".then(h => h.filter(Boolean).length)")


def test_the_workers_patterns_match_the_photo_views():
    source = assets.service_worker_source()
    block = source[source.index("var PHOTO_PATHS"):]
    patterns = [re.compile(p) for p in re.findall(r"^\s+/(\^.*\$)/,?$",
                                                  block[:block.index("];")], re.M)]
    assert len(patterns) == 3

    def kept(path):
        return any(p.match(path) for p in patterns)

    assert kept(reverse("events:attachment", kwargs={"pk": 7, "attachment_pk": 12}))
    assert kept(reverse("events:attachment_thumb",
                        kwargs={"pk": 7, "attachment_pk": 12, "size": "m"}))
    assert kept(reverse("tasks:photo", args=[3, 4]))
    assert kept(reverse("visits:photo", args=[5]))
    assert not kept("/api/v1/events/7/attachments/12/")
    assert not kept("/events/7/")
    assert not kept("/m/events/7/")


def photo_urls(page):
    for img in page.locator(PHOTOS).all():
        img.scroll_into_view_if_needed()  # loading="lazy"
    wait_for_js(page, ALL_LOADED, timeout=20000)
    return page.evaluate("Array.from(document.querySelectorAll('.m-photos img'), i => i.src)")


@pytest.mark.browser
def test_a_case_photo_opened_online_shows_offline_and_goes_at_sign_out(
        browser, server_url, completed, demo_password):
    context = phone(browser, completed)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    case = server_url + f"/m/events/{completed.number}/"
    sign_in(page, server_url, demo_password)
    page.goto(case)
    wait_for_worker(page)
    page.goto(case)  # through the worker: the page and its photos are kept
    urls = photo_urls(page)
    assert urls and all("/events/" in u and "/attachments/" in u for u in urls)
    assert all(u.startswith(server_url + "/") for u in urls)
    wait_for_js(page, KEPT % urls, timeout=20000)
    page.close()

    context.set_offline(True)
    page = context.new_page()  # a fresh page: nothing left in the renderer's memory
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(case)  # from the device's cache
    assert page.locator("[data-offline-banner]").is_visible()
    assert photo_urls(page) == urls  # each one loaded: complete, naturalWidth > 0
    assert all(w > 0 for w in page.evaluate(
        "Array.from(document.querySelectorAll('.m-photos img'), i => i.naturalWidth)"))

    context.set_offline(False)
    page.goto(server_url + "/m/me/")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/m/login/?signed_out=1")
    assert page.evaluate(ANYWHERE % urls) == 0
    assert "gg-field-pages" not in page.evaluate("caches.keys()")
    assert not errors, errors
    context.close()
