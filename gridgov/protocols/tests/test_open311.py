"""Open311 GeoReport v2 at /open311/v2/, checked as a plain HTTP client would, in JSON and
XML, against the spec (https://wiki.open311.org/GeoReport_v2)."""

import datetime as dt
import json
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.accounts.actions import issue_api_key, revoke_api_key
from gridgov.accounts.models import Department
from gridgov.events import actions as ev
from gridgov.events.choices import Source, State
from gridgov.events.models import Event, MinorCategory
from gridgov.events.tests.helpers_command import category, make_event, point_in

pytestmark = pytest.mark.django_db
BASE = "/open311/v2/"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


@pytest.fixture
def http():
    return Client()


@pytest.fixture
def api_key():
    _key, raw = issue_api_key(Department.objects.get(code="D034"), name="Open311 app",
                              actor=None)
    return raw


@pytest.fixture
def service():
    return category()


@pytest.fixture
def post_data(api_key, service, gulou_grid):
    lng, lat = point_in(gulou_grid)
    return {"api_key": api_key, "service_code": service.code, "lat": f"{lat:.6f}",
            "long": f"{lng:.6f}", "description": "路灯不亮,夜间行人不便",
            "address_string": "鼓楼街道中山西路 1 号", "first_name": "小明", "last_name": "王",
            "phone": "13912345678", "attribute[nature]": "complaint"}


def as_json(response, status=200):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == JSON_TYPE
    return json.loads(response.content.decode("utf-8"))


def as_xml(response, status=200):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == XML_TYPE
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)


def error_list(response, status):
    body = as_json(response, status)
    assert isinstance(body, list) and body
    assert all(set(e) == {"code", "description"} and e["code"] == status for e in body)
    return [e["description"] for e in body]


def xml_errors(response, status):
    root = as_xml(response, status)
    assert root.tag == "errors"
    errors = root.findall("error")
    assert errors and all(e.findtext("code") == str(status) for e in errors)
    return [e.findtext("description") for e in errors]


# --- discovery and services -----------------------------------------------------------------


def test_discovery_json_and_xml(http):
    body = as_json(http.get(BASE + "discovery.json"))
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production"
    assert body["changeset"].endswith("+08:00")
    root = as_xml(http.get(BASE + "discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml", "application/json"]


def test_services_are_the_active_minor_categories(http, service):
    ev.update_category(MinorCategory.objects.exclude(pk=service.pk).first(), actor=None,
                       is_active=False)
    active = MinorCategory.objects.filter(is_active=True).count()
    body = as_json(http.get(BASE + "services.json"))
    assert len(body) == active
    row = next(s for s in body if s["service_code"] == service.code)
    assert isinstance(row["service_code"], str)
    assert row["service_name"] == service.name
    assert row["metadata"] is True and row["type"] == "realtime"
    assert row["group"] == service.major.name
    root = as_xml(http.get(BASE + "services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == active
    xml_row = next(s for s in root.findall("service") if s.findtext("service_code") ==
                   service.code)
    assert xml_row.findtext("metadata") == "true"
    assert xml_row.findtext("service_name") == service.name


def test_service_definition_with_attributes(http, service):
    body = as_json(http.get(f"{BASE}services/{service.code}.json"))
    assert body["service_code"] == service.code
    nature = body["attributes"][0]
    assert nature["code"] == "nature" and nature["datatype"] == "singlevaluelist"
    assert nature["variable"] is True and nature["required"] is False
    assert {"key": "complaint", "name": "投诉"} in nature["values"]
    root = as_xml(http.get(f"{BASE}services/{service.code}.xml"))
    assert root.tag == "service_definition"
    attribute = root.find("attributes/attribute")
    assert attribute.findtext("code") == "nature"
    assert attribute.findtext("order") == "1"
    keys = [v.findtext("key") for v in attribute.findall("values/value")]
    assert keys == ["request", "complaint", "consult", "suggestion", "thanks"]


def test_unknown_service_is_404(http):
    assert "9999" in error_list(http.get(BASE + "services/9999.json"), 404)[0]
    assert xml_errors(http.get(BASE + "services/9999.xml"), 404)


def test_unknown_resource_is_404_in_the_format(http):
    error_list(http.get(BASE + "nothing.json"), 404)
    xml_errors(http.get(BASE + "nothing/here.xml"), 404)


# --- POST requests --------------------------------------------------------------------------


def test_post_creates_one_event(http, post_data, service, gulou_grid):
    body = as_json(http.post(BASE + "requests.json", post_data))
    assert len(body) == 1
    row = body[0]
    # The spec: the id or a token, never both (test_open311_post for the token case).
    assert isinstance(row["service_request_id"], str) and "token" not in row
    event = Event.objects.get(number=row["service_request_id"])
    assert event.source == Source.OPEN311
    assert event.category == service and event.nature == "complaint"
    assert event.grid == gulou_grid and event.state == State.REPORTED
    assert event.reporter_name == "王 小明" and event.reporter_phone == "13912345678"
    assert event.address == "鼓楼街道中山西路 1 号"
    assert abs(event.lat - float(post_data["lat"])) < 1e-6  # stored as sent: WGS-84


def test_post_xml(http, post_data):
    root = as_xml(http.post(BASE + "requests.xml", post_data))
    assert root.tag == "service_requests"
    request_id = root.findtext("request/service_request_id")
    assert Event.objects.filter(number=request_id).exists()


def test_token_retries_create_one_event_and_resolve(http, post_data):
    data = dict(post_data, token="client-retry-0001")
    first = as_json(http.post(BASE + "requests.json", data))[0]
    second = as_json(http.post(BASE + "requests.json", data))[0]
    assert first["service_request_id"] == second["service_request_id"]
    assert Event.objects.filter(source=Source.OPEN311).count() == 1
    body = as_json(http.get(BASE + "tokens/client-retry-0001.json"))
    assert body == [{"service_request_id": first["service_request_id"],
                     "token": "client-retry-0001"}]
    root = as_xml(http.get(BASE + "tokens/client-retry-0001.xml"))
    assert root.findtext("request/service_request_id") == first["service_request_id"]
    error_list(http.get(BASE + "tokens/unknown.json"), 404)


def test_device_id_retries_create_one_event(http, post_data):
    data = dict(post_data, device_id="phone-42")
    first = as_json(http.post(BASE + "requests.json", data))[0]
    second = as_json(http.post(BASE + "requests.json", data))[0]
    assert first == second
    other = as_json(http.post(BASE + "requests.json",
                              dict(data, description="另一处路灯不亮")))[0]
    assert other["service_request_id"] != first["service_request_id"]
    assert Event.objects.filter(source=Source.OPEN311).count() == 2


def test_same_token_for_a_different_request_is_400(http, post_data):
    data = dict(post_data, token="t-1")
    as_json(http.post(BASE + "requests.json", data))
    error_list(http.post(BASE + "requests.json", dict(data, description="不同内容")), 400)


def test_api_key_is_required_and_checked(http, post_data, api_key):
    without = {k: v for k, v in post_data.items() if k != "api_key"}
    assert "api_key" in error_list(http.post(BASE + "requests.json", without), 403)[0]
    error_list(http.post(BASE + "requests.json", dict(post_data, api_key="")), 403)
    xml_errors(http.post(BASE + "requests.xml", dict(post_data, api_key="gg_wrong")), 403)
    from gridgov.accounts.models import ApiKey

    revoke_api_key(ApiKey.objects.get(name="Open311 app"), actor=None)
    error_list(http.post(BASE + "requests.json", post_data), 403)
    assert not Event.objects.filter(source=Source.OPEN311).exists()


def test_key_use_is_recorded_on_the_key(http, post_data):
    from gridgov.accounts.models import ApiKey

    key = ApiKey.objects.get(name="Open311 app")
    assert key.last_used_at is None
    as_json(http.post(BASE + "requests.json", post_data))
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_missing_and_empty_parameters_are_400(http, post_data):
    # description is optional (the spec; test_open311_post); lat without long is not.
    data = dict(post_data, service_code="", description="")
    del data["lat"]
    messages = error_list(http.post(BASE + "requests.json", data), 400)
    assert any("service_code" in m for m in messages)
    data = dict(post_data, description="")
    del data["lat"]
    messages = error_list(http.post(BASE + "requests.json", data), 400)
    assert any("lat" in m for m in messages)
    assert xml_errors(http.post(BASE + "requests.xml", data), 400)


@pytest.mark.parametrize("change, word", [
    ({"service_code": "9999"}, "9999"),
    ({"lat": "north"}, "lat"),
    ({"long": "500"}, "long"),
    ({"lat": "30.9", "long": "119.0"}, "location"),  # outside the district
    ({"attribute[nature]": "rumour"}, "nature"),
    ({"phone": "12345"}, "reporter_phone"),
])
def test_bad_values_are_400(http, post_data, change, word):
    messages = error_list(http.post(BASE + "requests.json", dict(post_data, **change)), 400)
    assert any(word in m for m in messages), messages
    assert not Event.objects.filter(source=Source.OPEN311).exists()


def test_requests_endpoint_allows_only_get_and_post(http):
    assert http.put(BASE + "requests.json").status_code == 405


# --- GET requests ---------------------------------------------------------------------------


@pytest.fixture
def events(gulou_grid, gulou_grid2):
    """An open, a closed and a held event, plus one from last year, all reported by
    residents on the public form (staff channels are not published: test_open311_privacy)."""
    open_event = make_event(gulou_grid, state=State.DISPATCHED, source="citizen")
    closed = make_event(gulou_grid2, state=State.CLOSED, source="citizen")
    held = ev.report_event(source="citizen", description="含敏感词的内容",
                           lng=point_in(gulou_grid)[0], lat=point_in(gulou_grid)[1],
                           hold_reason="命中词库")
    old = make_event(gulou_grid, source="citizen")
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=200))
    return {"open": open_event, "closed": closed, "held": held, "old": old}


def ids(body):
    return {row["service_request_id"] for row in body}


def mine(body, events):
    """The test's own events among the answer (the demo district has events of its own)."""
    return ids(body) & {e.number for e in events.values()}


def test_get_requests_defaults_to_the_last_90_days_and_hides_held(http, events):
    body = as_json(http.get(BASE + "requests.json"))
    assert mine(body, events) == {events["open"].number, events["closed"].number}
    hidden = Event.objects.filter(state=State.HELD).values_list("number", flat=True)
    assert not ids(body) & set(hidden)


def test_request_fields_follow_the_spec(http, events):
    body = as_json(http.get(f"{BASE}requests/{events['open'].number}.json"))
    assert isinstance(body, list) and len(body) == 1  # a single request is still a list
    row = body[0]
    event = events["open"]
    assert row["service_request_id"] == event.number
    assert row["status"] == "open" and row["status_notes"]
    assert row["service_code"] == event.category.code
    assert row["agency_responsible"] == "区综合行政执法局"
    # Anonymous: the point rounded to about 100 m (test_open311_privacy).
    assert row["lat"] == round(event.lat, 3) and row["long"] == round(event.lng, 3)
    assert row["requested_datetime"].endswith("+08:00")
    assert row["expected_datetime"] == timezone.localtime(event.handle_deadline).isoformat(
        timespec="seconds")
    for field in ("service_name", "description", "updated_datetime", "address", "media_url",
                  "service_notice", "address_id", "zipcode"):
        assert field in row
    assert not any("reporter" in key or "phone" in key for key in row)
    closed = as_json(http.get(f"{BASE}requests/{events['closed'].number}.json"))[0]
    assert closed["status"] == "closed" and closed["expected_datetime"] is None


def test_request_xml(http, events):
    root = as_xml(http.get(f"{BASE}requests/{events['closed'].number}.xml"))
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert request.findtext("service_request_id") == events["closed"].number
    assert request.findtext("status") == "closed"
    assert float(request.findtext("lat")) == round(events["closed"].lat, 3)
    assert request.find("expected_datetime").text is None


def test_unknown_or_held_request_is_404(http, events):
    error_list(http.get(BASE + "requests/E000.json"), 404)
    xml_errors(http.get(f"{BASE}requests/{events['held'].number}.xml"), 404)


def test_filter_by_ids_overrides_everything(http, events):
    query = {"service_request_id": f"{events['old'].number},{events['closed'].number}",
             "status": "open"}
    assert ids(as_json(http.get(BASE + "requests.json", query))) == {
        events["old"].number, events["closed"].number}


def test_filter_by_status_and_service_code(http, events):
    closed = as_json(http.get(BASE + "requests.json", {"status": "closed"}))
    assert mine(closed, events) == {events["closed"].number}
    assert {row["status"] for row in closed} == {"closed"}
    both = as_json(http.get(BASE + "requests.json", {"status": "open,closed"}))
    assert mine(both, events) == {events["open"].number, events["closed"].number}
    code = events["open"].category.code
    body = as_json(http.get(BASE + "requests.json", {"service_code": f"{code},9999"}))
    assert mine(body, events) == {events["open"].number, events["closed"].number}
    assert {row["service_code"] for row in body} == {code}
    assert as_json(http.get(BASE + "requests.json", {"service_code": "9999"})) == []


def test_filter_by_dates_and_updated_after(http, events):
    now = timezone.now()
    query = {"start_date": (now - dt.timedelta(days=365)).isoformat(),
             "end_date": (now - dt.timedelta(days=100)).isoformat()}
    assert mine(as_json(http.get(BASE + "requests.json", query)), events) == {
        events["old"].number}
    later = now + dt.timedelta(hours=1)
    Event.objects.filter(pk=events["closed"].pk).update(updated_at=later)
    body = as_json(http.get(BASE + "requests.json",
                            {"updated_after": (later - dt.timedelta(minutes=1)).isoformat()}))
    assert ids(body) == {events["closed"].number}


def test_empty_parameters_count_as_missing(http, events):
    body = as_json(http.get(BASE + "requests.json",
                            {"status": "", "service_code": "", "start_date": ""}))
    assert ids(body) == ids(as_json(http.get(BASE + "requests.json")))
    assert mine(body, events) == {events["open"].number, events["closed"].number}


def test_paging(http, events):
    query = {"service_request_id": f"{events['open'].number},{events['closed'].number}",
             "page_size": 1}
    first = as_json(http.get(BASE + "requests.json", query))
    second = as_json(http.get(BASE + "requests.json", {**query, "page": 2}))
    third = as_json(http.get(BASE + "requests.json", {**query, "page": 3}))
    assert len(first) == len(second) == 1 and third == []
    assert ids(first) | ids(second) == {events["open"].number, events["closed"].number}
    everything = as_json(http.get(BASE + "requests.json"))
    assert len(as_json(http.get(BASE + "requests.json", {"page_size": 2}))) == min(
        2, len(everything))


@pytest.mark.parametrize("query, word", [
    ({"start_date": "yesterday"}, "start_date"),
    ({"status": "pending"}, "status"),
    ({"page": "0"}, "page"),
    ({"page_size": "5000"}, "page_size"),
    ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "start_date"),
])
def test_bad_queries_are_400(http, query, word):
    assert any(word in m for m in error_list(http.get(BASE + "requests.json", query), 400))
    assert xml_errors(http.get(BASE + "requests.xml", query), 400)


def test_the_list_costs_a_fixed_number_of_queries(http, events, gulou_grid,
                                                  django_assert_max_num_queries):
    for _ in range(5):
        make_event(gulou_grid, state=State.FILED, source="citizen")
    with django_assert_max_num_queries(3):
        body = as_json(http.get(BASE + "requests.json"))
    assert len(body) >= 7


def test_harmful_text_is_held_not_published(http, post_data, django_capture_on_commit_callbacks):
    from gridgov.moderation import matcher
    from gridgov.moderation.actions import create_term
    from gridgov.moderation.models import LexiconTerm

    term = "代开发票"
    if not LexiconTerm.objects.filter(term=term, is_active=True).exists():
        with django_capture_on_commit_callbacks(execute=True):
            create_term(term=term, actor=None)
    matcher.invalidate()  # this process may hold an automaton built before the term existed
    data = dict(post_data, description=f"街口有人兜售{term}", token="held-1")
    row = as_json(http.post(BASE + "requests.json", data))[0]
    assert row["service_notice"] == "内容需人工审核后公开。"
    # Held: no public id yet, so the spec's token instead (never both).
    assert row["token"] == "held-1" and "service_request_id" not in row
    event = Event.objects.get(external_id="held-1")
    assert event.state == State.HELD
    error_list(http.get(f"{BASE}requests/{event.number}.json"), 404)
    assert as_json(http.get(BASE + "tokens/held-1.json")) == [
        {"service_request_id": None, "token": "held-1"}]
