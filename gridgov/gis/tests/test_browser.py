"""The maps of the geographic information pages in a real browser (``-m browser``): the OGC
API's HTML items page draws a public layer for an anonymous visitor, and a layer's page
fetches its features from the OGC API and draws them; both at 1440 px and 390 px without
sideways scrolling. Screenshots go to ``GRIDGOV_SCREENSHOTS`` (default /tmp)."""

import os
from pathlib import Path

import pytest

from gridgov.core.testing import sign_in, wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))
WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def drawn(page) -> int:
    """The number of features the map drew, once the base is drawn too."""
    wait_for_js(page, "document.querySelector('[data-features][data-base-ready]') !== null")
    return int(page.get_attribute("[data-features]", "data-features"))


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"gis-{name}.png"), full_page=True)


def test_the_public_sees_the_shelters_on_the_map(browser, server_url):
    from gridgov.gis.models import Layer

    shelters = Layer.objects.get(code="shelters")
    for name, (width, height) in WIDTHS.items():
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{server_url}/ogcapi/collections/layer-shelters/items?f=html")
        assert drawn(page) == shelters.feature_count
        assert page.locator(".leaflet-interactive").count() >= shelters.feature_count
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        shot(page, f"ogcapi-items-{name}")
        page.close()


def test_a_layer_page_draws_its_features_from_the_ogc_api(browser, server_url, data_officer):
    from gridgov.gis.models import Layer

    flood = Layer.objects.get(code="flood-points")
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, server_url, "deptadmin_zhifa")  # 区综合行政执法局: granted by 区水利局
    page.goto(f"{server_url}/gis/layers/flood-points/")
    assert drawn(page) == flood.feature_count
    page.locator(".leaflet-interactive").first.click()
    wait_for_js(page, "document.querySelector('.gg-ogc-popup') !== null")
    assert "YL" in page.inner_text(".gg-ogc-popup")
    page.wait_for_timeout(400)  # the popup's fade-in, for the screenshot
    shot(page, "layer-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    shot(page, "layer-phone")
    page.close()
