"""``basedata/js/validators.js`` in a real browser (``-m browser``): the device's checks of ID
numbers, mobile numbers and credit codes agree with the server's, reason for reason, on the
published vectors of ``test_validators_vectors`` and their variations; a form
with a bad value is stopped on the device; and the desktop pages that change a person, a
house and an organisation, drawn at 1440 and 390 px (screenshots when ``GRIDGOV_SCREENSHOTS`` or
``/tmp/s22/shots`` exists)."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from gridgov.basedata import actions, validators
from gridgov.basedata.models import Person
from gridgov.core.testing import sign_in, wait_for_js
from gridgov.demo.basedata import legacy_id_number, make_id_number, make_uscc

from .test_validators_vectors import GB11643_1880_EXAMPLE, VALID_IDS, VALID_USCCS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks (one request at a time, on the test's
    own connection), as the other browser tests do."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _with_check(body17: str) -> str:
    return body17 + validators.expected_id_check(body17 + "0")


def id_vectors() -> list[str]:
    numbers = [n for n, _b, _s in VALID_IDS] + [GB11643_1880_EXAMPLE, "110101199003074470",
                                                "110101199003074477", "11010519491231002x",
                                                " 110105 19491231002X ", "１１010519491231002X",
                                                "11010519491231002", "11010519491231002XX",
                                                "11010519491231002Y", "A10105194912310021"]
    for number in ("11010519491231002X", "360426199101010071"):
        numbers += [number[:17] + c for c in "0123456789X" if c != number[17]]
    base = "11010519491231002X"
    numbers += [base[:i] + d + base[i + 1:] for i in range(17) for d in "05" if d != base[i]]
    future = (dt.date.today() + dt.timedelta(days=40)).strftime("%Y%m%d")
    numbers += [_with_check("110101" + day + "123") for day in (
        "19900230", "19000229", "20000229", "19891301", "18891231", "18900101", future)]
    numbers += [make_id_number(dt.date(1930, 1, 1) + dt.timedelta(days=n * 311), n, n % 2 == 0)
                for n in range(1, 40)]
    numbers += [legacy_id_number(dt.date(1970, 5, 5), n, False) for n in range(1, 6)]
    return numbers


def uscc_vectors() -> list[str]:
    codes = list(VALID_USCCS) + ["91350100M000100Y40", "91350100m000100y43", "91350100M000100Y4",
                                 " 91350100 M000100Y43 ", "91350100-M000100Y43",
                                 "9135010OM000100Y43", "Y1350100M000100Y43", "91350100I000100Y43"]
    codes += [code[:17] + c for code in VALID_USCCS for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"
              if c != code[17]]
    codes += [make_uscc(n) for n in range(1, 40)]
    return codes


MOBILES = ["13912345678", "+8613912345678", "8613912345678", "139 1234 5678", "139-1234-5678",
           "12912345678", "1391234567", "139123456789", "23912345678", "1391234567a",
           "+86 139 1234 5678", "0086139123456"]


def server_reason(fn, value) -> str:
    try:
        fn(value)
    except ValidationError as exc:
        return exc.messages[0]
    return ""


def test_validators_js_agrees_with_the_server(server_url, browser, person):
    cases = ([("idNumber", v, server_reason(validators.validate_id_number, v))
              for v in id_vectors()]
             + [("uscc", v, server_reason(validators.validate_uscc, v)) for v in uscc_vectors()]
             + [("mobile", v, server_reason(validators.validate_mobile, v)) for v in MOBILES])
    assert len(cases) > 200
    assert sum(1 for _k, _v, reason in cases if not reason) > 80  # valid ones too
    page = browser.new_page()
    sign_in(page, server_url, "gw_gulou")
    page.goto(f"{server_url}/basedata/people/{person.pk}/edit/")
    wait_for_js(page, "() => !!window.GridgovValidators")
    got = page.evaluate("""cases => cases.map(([fn, value]) =>
        window.GridgovValidators[fn](value))""", [[k, v] for k, v, _r in cases])
    disagree = [(k, v, want, js) for (k, v, want), js in zip(cases, got, strict=True)
                if want != js]
    assert not disagree, disagree[:10]
    # An empty value is the form's business ("required"), not the validator's.
    assert page.evaluate("() => GridgovValidators.idNumber('') + GridgovValidators.mobile('')"
                         " + GridgovValidators.uscc('')") == ""


def test_a_bad_number_is_stopped_on_the_device(server_url, browser, person):
    page = browser.new_page()
    sign_in(page, server_url, "gw_gulou")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{server_url}/basedata/people/{person.pk}/edit/")
    wait_for_js(page, "() => !!window.GridgovValidators")
    page.fill("input[name=id_number]", "110101199003074470")
    error = page.locator("input[name=id_number] ~ .gg-field-error")
    assert error.inner_text() == "身份证号校验位错误:末位应为 7(GB 11643)。"
    page.locator("form.gg-form [type=submit]").click()
    page.wait_for_timeout(300)
    assert posts == [] and "/edit/" in page.url
    assert Person.objects.get(pk=person.pk).version == 1
    page.fill("input[name=id_number]", "110101199003074477")
    assert not error.is_visible()

    page.goto(f"{server_url}/basedata/people/{person.pk}/phone/")
    wait_for_js(page, "() => !!window.GridgovValidators")
    page.fill("input[name=phone]", "1391234")
    page.locator("form.gg-form [type=submit]").click()
    page.wait_for_timeout(300)
    assert posts == []
    assert "手机号应为以1开头的11位号码。" in page.locator(".gg-field-error").first.inner_text()
    page.fill("input[name=phone]", "13911112222")
    page.locator("form.gg-form [type=submit]").click()
    page.wait_for_url(f"{server_url}/basedata/people/{person.pk}/")
    assert Person.objects.get(pk=person.pk).phone_masked == "139****2222"


def test_desktop_pages_drawn_at_1440_and_390(server_url, browser, person, gulou_grid,
                                             uscc_code, id_number):
    """The pages open without script errors, never scroll sideways on a phone; screenshots
    for the eye."""
    house = actions.create_house(actor=None, grid=gulou_grid, address="截图路1号", room="101")
    head = actions.create_person(actor=None, grid=gulou_grid, house=house, name="王建国",
                                 id_number=id_number(), phone="13811112222")
    head = actions.set_household(head, actor=None)
    spouse = actions.create_person(actor=None, grid=gulou_grid, house=house, name="李秀英",
                                   id_number=id_number(female=True), household_head=head,
                                   relation_to_head="spouse")
    actions.create_person(actor=None, grid=gulou_grid, house=house, name="王小明",
                          id_number=id_number(birth=dt.date(2012, 6, 1)), household_head=head,
                          relation_to_head="child")
    actions.record_death(head, actor=None, on=dt.date.today() - dt.timedelta(days=2),
                         note="病故")
    org = actions.create_organisation(actor=None, grid=gulou_grid, name="截图贸易有限公司",
                                      uscc=uscc_code(), house=house)
    # A conflict: the page drawn at version 1, saved after somebody else's change.
    actions.update_person(spouse, actor=None, address="截图路1号101(已更正)")
    pages = {
        "person": f"/basedata/people/{spouse.pk}/",
        "person-edit": f"/basedata/people/{spouse.pk}/edit/",
        "person-move-out": f"/basedata/people/{spouse.pk}/move-out/",
        "person-death": f"/basedata/people/{spouse.pk}/death/",
        "person-household": f"/basedata/people/{spouse.pk}/household/",
        "person-move-in": f"/basedata/people/{spouse.pk}/move-in/",
        "house": f"/basedata/houses/{house.pk}/",
        "house-edit": f"/basedata/houses/{house.pk}/edit/",
        "organisation-edit": f"/basedata/organisations/{org.pk}/edit/",
        "people-list": "/basedata/people/?status=all&q=截图",
    }
    shots = SHOTS if SHOTS.is_dir() else None
    for width, height, tag in ((1440, 900, "1440"), (390, 844, "390")):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="zh-CN")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        sign_in(page, server_url, "gw_gulou")
        for name, path in pages.items():
            response = page.goto(server_url + path)
            assert response.status == 200, (name, response.status)
            if tag == "390":
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, (name, overflow)
            if shots:
                page.screenshot(path=str(shots / f"F-{name}-{tag}.png"), full_page=True)
        # The conflict as the worker sees it.
        page.goto(server_url + pages["person-edit"])
        page.evaluate("() => document.querySelector('[name=expected_version]').value = '1'")
        page.fill("input[name=address]", "我在旧页面上填的地址")
        page.locator("form.gg-form [type=submit]").click()
        page.locator(".gg-bd-conflict").wait_for()
        assert "已被他人修改" in page.content()
        if shots:
            page.screenshot(path=str(shots / f"F-conflict-{tag}.png"), full_page=True)
        assert errors == [], errors
        context.close()
