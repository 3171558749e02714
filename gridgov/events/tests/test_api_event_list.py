"""The event list API at city volume: no ``SELECT DISTINCT`` (nothing in its filters can
repeat a row), the same rows and count as before on every filter, a bounded offset and a
cursor mode that does not count every row on every page."""

import datetime as dt

import django_filters
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.core import pagination
from gridgov.events import actions as ev
from gridgov.events.choices import State
from gridgov.events.filtersets import EventFilterSet
from gridgov.events.models import Event

from .helpers_command import make_event, make_overdue, point_in

pytestmark = pytest.mark.django_db
LIST = "/api/v1/events/"


class DistinctFilterSet(EventFilterSet):
    """The filter set as it was: django-filter's stock state filter, with ``DISTINCT``."""

    state = django_filters.MultipleChoiceFilter(choices=State.choices)


@pytest.fixture
def mixed(gulou_grid, gulou_grid2):
    """A few events in several states, one supervised, one overdue, one closed."""
    events = [make_event(gulou_grid, state=State.FILED, description="井盖缺失"),
              make_event(gulou_grid2, state=State.DISPATCHED),
              make_event(gulou_grid, state=State.CLOSED),
              make_overdue(make_event(gulou_grid2, state=State.DISPATCHED))]
    ev.supervise_event(events[1], remark="尽快", actor=None)
    return events


def _every_filter(mixed, gulou_grid) -> list[dict]:
    """One sample value for each filter of the event list (taken from the events)."""
    event = Event.objects.select_related("category__major__platform", "department").get(
        pk=mixed[1].pk)
    lng, lat = point_in(gulou_grid)
    today = timezone.localdate().isoformat()
    return [
        {"state": ["closed"]}, {"state": ["filed", "dispatched"]}, {"source": event.source},
        {"urgency": event.urgency}, {"level": event.level}, {"nature": event.nature},
        {"platform": event.category.major.platform.code},
        {"major": event.category.major.code}, {"category": event.category.code},
        {"department": event.department.code}, {"within": gulou_grid.code},
        {"supervised": "true"}, {"deadline": "overdue"}, {"deadline": "due_soon"},
        {"created_after": today}, {"created_before": today}, {"closed_after": today},
        {"closed_before": today}, {"on_time": "true"}, {"on_time": "false"},
        {"near": f"{lng},{lat},800"}, {"q": "井盖"},
        {"state": ["filed", "closed"], "within": gulou_grid.code, "q": "井盖"},
    ]


def test_every_filter_keeps_the_rows_it_had(mixed, gulou_grid):
    scoped = Event.objects.all()
    for params in _every_filter(mixed, gulou_grid):
        now = EventFilterSet(params, queryset=scoped)
        before = DistinctFilterSet(params, queryset=scoped)
        assert now.is_valid() and before.is_valid(), params
        assert list(now.qs.values_list("pk", flat=True)) == list(
            before.qs.values_list("pk", flat=True)), params
        assert now.qs.count() == before.qs.count(), params
        assert not now.qs.query.distinct, params


def test_the_api_answers_the_same_rows_and_count_without_distinct(api_as, dispatcher, mixed,
                                                                  gulou_grid):
    api = api_as(dispatcher)
    scoped = Event.objects.restrict(dispatcher)
    for params in _every_filter(mixed, gulou_grid):
        with CaptureQueriesContext(connection) as queries:
            body = api.get(LIST, params).json()
        expected = DistinctFilterSet(params, queryset=scoped).qs
        assert body["count"] == expected.count(), params
        assert [r["id"] for r in body["results"]] == list(
            expected.values_list("pk", flat=True)[:100]), params
        assert not any("DISTINCT" in q["sql"].upper() for q in queries.captured_queries), params


def test_state_is_one_indexable_condition(api_as, dispatcher, mixed):
    api = api_as(dispatcher)
    with CaptureQueriesContext(connection) as queries:
        assert api.get(LIST, {"state": "closed"}).status_code == 200
    listed = [q["sql"] for q in queries.captured_queries if "events_event" in q["sql"]]
    assert listed and all("DISTINCT" not in sql.upper() for sql in listed)
    assert any("state\" = 'closed'" in sql or "state\" = %s" in sql for sql in listed), listed
    with CaptureQueriesContext(connection) as queries:
        api.get(LIST, {"state": ["closed", "filed"]})
    assert any("\"state\" IN ('closed', 'filed')" in q["sql"] for q in queries.captured_queries)


def test_all_states_or_none_chosen_filter_nothing(mixed):
    everything = set(Event.objects.values_list("pk", flat=True))
    every_state = [value for value, _label in State.choices]
    for params in ({"state": every_state}, {}):
        filterset = EventFilterSet(params, queryset=Event.objects.all())
        assert filterset.is_valid()
        assert set(filterset.qs.values_list("pk", flat=True)) == everything


# --- paging ------------------------------------------------------------------------------


def test_offset_past_the_window_is_400_pointing_to_cursor(api_as, dispatcher):
    api = api_as(dispatcher)
    assert api.get(LIST, {"offset": 10_000}).status_code == 200  # past the data: empty page
    response = api.get(LIST, {"offset": pagination.MAX_OFFSET + 1})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "offset" and "cursor" in error["message"]


def test_cursor_pages_count_once(api_as, district_leader, mixed,
                                 django_assert_max_num_queries):
    api = api_as(district_leader)
    total = Event.objects.restrict(district_leader).count()
    first = api.get(LIST, {"cursor": "", "limit": 2}).json()
    assert first["count"] == total
    with CaptureQueriesContext(connection) as queries:
        second = api.get(first["next"]).json()
    # Following pages carry the first page's count in the cursor: no COUNT(*) again.
    assert second["count"] == total
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    seen, body = first["results"] + second["results"], second
    while body["next"]:
        with django_assert_max_num_queries(8):
            body = api.get(body["next"]).json()
        seen += body["results"]
        assert body["count"] == total
    assert [r["id"] for r in seen] == list(
        Event.objects.restrict(district_leader).values_list("pk", flat=True))


def test_cursor_walks_a_state_filter_in_order(api_as, dispatcher, mixed):
    api = api_as(dispatcher)
    body = api.get(LIST, {"cursor": "", "limit": 1, "state": "dispatched"}).json()
    seen = [r["id"] for r in body["results"]]
    while body["next"]:
        body = api.get(body["next"]).json()
        seen += [r["id"] for r in body["results"]]
    assert seen == list(Event.objects.restrict(dispatcher).filter(state="dispatched")
                        .values_list("pk", flat=True))
    assert len(seen) >= 2


def test_the_list_query_count_does_not_grow(api_as, dispatcher, gulou_grid,
                                            django_assert_max_num_queries):
    api = api_as(dispatcher)
    api.get(LIST, {"state": "filed"})
    for _ in range(3):
        make_event(gulou_grid, state=State.FILED)
    with django_assert_max_num_queries(8):
        assert api.get(LIST, {"state": "filed"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert api.get(LIST, {"state": "filed", "cursor": ""}).status_code == 200


def test_created_filters_still_take_dates(api_as, dispatcher, mixed):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    body = api_as(dispatcher).get(LIST, {"created_before": yesterday}).json()
    assert all(r["created_at"] < timezone.localdate().isoformat() for r in body["results"])
