"""Residents' way in (issue 11, item 7): the sign-in page leads to the public pages, the QR
poster, the lookup by number and phone (no enumeration, limited), the coordinates folded
behind the map, and only accepted reports using up the limit."""

import re

import pytest
import segno
from django.core.cache import cache
from django.test import Client

from gridgov.events.models import Event
from gridgov.events.views.public import qr_svg

from .intake_support import point_in
from .test_public_track import drive, report
from .workflow_support import people

pytestmark = pytest.mark.django_db

LOOKUP = "/events/public/lookup/"
# CSRF tokens (form field and htmx header) differ per response: left out of comparisons.
CSRF_RE = re.compile(r"[A-Za-z0-9]{64}")


@pytest.fixture
def p(db):
    return people()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _form(grid, token, **extra):
    lng, lat = point_in(grid)
    data = {"description": "小区门口垃圾堆了三天", "lng": str(lng), "lat": str(lat),
            "crs": "wgs84", "address": "鼓楼某小区", "nature": "request", "form_token": token}
    data.update(extra)
    return data


def _body(response) -> str:
    return CSRF_RE.sub("", response.content.decode())


# --- the way in -------------------------------------------------------------------------------


def test_anonymous_home_leads_to_a_sign_in_page_with_the_residents_box():
    client = Client()
    response = client.get("/", follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/events/public/report/"' in html and "我要反映问题" in html
    assert 'href="/events/public/lookup/"' in html and "查询办理进度" in html
    assert 'href="/events/public/poster/"' in html


def test_poster_shows_the_report_address_as_an_svg_qr_code():
    response = Client().get("/events/public/poster/", HTTP_HOST="testserver")
    html = response.content.decode()
    url = "http://testserver/events/public/report/"
    assert response.status_code == 200
    assert f'data-url="{url}"' in html
    # The SVG on the page is the QR code of exactly that address.
    svg = re.search(r"<svg\b.*?</svg>", html, re.S).group(0)
    assert svg == qr_svg(url, "我要反映二维码")
    assert svg != qr_svg(url + "x", "我要反映二维码")
    assert segno.make(url, error="m").designator  # a version the page's code was made in


def test_poster_uses_the_configured_public_address(settings):
    settings.GRIDGOV_PUBLIC_BASE_URL = "https://gridgov.example.gov.cn"
    html = Client().get("/events/public/poster/").content.decode()
    url = "https://gridgov.example.gov.cn/events/public/report/"
    assert f'data-url="{url}"' in html
    assert qr_svg(url, "我要反映二维码") in html


def test_poster_prints_on_one_a4_page():
    css = Client().get("/static/events/intake.css")
    text = b"".join(css.streaming_content).decode() if css.streaming else css.content.decode()
    assert "size: A4 portrait" in text and ".gg-poster-tools" in text


# --- lookup by number and phone ---------------------------------------------------------------


def test_lookup_by_number_and_phone_shows_the_progress(gulou_grid, p):
    _response, event, _token = report(gulou_grid)
    drive(event, p, "register")
    response = Client().post(LOOKUP, {"number": event.number.lower(),
                                      "phone": "138 1234 5678"})
    html = response.content.decode()
    assert response.status_code == 200
    assert event.number in html and "已受理" in html and "反映已提交" in html
    assert "内部备注勿外传" not in html  # the same public view as the tracking link
    assert "13812345678" not in html  # the phone is not echoed
    assert "提交评价" not in html  # rating needs the private link
    assert response["Cache-Control"] == "private, no-store"


def _unused_number(number: str) -> str:
    """A number of the same shape as ``number`` that no case has (the database's sequences,
    and so the numbers, depend on what ran before: never guess one)."""
    prefix = number[:-3]
    return next(n for n in (f"{prefix}{i:03d}" for i in range(999, -1, -1))
                if not Event.objects.filter(number=n).exists())


def test_unknown_number_and_wrong_phone_answer_alike(gulou_grid):
    _response, event, _token = report(gulou_grid)
    wrong_phone = Client().post(LOOKUP, {"number": event.number, "phone": "13900000000"})
    # Same length as a real number: exists or not, the answer is the same.
    missing = _unused_number(event.number)
    unknown = Client().post(LOOKUP, {"number": missing, "phone": "13812345678"})
    assert wrong_phone.status_code == unknown.status_code == 404
    assert "未找到与该编号和电话相符的反映" in _body(wrong_phone)
    assert _body(wrong_phone).replace(event.number, "N") == \
        _body(unknown).replace(missing, "N")


def test_a_case_reported_without_a_phone_is_never_found_by_phone(gulou_grid):
    _response, event, _token = report(gulou_grid, reporter_phone="")
    assert event.reporter_phone_hash == ""
    response = Client().post(LOOKUP, {"number": event.number, "phone": "0000000"})
    assert response.status_code == 404


def test_lookup_without_number_or_phone_says_which_field(db):
    response = Client().post(LOOKUP, {"number": "", "phone": "12"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请输入事件编号" in html and "请输入反映时填写的手机号" in html


def test_failed_lookups_are_limited_per_address_and_a_match_is_refunded(gulou_grid, settings):
    settings.GRIDGOV_RATE_PUBLIC_LOOKUP = "3/10m"
    settings.GRIDGOV_RATE_PUBLIC_LOOKUP_NUMBER = "0"
    _response, event, _token = report(gulou_grid)
    client = Client(REMOTE_ADDR="198.51.100.90")
    right = {"number": event.number, "phone": "13812345678"}
    wrong = {"number": event.number, "phone": "13900000000"}
    statuses = [client.post(LOOKUP, data).status_code
                for data in (right, right, right, wrong, wrong, wrong, wrong, right)]
    # Matches give their count back; the fourth failure and anything after it are refused.
    assert statuses == [200, 200, 200, 404, 404, 404, 429, 429]
    assert int(client.post(LOOKUP, right)["Retry-After"]) > 0


def test_failed_lookups_of_one_number_are_limited_across_addresses(gulou_grid, settings):
    settings.GRIDGOV_RATE_PUBLIC_LOOKUP = "0"
    settings.GRIDGOV_RATE_PUBLIC_LOOKUP_NUMBER = "2/hour"
    _response, event, _token = report(gulou_grid)
    statuses = [Client(REMOTE_ADDR=f"198.51.100.{i}").post(
        LOOKUP, {"number": event.number, "phone": f"1390000000{i}"}).status_code
        for i in range(3)]
    assert statuses == [404, 404, 429]


# --- the form ---------------------------------------------------------------------------------


def test_coordinates_sit_in_an_open_disclosure_for_the_script_to_fold(db):
    html = Client().get("/events/public/report/").content.decode()
    disclosure = re.search(r"<details[^>]*data-gg-coords[^>]*>(.*?)</details>", html, re.S)
    assert disclosure and " open" in disclosure.group(0)[:80]
    inner = disclosure.group(1)
    assert "手动输入坐标" in inner
    assert 'name="lng"' in inner and 'name="lat"' in inner and 'name="crs"' in inner
    assert "data-gg-keep-open" not in disclosure.group(0)


def test_a_refused_place_keeps_the_coordinates_open(gulou_grid):
    response = Client().post("/events/public/report/", _form(gulou_grid, "bad", lng="abc"))
    assert response.status_code == 400
    assert re.search(r"<details[^>]*data-gg-keep-open", response.content.decode())


# --- only accepted reports count --------------------------------------------------------------


def test_invalid_posts_do_not_use_up_the_accepted_limit(gulou_grid, settings):
    settings.GRIDGOV_PUBLIC_REPORT_LIMIT = 2
    settings.GRIDGOV_RATE_PUBLIC_POSTS = "100/10m"
    client = Client(REMOTE_ADDR="198.51.100.91")
    statuses = [client.post("/events/public/report/",
                            _form(gulou_grid, f"bad{i}", description="")).status_code
                for i in range(4)]
    statuses += [client.post("/events/public/report/", _form(gulou_grid, f"ok{i}")).status_code
                 for i in range(3)]
    assert statuses == [400] * 4 + [200, 200, 429]
    assert Event.objects.filter(idempotency_key__startswith="public:ok").count() == 2


def test_a_flood_of_invalid_posts_is_still_stopped(gulou_grid, settings):
    settings.GRIDGOV_PUBLIC_REPORT_LIMIT = 5
    settings.GRIDGOV_RATE_PUBLIC_POSTS = "3/10m"
    client = Client(REMOTE_ADDR="198.51.100.92")
    statuses = [client.post("/events/public/report/",
                            _form(gulou_grid, f"bad{i}", description="")).status_code
                for i in range(4)]
    assert statuses == [400, 400, 400, 429]
    response = client.post("/events/public/report/", _form(gulou_grid, "ok"))
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert not Event.objects.filter(idempotency_key="public:ok").exists()
