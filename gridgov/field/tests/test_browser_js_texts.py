"""The scripts' messages in the page's language (``-m browser``): the server draws them through
gettext into a JSON script tag (field/_js_texts.html, basedata/_js_texts.html) and the scripts
read them, keeping the Chinese text as the fallback. A bad ID number's reason, checked on the
device, in English once English is chosen (the language cookie), in Chinese by default; on the
field terminal's new-resident form on a phone and on the desktop person form."""

import pytest

from gridgov.basedata import validators
from gridgov.core import testing
from gridgov.core.testing import wait_for_js

from .collect_support import make_house, make_person, new_id_number
from .test_browser_outbox import phone, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

REASONS = {
    "en": "Wrong ID number check digit: the last character should be {c} (GB 11643).",
    "zh-hans": "身份证号校验位错误:末位应为 {c}(GB 11643)。",
}


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def bad_id_number() -> tuple[str, str]:
    """An ID number with a wrong check digit, and the right one."""
    good = new_id_number()
    right = validators.expected_id_check(good)
    return good[:17] + ("1" if right != "1" else "2"), right


def choose(context, server_url, language):
    if language != "zh-hans":
        context.add_cookies([{"name": "django_language", "value": language, "url": server_url}])


def reason_shown(page, selector):
    wait_for_js(page, f"!!(document.querySelector({selector!r}) || {{}}).textContent")
    return page.locator(selector).inner_text().strip()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_field_new_resident_form(browser, server_url, gulou_grid, grid_worker, demo_password,
                                 language):
    house = make_house(gulou_grid, "文案路1号", "101")
    context = phone(browser, gulou_grid)
    choose(context, server_url, language)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, demo_password)
    page.goto(server_url + f"/m/collect/people/new/?house={house.pk}")
    assert page.get_attribute("html", "lang") == language
    wait_for_js(page, "!!window.GridgovValidators")
    number, right = bad_id_number()
    page.fill("input[name=id_number]", number)
    got = reason_shown(page, "input[name=id_number] ~ .m-error")
    assert got == REASONS[language].format(c=right)
    # The shell's own texts come the same way.
    net = page.locator("[data-net-state] .m-net-text").inner_text().strip()
    assert net == {"en": "Online", "zh-hans": "在线"}[language]
    assert errors == []
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_desktop_person_form(browser, server_url, gulou_grid, grid_worker, language):
    person = make_person(gulou_grid, "文案甲")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    choose(context, server_url, language)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    testing.sign_in(page, server_url, grid_worker.username)
    page.goto(f"{server_url}/basedata/people/{person.pk}/edit/")
    assert page.get_attribute("html", "lang") == language
    wait_for_js(page, "!!window.GridgovValidators")
    number, right = bad_id_number()
    page.fill("input[name=id_number]", number)
    got = reason_shown(page, "input[name=id_number] ~ .gg-field-error")
    assert got == REASONS[language].format(c=right)
    # The device gives the server's reason, word for word, in either language.
    with_server = page.evaluate("v => GridgovValidators.idNumber(v)", "123")
    assert with_server == {"en": "An ID number has 18 characters; this one has 3.",
                           "zh-hans": "身份证号应为18位,实际为3位。"}[language]
    assert errors == []
    context.close()
