"""采集 in a real browser on a 390 px phone (``-m browser``): the ID number checked on the
device, a move-out registered offline and sent once, a stale form shown as a conflict, and
every screen at 390 px without sideways scrolling."""

import os
from pathlib import Path

import pytest

from gridgov.basedata import actions
from gridgov.basedata.choices import PersonStatus
from gridgov.basedata.models import ChangeRecord, Person
from gridgov.core.testing import wait_for_js
from gridgov.demo.basedata import make_uscc

from .collect_support import make_house, make_person, new_id_number
from .test_browser_outbox import items, phone, sign_in, wait_for_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks (one request at a time, see
    events/tests/test_browser_intake.py)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def household(gulou_grid):
    house = make_house(gulou_grid, "采集浏览路5号", "201")
    head = make_person(gulou_grid, "浏览甲", house=house)
    head = actions.set_household(head, None, actor=None)
    actions.create_person(actor=None, grid=gulou_grid, name="浏览乙", house=house,
                          id_number=new_id_number(female=True), household_head=head,
                          relation_to_head="spouse", tags=["独居老人"])
    return house, head


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"G-{name}.png"), full_page=True)


def no_sideways_scroll(page):
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_a_bad_id_number_is_refused_on_the_device(browser, server_url, gulou_grid,
                                                  grid_worker, demo_password, household):
    house, _head = household
    context = phone(browser, gulou_grid)
    page = context.new_page()
    errors, api_calls = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: api_calls.append(r.url) if "/api/" in r.url else None)
    sign_in(page, server_url, demo_password)
    page.goto(server_url + f"/m/collect/people/new/?house={house.pk}")
    page.fill("input[name=name]", "设备校验")
    good = new_id_number()
    page.fill("input[name=id_number]", good[:17] + ("1" if good[17] != "1" else "2"))
    page.locator("form[data-outbox] [type=submit]").click()
    box = page.locator("input[name=id_number] ~ .m-error")
    wait_for_js(page, "!!document.querySelector('input[name=id_number] ~ .m-error')"
                      ".textContent.trim()")
    assert "校验" in box.inner_text() or "身份证" in box.inner_text()
    assert "/m/collect/people/new/" in page.url
    assert items(page) == [] and not api_calls
    shot(page, "person-new-bad-id")

    # A valid number: sex and birth date are worked out on the device.
    page.fill("input[name=id_number]", good)
    assert page.locator("select[name=sex]").input_value() == "M"
    assert page.locator("input[name=birth_date]").input_value() == "1979-05-06"
    assert not page.locator("input[name=id_number] ~ .m-error").is_visible()
    assert no_sideways_scroll(page)
    shot(page, "person-new")
    page.locator("form[data-outbox] [type=submit]").click()
    page.wait_for_url(f"**/m/collect/houses/{house.pk}/")
    wait_for_js(page, "GridgovOutbox.list().then(l => l.length && "
                      "l.every(i => i.status === 'done'))", timeout=90000)
    person = Person.objects.get(name="设备校验")
    assert person.house_id == house.pk and person.relation_to_head == "head"
    assert not errors
    context.close()


def test_a_move_out_registered_offline_is_sent_once(browser, server_url, gulou_grid,
                                                    grid_worker, demo_password, household):
    _house, head = household
    context = phone(browser, gulou_grid)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, demo_password)
    person_url = server_url + f"/m/collect/people/{head.pk}/"
    page.goto(person_url)
    wait_for_worker(page)
    page.reload()  # through the worker: the screen is on the device now
    page.goto(person_url + "move-out/")  # opened once online: kept for offline use

    context.set_offline(True)
    page.goto(person_url)
    page.locator("a", has_text="迁出").first.click()
    page.wait_for_url("**/move-out/")
    page.fill("input[name=destination]", "宁波市江北区")
    page.fill("input[name=reason]", "购房搬迁")
    page.locator("label.c-choice", has_text="浏览乙").click()
    page.locator("form[data-outbox] [type=submit]").click()
    page.wait_for_url(person_url)  # the person's screen, from the device
    wait_for_js(page, "GridgovOutbox.list().then(l => l.length === 1 && "
                      "l[0].status === 'pending')")
    assert Person.objects.get(pk=head.pk).status == PersonStatus.RESIDING
    page.close()  # closed before the network comes back

    page = context.new_page()
    page.goto(server_url + "/m/outbox/")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for_js(page, "GridgovOutbox.list().then(l => l.every(i => i.status === 'done'))",
                timeout=90000)
    head.refresh_from_db()
    assert head.status == PersonStatus.MOVED_OUT and head.moved_out_to == "宁波市江北区"
    assert ChangeRecord.objects.filter(object_type="person", object_id=head.pk,
                                       action="person.move_out").count() == 1
    spouse = Person.objects.get(name="浏览乙")
    assert spouse.household_head_id == spouse.pk
    page.goto(person_url)
    assert page.locator("[data-person-status]").get_attribute(
        "data-person-status") == "moved_out"
    shot(page, "person-moved-out")
    assert not errors
    context.close()


def test_a_stale_form_is_shown_as_a_conflict(browser, server_url, gulou_grid, grid_worker,
                                             demo_password, household):
    _house, head = household
    context = phone(browser, gulou_grid)
    page = context.new_page()
    sign_in(page, server_url, demo_password)
    page.goto(server_url + f"/m/collect/people/{head.pk}/phone/")
    shot(page, "person-phone")
    actions.change_phone(head, "13511112222", actor=None)  # somebody else, meanwhile
    page.fill("input[name=phone]", "13800009999")
    page.locator("form[data-outbox] [type=submit]").click()
    page.wait_for_url(server_url + f"/m/collect/people/{head.pk}/")
    wait_for_js(page, "GridgovOutbox.list().then(l => l.length === 1 && "
                      "l[0].status === 'conflict')", timeout=30000)
    head.refresh_from_db()
    assert head.phone_masked == "135****2222"  # not overwritten
    page.goto(server_url + "/m/outbox/")
    page.wait_for_selector(".m-outbox-item[data-status=conflict]")
    assert "变更手机号" in page.locator(".m-outbox-item[data-status=conflict]").inner_text()
    shot(page, "outbox-conflict")
    context.close()


def test_every_screen_fits_390px(browser, server_url, gulou_grid, grid_worker, demo_password,
                                 household):
    house, head = household
    org = actions.create_organisation(actor=None, grid=gulou_grid, name="采集浏览便利店",
                                      uscc=make_uscc(4301), house=house,
                                      legal_representative="赵某")
    context = phone(browser, gulou_grid)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, demo_password)
    screens = {
        "home": "/m/collect/",
        "home-houses": "/m/collect/?kind=houses",
        "person": f"/m/collect/people/{head.pk}/",
        "person-move-out": f"/m/collect/people/{head.pk}/move-out/",
        "person-death": f"/m/collect/people/{head.pk}/death/",
        "person-household": f"/m/collect/people/{head.pk}/household/",
        "person-move-in": f"/m/collect/people/{head.pk}/move-in/?q=采集浏览",
        "house": f"/m/collect/houses/{house.pk}/",
        "house-edit": f"/m/collect/houses/{house.pk}/edit/",
        "org": f"/m/collect/organisations/{org.pk}/",
        "org-new": "/m/collect/organisations/new/",
    }
    for name, url in screens.items():
        page.goto(server_url + url)
        assert no_sideways_scroll(page), name
        shot(page, name)
    # The list's rows ask the service worker to keep them for offline use.
    page.goto(server_url + "/m/collect/?q=浏览")
    assert page.locator(f'a[data-precache="/m/collect/people/{head.pk}/"]').count() == 1
    assert not errors
    context.close()
