"""The live map in a real browser (``-m browser``): it fills the window beside its panel,
clusters the events, shows a case reported after the page was opened once it refreshes
(without reloading the page), and a marker's popup leads to the case file."""

import pytest

from gridgov.core.testing import sign_in, wait_for_js
from gridgov.events.choices import State
from gridgov.events.models import Event

from .helpers_command import make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

COUNT = "Number(document.getElementById('gg-map-status').getAttribute('data-count') || -1)"


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test writes between page actions in Playwright's thread (see test_browser_loop):
    safe, the live server answers one request at a time on this same connection."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _open(browser, server_url, width=1440, height=900):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, server_url, "dispatch_gulou")
    page.goto(server_url + "/events/command/map/")
    wait_for_js(page, COUNT + " >= 0")
    return context, page, errors


def test_a_new_case_appears_after_a_refresh_without_reloading(gulou_grid, server_url,
                                                              browser):
    expected = Event.objects.filter(area_code__startswith="330203005").exclude(
        state__in=["closed", "not_filed", "void", "merged"]).count()
    context, page, errors = _open(browser, server_url)
    assert page.evaluate(COUNT) == expected
    # What is drawn is what is counted: every marker is in the cluster group.
    assert page.evaluate("window.GridGovLiveMap.cluster.getLayers().length") == expected
    assert "更新于" in page.locator("#gg-map-updated").inner_text()
    # The map fills the window below the top bar, beside the panel.
    box = page.locator("#gg-map").bounding_box()
    assert box["y"] + box["height"] >= 900 - 2 and box["height"] > 600
    assert page.locator("#gg-livemap-panel").bounding_box()["width"] >= 250

    page.evaluate("window.__sameDocument = true")
    new = make_event(gulou_grid, state=State.FILED, description="浏览器测试新上报")
    page.evaluate("void window.GridGovLiveMap.refresh()")  # not awaited: bounded below
    wait_for_js(page, COUNT + f" === {expected + 1}")
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    assert page.evaluate(f"!!window.GridGovLiveMap.markers['{new.pk}']")

    # The new case's popup names it and leads to its case file.
    # zoomToShowLayer's callback can fail to fire when no zoom or spiderfy animation ends
    # (seen in headless runs): after 4 s spiderfy the cluster holding it and open anyway, so
    # the step ends either way and a missing popup fails below instead of hanging.
    page.evaluate(f"""() => new Promise(done => {{
        const g = window.GridGovLiveMap, m = g.markers['{new.pk}'].marker;
        let over = false;
        const finish = () => {{ if (!over) {{ over = true; m.openPopup(); done(); }} }};
        g.cluster.zoomToShowLayer(m, finish);
        setTimeout(() => {{
            if (over) return;
            const parent = g.cluster.getVisibleParent(m);
            if (parent && parent !== m && parent.spiderfy) parent.spiderfy();
            setTimeout(finish, 500);
        }}, 4000);
    }})""")
    popup = page.locator(f".gg-livemap-popup[data-number='{new.number}']")
    popup.wait_for()
    assert "已立案" in popup.inner_text()
    popup.locator("a", has_text="打开案卷").click()
    page.wait_for_url(f"{server_url}/events/{new.pk}/")
    assert errors == []
    context.close()


def test_a_filter_redraws_in_place_and_the_phone_layout_fits(gulou_grid, server_url, browser):
    make_event(gulou_grid, state=State.FILED)
    context, page, errors = _open(browser, server_url, width=390, height=844)
    # On a phone the panel starts folded, the map takes the rest, nothing scrolls sideways.
    assert page.locator("#gg-livemap-body").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#gg-map").bounding_box()["height"] > 400
    page.locator("[data-gg-panel-toggle]").click()
    page.locator("input[name=state][value=filed]").check()
    filed = Event.objects.filter(area_code__startswith="330203005", state="filed").count()
    wait_for_js(page, COUNT + f" === {filed}")
    assert "state=filed" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()


def test_many_events_show_as_server_clusters_until_zoomed_in(gulou_grid, server_url, browser,
                                                             monkeypatch):
    from gridgov.events.views import live_map

    # Cluster whatever the number (the demo street has fewer events than FEATURE_LIMIT).
    monkeypatch.setattr(live_map, "FEATURE_LIMIT", 0)
    make_event(gulou_grid, state=State.FILED)
    expected = Event.objects.filter(area_code__startswith="330203005").exclude(
        state__in=["closed", "not_filed", "void", "merged"]).count()
    context, page, errors = _open(browser, server_url)
    mode = "document.getElementById('gg-map-status').getAttribute('data-mode')"
    wait_for_js(page, mode + " === 'clusters'")
    wait_for_js(page, COUNT + f" === {expected}")
    # The circles add up to the events in view; no single markers are drawn meanwhile.
    total = page.evaluate("""() => window.GridGovLiveMap.cells.getLayers()
        .reduce((n, c) => n + c.ggCount, 0)""")
    assert total == expected
    assert page.evaluate("window.GridGovLiveMap.cluster.getLayers().length") == 0
    assert page.locator(".gg-cell-count").count() >= 1
    # Zoomed in to the detail zoom, the same viewport's events come one by one.
    page.evaluate(f"void window.GridGovLiveMap.map.setZoom({live_map.DETAIL_ZOOM})")
    wait_for_js(page, mode + " === 'features'")
    assert page.evaluate("window.GridGovLiveMap.cells.getLayers().length") == 0
    assert errors == []
    context.close()
