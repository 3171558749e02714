"""Issue 13's acceptance scenario end to end in a real browser on a 390 px phone
(``-m browser``): a grid worker signs in, opens the day's screens while on line, goes offline,
reports two events with photos, verifies a case with a photo, registers a move-out, closes the
tab, reopens, goes on line — the first answer of the sync is lost and retried — and the
command room sees each write exactly once.

Built from the helpers of the other terminal tests (sign-in, the service worker, the report
form, the verify form, the outbox) and their fixtures (the case waiting for verification of
test_events_browser, the household of test_collect_browser).
"""

import os
from pathlib import Path

import pytest

from gridgov.basedata.choices import PersonStatus
from gridgov.basedata.models import ChangeRecord, Person
from gridgov.core.testing import sign_in as desktop_sign_in
from gridgov.core.testing import wait_for_js
from gridgov.events.choices import State
from gridgov.events.models import Event, EventAttachment, EventStep
from gridgov.events.tests.test_browser_search import listed

from . import test_collect_browser, test_events_browser
from .test_browser_outbox import items, sign_in, wait_for_worker
from .test_events_browser import fill_verify, outbox_done
from .test_events_browser import phone as phone_near_the_case
from .test_report_browser import jpeg, open_form, pick_class

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))
REPORTS = {"离线一天:人行道井盖缺失": (200, 60, 40), "离线一天:路灯不亮": (30, 90, 200)}

# A case of gw_gulou's grid waiting for verification, and a household of that grid.
completed = test_events_browser.completed
household = test_collect_browser.household


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks (one request at a time, see
    events/tests/test_browser_intake.py)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def queued(page, count):
    wait_for_js(page, f"GridgovOutbox.list().then(l => l.length === {count})", timeout=20000)


def test_a_day_offline_reaches_the_command_room_once(
        browser, server_url, gulou_grid, grid_worker, completed, household, demo_password):
    _house, head = household
    case_url = server_url + f"/m/events/{completed.number}/"
    person_url = server_url + f"/m/collect/people/{head.pk}/"
    earlier = set(Event.objects.filter(reporter_user=grid_worker).values_list("pk", flat=True))
    # The phone stands 30 m north of the case, inside the worker's grid.
    context = phone_near_the_case(browser, completed)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, demo_password)

    # On line: the screens of the day are opened once, so the service worker keeps them.
    open_form(page, server_url)
    wait_for_worker(page)
    open_form(page, server_url)  # through the worker: the form is on the device
    wait_for_js(page, "caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then("
                      "c => c.keys())))).then(ls => ls.flat().some(r => "
                      "r.url.endsWith('/m/report/?sent=1')))", timeout=20000)
    page.goto(server_url + "/m/events/?tab=verify")
    page.goto(case_url)
    page.goto(person_url)
    page.goto(person_url + "move-out/")
    page.goto(server_url + "/m/outbox/")

    context.set_offline(True)
    # Two events, each with a photo, from the cached report form.
    for n, (text, colour) in enumerate(REPORTS.items(), start=1):
        open_form(page, server_url)
        assert page.locator("[data-offline-banner]").is_visible()
        page.set_input_files("input[data-photo-pick=attachments][capture]",
                             files=[jpeg(colour)])
        pick_class(page)
        page.fill("textarea[name=description]", text)
        page.locator("[data-report-submit]").click()
        page.wait_for_url("**/m/report/?sent=1", timeout=90_000)
        queued(page, n)
    # The case verified on site with a photo.
    page.goto(case_url)
    fill_verify(page)
    page.locator("#m-act-verify [type=submit]").click()
    page.wait_for_url("**/m/events/?tab=verify", timeout=90_000)
    queued(page, 3)
    # The head of the household moves out; the spouse stays and heads it.
    page.goto(person_url)
    page.locator("a", has_text="迁出").first.click()
    page.wait_for_url("**/move-out/")
    page.fill("input[name=destination]", "宁波市江北区")
    page.fill("input[name=reason]", "购房搬迁")
    page.locator("label.c-choice", has_text="浏览乙").click()
    page.locator("form[data-outbox] [type=submit]").click()
    page.wait_for_url(person_url)
    queued(page, 4)

    page.goto(server_url + "/m/outbox/")
    assert [i["status"] for i in items(page)] == ["pending"] * 4
    assert page.locator("[data-outbox-badge]").first.inner_text() == "4"
    page.screenshot(path=str(SHOTS / "H-offline-day-outbox.png"), full_page=True)
    # Nothing reached the server.
    assert not Event.objects.filter(description__in=REPORTS).exists()
    assert Event.objects.get(pk=completed.pk).state == State.COMPLETED
    assert Person.objects.get(pk=head.pk).status == PersonStatus.RESIDING
    page.close()  # the tab is closed with the four writes unsent

    # The answer to the first report is lost on the way back: the outbox sends it again.
    calls = []

    def drop_first_answer(route):
        calls.append(route.request.headers.get("idempotency-key"))
        if len(calls) == 1:
            route.fetch()  # the server creates the event…
            route.abort("connectionreset")  # …and the phone never hears of it
        else:
            route.continue_()

    context.route("**/api/v1/events/report/", drop_first_answer)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server_url + "/m/outbox/")  # from the device
    assert [i["status"] for i in items(page)] == ["pending"] * 4
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for_js(page, "GridgovOutbox.list().then(l => l.length === 4 && "
                      "l.every(i => i.status === 'done'))", timeout=90000)
    assert len(calls) == 3 and calls[0] == calls[1] and calls[0] != calls[2], calls
    page.screenshot(path=str(SHOTS / "H-offline-day-sent.png"), full_page=True)
    # Once more on line: nothing is sent twice.
    page.evaluate("GridgovOutbox.flush()")
    outbox_done(page)

    reported = Event.objects.filter(reporter_user=grid_worker).exclude(pk__in=earlier)
    assert sorted(e.description for e in reported) == sorted(REPORTS)
    for event in reported:
        assert event.grid_id == gulou_grid.pk
        assert EventAttachment.objects.filter(event=event, public=False).count() == 1
    completed.refresh_from_db()
    assert completed.state == State.CLOSED
    step = EventStep.objects.get(event=completed, action="verify")
    assert 28 <= step.place_distance_m <= 32 and step.place_accuracy_m == 12
    assert EventAttachment.objects.filter(event=completed, step=step.seq,
                                          public=False).count() == 1
    head.refresh_from_db()
    assert head.status == PersonStatus.MOVED_OUT and head.moved_out_to == "宁波市江北区"
    assert ChangeRecord.objects.filter(object_type="person", object_id=head.pk,
                                       action="person.move_out").count() == 1
    assert not errors, errors

    # The command room finds each new event once.
    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    room = desk.new_page()
    desktop_sign_in(room, server_url, "dispatch_gulou", demo_password)
    room.goto(server_url + "/events/search/?q=离线一天")
    assert sorted(listed(room)) == sorted(e.number for e in reported)
    room.screenshot(path=str(SHOTS / "H-offline-day-command-room.png"), full_page=True)
    desk.close()
    context.close()
