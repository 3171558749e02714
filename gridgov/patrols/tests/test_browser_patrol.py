"""A patrol in a real browser (``-m browser``): a phone with emulated geolocation starts a
patrol, walks (``context.set_geolocation`` between steps), stops; the outbox sends start, the
track and stop, and the server keeps the patrol with its distance. Then the command room's
pages show it."""

import os
import time
from pathlib import Path

import pytest

from gridgov.core.testing import wait_for_js
from gridgov.patrols.choices import PatrolState
from gridgov.patrols.models import Patrol

from .support import inside, north

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks (one request at a time, see
    events/tests/test_browser_intake.py)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _wait_db(check, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out waiting for the server")


def _sign_in_phone(page, base, password):
    page.goto(base + "/m/login/")
    page.fill("input[name=username]", "gw_gulou")
    page.fill("input[name=password]", password)
    page.locator("form[data-login-form] [type=submit]").click()
    page.wait_for_url(base + "/m/")


def test_start_walk_stop(browser, server_url, demo_password, grid_worker, gulou_grid):
    SHOTS.mkdir(parents=True, exist_ok=True)
    origin = inside(gulou_grid)
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
        geolocation={"longitude": origin[0], "latitude": origin[1], "accuracy": 8},
        permissions=["geolocation"])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    _sign_in_phone(page, server_url, demo_password)
    page.goto(server_url + "/m/patrol/")
    page.locator("[data-patrol-toggle]").click()
    patrol = _wait_db(lambda: Patrol.objects.filter(worker=grid_worker,
                                                    state=PatrolState.ACTIVE).first())
    client_id = page.evaluate("localStorage.getItem('gridgov.field.patrol')")
    assert client_id == str(patrol.client_id)
    # Walk north 30 m every 2 s (15 m/s: a bicycle), six steps: 180 m.
    for n in range(1, 7):
        time.sleep(2)
        lng, lat = north(origin, 30 * n)
        context.set_geolocation({"longitude": lng, "latitude": lat, "accuracy": 8})
    wait_for_js(page, "GridgovPatrol.state() && GridgovPatrol.state().track.length >= 7",
                timeout=60000)
    assert page.locator("[data-patrol-distance]").inner_text() == "0.18 km"
    page.screenshot(path=str(SHOTS / "E-patrol-active-390.png"), full_page=True)
    # reopening the page resumes the running patrol from the device
    page.reload()
    wait_for_js(page, "GridgovPatrol.state() && GridgovPatrol.state().distance > 170")
    page.locator("[data-patrol-toggle]").click()  # stop (the confirm is accepted)
    _wait_db(lambda: Patrol.objects.filter(pk=patrol.pk, state=PatrolState.ENDED).exists())
    wait_for_js(page, "localStorage.getItem('gridgov.field.patrol') === null")
    patrol.refresh_from_db()
    assert patrol.point_count == 7
    assert patrol.distance_m == pytest.approx(180, abs=1)
    assert patrol.duration_s >= 10
    page.goto(server_url + "/m/patrol/")
    assert page.locator("[data-patrol-toggle]").inner_text() == "开始巡查"
    assert "0.18 km" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "E-patrol-today-390.png"), full_page=True)
    page.goto(server_url + "/m/")
    assert "开始巡查" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "E-home-390.png"), full_page=True)
    assert errors == []
    context.close()

    # the command room: the list and the patrol's page with its track
    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server_url + "/accounts/login/")
    page.fill("input[name=username]", "dispatch_gulou")
    page.fill("input[name=password]", demo_password)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(server_url + "/")
    page.goto(server_url + "/patrols/")
    page.screenshot(path=str(SHOTS / "E-patrols-list-1440.png"), full_page=True)
    page.goto(server_url + f"/patrols/{patrol.pk}/")
    page.locator("#p-track-map .leaflet-overlay-pane path").first.wait_for(state="attached")
    assert page.locator("#p-km").inner_text() == "0.18 公里"
    page.screenshot(path=str(SHOTS / "E-patrol-detail-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "E-patrol-detail-desk-390.png"), full_page=True)
    page.goto(server_url + "/patrols/")
    page.screenshot(path=str(SHOTS / "E-patrols-list-desk-390.png"), full_page=True)
    desk.close()
    assert errors == []


def test_a_patrol_walked_offline_arrives_once_online(browser, server_url, demo_password,
                                                      grid_worker, gulou_grid):
    origin = inside(gulou_grid)
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
        geolocation={"longitude": origin[0], "latitude": origin[1], "accuracy": 8},
        permissions=["geolocation"])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    _sign_in_phone(page, server_url, demo_password)
    page.goto(server_url + "/m/patrol/")
    wait_for_js(page, "!!window.GridgovPatrol")
    context.set_offline(True)
    page.locator("[data-patrol-toggle]").click()
    wait_for_js(page, "!!localStorage.getItem('gridgov.field.patrol')")
    for n in range(1, 5):
        time.sleep(2)
        lng, lat = north(origin, 25 * n)
        context.set_geolocation({"longitude": lng, "latitude": lat, "accuracy": 10})
    wait_for_js(page, "GridgovPatrol.state().track.length >= 5", timeout=60000)
    page.locator("[data-patrol-toggle]").click()
    wait_for_js(page, "localStorage.getItem('gridgov.field.patrol') === null")
    queued = page.evaluate("GridgovOutbox.list().then(l => l.map(i => i.status))")
    assert queued.count("pending") == 3  # start, the track, stop
    assert not Patrol.objects.filter(worker=grid_worker).exists()
    context.set_offline(False)
    page.evaluate("GridgovOutbox.flush()")
    patrol = _wait_db(lambda: Patrol.objects.filter(worker=grid_worker,
                                                    state=PatrolState.ENDED).first(), 30)
    assert patrol.distance_m == pytest.approx(100, abs=1)
    assert patrol.point_count == 5
    assert Patrol.objects.filter(worker=grid_worker).count() == 1
    assert errors == []
    context.close()
