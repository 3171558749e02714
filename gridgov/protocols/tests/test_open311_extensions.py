"""CORS on the public Open311 reads, and the extensions partner apps use: paging with a cap,
``updated_after`` / ``updated_before``, and request notes (status history), in JSON and XML
over plain HTTP."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.events.choices import State
from gridgov.events.models import Event
from gridgov.events.tests.helpers_command import make_event
from gridgov.events.tests.workflow_support import photo

from .test_open311 import (
    BASE,
    api_key,
    as_json,
    as_xml,
    error_list,
    http,
    post_data,
    service,
    xml_errors,
)

pytestmark = pytest.mark.django_db
__all__ = ["api_key", "http", "post_data", "service"]  # fixtures used by name
ORIGIN = {"HTTP_ORIGIN": "https://partner.example"}


@pytest.fixture
def closed_event(gulou_grid):
    return make_event(gulou_grid, state=State.CLOSED, source="citizen",
                      description="路灯不亮,请联系 13912345678")


# --- CORS -----------------------------------------------------------------------------------


def public_paths(event, service):
    return [BASE + "discovery.json", BASE + "services.xml", f"{BASE}services/{service.code}.json",
            BASE + "requests.json", f"{BASE}requests/{event.number}.xml",
            f"{BASE}requests/{event.number}/notes.json", BASE + "tokens/none.json"]


def test_public_reads_are_open_to_every_origin(http, closed_event, service):
    for path in public_paths(closed_event, service):
        response = http.get(path, **ORIGIN)
        assert response["Access-Control-Allow-Origin"] == "*", path
        assert "Access-Control-Allow-Credentials" not in response


def test_errors_of_reads_are_readable_too(http):
    response = http.get(BASE + "requests.json", {"status": "pending"}, **ORIGIN)
    assert response.status_code == 400 and response["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_allows_get_and_not_post(http, closed_event, service):
    for path in public_paths(closed_event, service):
        response = http.options(path, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                                HTTP_ACCESS_CONTROL_REQUEST_HEADERS="accept", **ORIGIN)
        assert response.status_code == 204, path
        assert response["Access-Control-Allow-Origin"] == "*"
        methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
        assert "GET" in methods and "POST" not in methods
        assert "accept" in response["Access-Control-Allow-Headers"].lower()
        assert "authorization" not in response["Access-Control-Allow-Headers"].lower()
        assert int(response["Access-Control-Max-Age"]) > 0


def test_a_post_answer_is_not_opened_to_browsers(http, post_data):
    response = http.post(BASE + "requests.json", post_data, **ORIGIN)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


# --- paging and updated_after / updated_before ------------------------------------------------


@pytest.fixture
def three(gulou_grid):
    events = [make_event(gulou_grid, source="citizen") for _ in range(3)]
    base = timezone.now() + dt.timedelta(days=1)
    for n, event in enumerate(events):
        Event.objects.filter(pk=event.pk).update(updated_at=base + dt.timedelta(hours=n))
    return events, base


def test_updated_before_and_after_bound_the_window(http, three):
    events, base = three
    query = {"updated_after": (base + dt.timedelta(minutes=30)).isoformat(),
             "updated_before": (base + dt.timedelta(hours=1, minutes=30)).isoformat()}
    assert [r["service_request_id"] for r in as_json(http.get(BASE + "requests.json", query))] \
        == [events[1].number]
    root = as_xml(http.get(BASE + "requests.xml", query))
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [
        events[1].number]
    only_before = as_json(http.get(BASE + "requests.json", {
        "updated_before": (base + dt.timedelta(minutes=30)).isoformat()}))
    assert events[0].number in {r["service_request_id"] for r in only_before}
    backwards = {"updated_after": query["updated_before"], "updated_before": query["updated_after"]}
    assert any("updated_after" in m for m in error_list(
        http.get(BASE + "requests.json", backwards), 400))


def test_pages_walk_the_window_without_overlap(http, three):
    events, base = three
    query = {"updated_after": (base - dt.timedelta(minutes=1)).isoformat(), "page_size": 2}
    first = as_json(http.get(BASE + "requests.json", query))
    second = as_xml(http.get(BASE + "requests.xml", {**query, "page": 2}))
    ids = [r["service_request_id"] for r in first] + [
        r.findtext("service_request_id") for r in second.findall("request")]
    assert sorted(ids) == sorted(e.number for e in events)
    assert any("page_size" in m for m in xml_errors(
        http.get(BASE + "requests.xml", {"page_size": "1001"}), 400))


# --- notes ----------------------------------------------------------------------------------


def test_notes_are_the_status_history(http, closed_event):
    notes = as_json(http.get(f"{BASE}requests/{closed_event.number}/notes.json"))
    assert [n["type"] for n in notes][0] == "opened" and notes[-1]["type"] == "closed"
    assert all(set(n) == {"datetime", "summary", "type", "description"} for n in notes)
    assert all(n["datetime"].endswith("+08:00") and n["summary"] for n in notes)
    assert any(n["description"] == "已清理" for n in notes)  # the handler's account
    root = as_xml(http.get(f"{BASE}requests/{closed_event.number}/notes.xml"))
    assert root.tag == "notes"
    assert [n.findtext("type") for n in root.findall("note")] == [n["type"] for n in notes]


def test_extensions_true_adds_the_notes_to_the_request(http, closed_event):
    url = f"{BASE}requests/{closed_event.number}.json"
    assert "notes" not in as_json(http.get(url))[0]
    row = as_json(http.get(url, {"extensions": "true"}))[0]
    assert row["notes"] == as_json(http.get(f"{BASE}requests/{closed_event.number}/notes.json"))
    root = as_xml(http.get(f"{BASE}requests/{closed_event.number}.xml", {"extensions": "1"}))
    assert root.findall("request/notes/note")
    error_list(http.get(url, {"extensions": "maybe"}), 400)


def test_notes_of_an_unreadable_request_are_404(http, gulou_grid):
    staff = make_event(gulou_grid, source="grid_patrol")
    error_list(http.get(f"{BASE}requests/{staff.number}/notes.json"), 404)
    xml_errors(http.get(f"{BASE}requests/E0/notes.xml"), 404)


def test_remarks_in_notes_are_screened_for_anonymous_readers(http, gulou_grid):
    from gridgov.events import actions as ev

    event = make_event(gulou_grid, state=State.IN_PROGRESS, source="citizen")
    ev.complete_event(event, remark="已联系业主 13912345678 清理", actor=None,
                      attachments=[photo()])
    notes = as_json(http.get(f"{BASE}requests/{event.number}/notes.json"))
    remark = next(n["description"] for n in notes if n["description"])
    assert "13912345678" not in remark and "139****5678" in remark
