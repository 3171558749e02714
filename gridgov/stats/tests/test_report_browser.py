"""月度分析报告 printed by Chromium (``-m browser``): the charts draw, in print media the page
has no navigation and fits the A4 text width (180 mm ≈ 680 px) without overflow, and
``page.pdf(format="A4")`` gives one page per section (the PDF goes to /tmp/s21/dash/)."""

import os
import re

import pytest

from gridgov.core.testing import sign_in, wait_for_js

from .support import KNOWN, build_known

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SHOTS = "/tmp/s21/dash"
A4_TEXT_PX = 680  # (210 mm − 2 × 15 mm margins) at 96 px per inch


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def known(db):
    return build_known()


def test_report_prints_to_a4(known, server_url, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    sign_in(page, server_url, "leader_gulou")
    page.goto(server_url + "/stats/report/?month=2019-11")
    wait_for_js(page, "document.querySelector('[data-gg-report-ready]') !== null")
    assert page.locator("[data-fig=due]").inner_text() == str(KNOWN.due)
    assert page.evaluate("document.querySelectorAll('.gg-report-chart svg').length") == 3
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/report-1440.png", full_page=True)

    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_TEXT_PX, "height": 1000})
    page.wait_for_timeout(200)
    assert page.evaluate("getComputedStyle(document.querySelector('.gg-topbar')).display") \
        == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('.gg-report-tools'))"
                         ".display") == "none"
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_TEXT_PX
    # No table or chart wider than the text.
    widest = page.evaluate("""Math.max(...[...document.querySelectorAll(
        '.gg-report table, .gg-report-chart, .gg-report-figures')].map(
        n => n.getBoundingClientRect().right))""")
    assert widest <= A4_TEXT_PX + 1
    # What the paper shows, as an image: the whole A4 width (794 px) in print media.
    page.set_viewport_size({"width": 794, "height": 1123})
    page.wait_for_timeout(200)
    page.screenshot(path=f"{SHOTS}/report-print.png", full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    with open(f"{SHOTS}/report.pdf", "wb") as out:
        out.write(pdf)
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert pages >= 4  # sections two to four start on a new page

    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=f"{SHOTS}/report-390.png", full_page=True)
    context.close()
