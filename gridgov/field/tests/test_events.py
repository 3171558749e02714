"""核查 tab of the field terminal (/m/events/): the scoped segments, the case page and the
actions it offers, and the home screen's 待核查 / 待处置 sections."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridgov.demo.users import GULOU_GRID
from gridgov.events import actions
from gridgov.events.choices import State
from gridgov.events.tests.workflow_support import call, event_in, new_event, people
from gridgov.field import today

GULOU_GRID2 = GULOU_GRID[:-1] + "2"
GAOQIAO_GRID = "330203101201001"

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(db):
    return people()


def completed_in(grid, p):
    """A case of ``grid`` completed by the department, waiting for the grid's check."""
    event = new_event(p, grid=grid, actor=None)
    for action in ("register", "file", "dispatch", "claim", "complete"):
        event = call(action, event, p)
    return event


def to_grid(p, *, claim=False):
    """A case of gw_gulou's grid dispatched to the grid (and signed for by the worker)."""
    event = call("file", call("register", new_event(p), p), p)
    event = actions.dispatch_event(event, grid=True, actor=p["dispatcher"])
    if claim:
        event = actions.claim_event(event, actor=p["worker"])
    return event


def listed(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_segments_show_the_workers_grid_only(client_as, p):
    mine = completed_in(GULOU_GRID, p)
    theirs = completed_in(GULOU_GRID2, p)
    page = listed(client_as(p["worker"]).get("/m/events/"))
    assert mine.number in page and theirs.number not in page
    page = listed(client_as(p["worker2"]).get("/m/events/?tab=verify"))
    assert theirs.number in page and mine.number not in page
    assert f'data-precache="/m/events/{mine.number}/"' in listed(
        client_as(p["worker"]).get("/m/events/"))


def test_segments_split_verify_handle_and_own_reports(client_as, p):
    completed = completed_in(GULOU_GRID, p)
    handling = to_grid(p)
    reported = new_event(p)  # reported by gw_gulou, still waiting for the command room
    client = client_as(p["worker"])
    verify = listed(client.get("/m/events/?tab=verify"))
    handle = listed(client.get("/m/events/?tab=handle"))
    mine = listed(client.get("/m/events/?tab=mine"))
    assert completed.number in verify and handling.number not in verify
    assert handling.number in handle and completed.number not in handle
    assert reported.number in mine and handling.number in mine  # both reported by gw_gulou
    assert reported.number not in verify + handle
    assert client.get("/m/events/?tab=nonsense").status_code == 404


def test_own_reports_are_those_of_the_last_30_days(client_as, p):
    from datetime import timedelta

    from django.utils import timezone

    from gridgov.events.models import Event

    old, recent = new_event(p), new_event(p)
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    page = listed(client_as(p["worker"]).get("/m/events/?tab=mine"))
    assert recent.number in page and old.number not in page


def test_rows_carry_the_deadline_badge(client_as, p):
    from datetime import timedelta

    from django.utils import timezone

    from gridgov.events.models import Event

    late = completed_in(GULOU_GRID, p)
    Event.objects.filter(pk=late.pk).update(
        stage_deadline=timezone.now() - timedelta(hours=2),
        stage_started_at=timezone.now() - timedelta(days=2))
    page = listed(client_as(p["worker"]).get("/m/events/?tab=verify"))
    row = page.split(f'data-event="{late.number}"', 1)[1].split("</li>", 1)[0]
    assert "m-badge--danger" in row and "已超期" in row


def test_the_list_is_paginated_by_20(client_as, p):
    for _i in range(21):
        new_event(p)
    client = client_as(p["worker"])
    first = listed(client.get("/m/events/?tab=mine"))
    assert first.count('<li class="m-row') == 20 and 'rel="next"' in first
    second = listed(client.get("/m/events/?tab=mine&page=2"))
    assert second.count('<li class="m-row') >= 1 and 'rel="prev"' in second


def test_list_queries_do_not_grow_with_the_rows(client_as, p):
    client = client_as(p["worker"])
    completed_in(GULOU_GRID, p)
    client.get("/m/events/?tab=verify")  # warm the session and the access table
    with CaptureQueriesContext(connection) as few:
        listed(client.get("/m/events/?tab=verify"))
    for _i in range(4):
        completed_in(GULOU_GRID, p)
    with CaptureQueriesContext(connection) as many:
        page = listed(client.get("/m/events/?tab=verify"))
    assert page.count('<li class="m-row') >= 5
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_detail_outside_the_scope_answers_404(client_as, p):
    rural = new_event(p, grid=GAOQIAO_GRID, actor=None)
    client = client_as(p["worker"])
    assert client.get(f"/m/events/{rural.number}/").status_code == 404
    assert client.get("/m/events/E-NOT-THERE/").status_code == 404
    mine = completed_in(GULOU_GRID, p)
    assert client.get(f"/m/events/{mine.number}/").status_code == 200


def test_anonymous_visitors_are_sent_to_the_field_sign_in(client):
    response = client.get("/m/events/")
    assert response.status_code == 302 and response["Location"].startswith("/m/login/")


def _forms(page) -> set:
    return {chunk.split('"', 1)[0] for chunk in page.split('data-outbox="events.')[1:]}


def test_the_case_offers_the_actions_of_its_state(client_as, p):
    client = client_as(p["worker"])
    completed = completed_in(GULOU_GRID, p)
    page = listed(client.get(f"/m/events/{completed.number}/"))
    assert _forms(page) == {"verify"}
    assert f'action="/api/v1/events/{completed.pk}/verify/"' in page
    assert f'name="expected_version" value="{completed.version}"' in page
    assert "data-geo" in page and 'name="attachments"' in page
    assert listed(client.get(f"/m/events/{to_grid(p).number}/")).count(
        'data-outbox="events.claim"') == 1
    assert _forms(listed(client.get(f"/m/events/{to_grid(p, claim=True).number}/"))) == {
        "complete"}
    assert _forms(listed(client.get(f"/m/events/{new_event(p).number}/"))) == {
        "resolve_on_spot"}
    # Handled by a department: the grid has nothing to do yet.
    in_department = event_in(State.IN_PROGRESS, p)
    page = listed(client.get(f"/m/events/{in_department.number}/"))
    assert _forms(page) == set() and "当前没有需要您办理的操作" in page
    # Another grid's worker of the same street sees nothing to verify on it.
    assert client_as(p["worker2"]).get(f"/m/events/{completed.number}/").status_code == 404


def test_the_case_shows_timeline_photos_and_map(client_as, p):
    event = completed_in(GULOU_GRID, p)
    page = listed(client_as(p["worker"]).get(f"/m/events/{event.number}/"))
    assert page.index("上报") < page.index("处置完毕")  # newest last
    assert 'id="m-event-map-config"' in page and str(round(event.lng, 6)) in page
    assert f"/events/{event.pk}/attachments/" in page  # the completion photo, through scope
    assert "vendor/leaflet/leaflet.js" in page and "field/js/events.js" in page


def _counts(request) -> dict:
    return {s.key: s.count for s in today.sections(request)}


def test_home_screen_lists_to_verify_and_to_handle(rf, p):
    request = rf.get("/m/")
    request.user = p["worker"]
    before = _counts(request)
    request.user = p["worker2"]
    before2 = _counts(request)
    completed_in(GULOU_GRID, p)
    handling = to_grid(p)
    request.user = p["worker"]
    sections = {s.key: s for s in today.sections(request)}
    assert sections["events-verify"].count == before.get("events-verify", 0) + 1
    assert sections["events-verify"].url == reverse("field:events-list") + "?tab=verify"
    assert sections["events-handle"].count == before.get("events-handle", 0) + 1
    assert f"/m/events/{handling.number}/" in {
        i.url for i in sections["events-handle"].items} or sections["events-handle"].count > 3
    keys = [s.key for s in today.sections(request)]
    assert keys.index("events-verify") < keys.index("events-handle")
    request.user = p["worker2"]
    assert _counts(request) == before2  # another grid's work is not theirs


def test_home_sections_run_a_fixed_number_of_queries(rf, p):
    from gridgov.field.views import events as screen

    request = rf.get("/m/")
    request.user = p["worker"]
    completed_in(GULOU_GRID, p)
    screen.to_verify_section(request)
    with CaptureQueriesContext(connection) as few:
        screen.to_verify_section(request)
    base = screen.to_verify_section(request).count
    for _i in range(4):
        completed_in(GULOU_GRID, p)
    with CaptureQueriesContext(connection) as many:
        section = screen.to_verify_section(request)
    assert section.count == base + 4 and len(section.items) == 3
    assert len(many) == len(few) <= 3
