"""Queue pages refresh themselves (issue 11 item 5): the live region polls the page's own
address and, asked by htmx for that region, the page answers only its rows and the tabs."""

import pytest
from django.test import override_settings

from gridgov.events.choices import State
from gridgov.events.tests.helpers_command import make_event, make_overdue

pytestmark = pytest.mark.django_db
COMMAND = "/events/command/"
LIVE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "gg-queue-live"}


def counts(response):
    return {q["key"]: q["count"] for q in response.context["queues"]}


@override_settings(GRIDGOV_QUEUE_REFRESH_SECONDS=30)
def test_page_has_a_live_region_polling_its_own_address(client_as, dispatcher):
    response = client_as(dispatcher).get(COMMAND, {"queue": "to_dispatch", "source": "citizen"})
    html = response.content.decode()
    assert 'id="gg-queue-live" data-gg-live' in html
    # The filters and the queue are kept in the address the region polls.
    assert 'hx-get="/events/command/?queue=to_dispatch&amp;source=citizen"' in html
    assert 'hx-trigger="every 30000ms, gg:refresh"' in html
    assert 'id="gg-queue-tabs"' in html and "hx-swap-oob" not in html


@override_settings(GRIDGOV_QUEUE_REFRESH_SECONDS=0)
def test_refresh_can_be_switched_off(client_as, dispatcher):
    html = client_as(dispatcher).get(COMMAND).content.decode()
    assert 'hx-trigger="gg:refresh"' in html


def test_live_refresh_answers_the_rows_and_the_new_counts(client_as, dispatcher, gulou_grid):
    client = client_as(dispatcher)
    first = client.get(COMMAND, {"queue": "overdue"}, **LIVE)
    event = make_overdue(make_event(gulou_grid, state=State.FILED))
    response = client.get(COMMAND, {"queue": "overdue"}, **LIVE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "gg-topbar" not in html  # a fragment, not a page
    assert html.count('id="gg-queue-live"') == 1
    assert '<nav class="gg-tabs" id="gg-queue-tabs"' in html and 'hx-swap-oob="true"' in html
    assert counts(response)["overdue"] == counts(first)["overdue"] + 1
    assert f'data-event="{event.pk}"' in html
    badge = f'<span class="gg-badge gg-badge-danger" data-count="{counts(response)["overdue"]}"'
    assert f'data-queue="overdue">已超期 {badge}' in html
    assert "HX-Target" in response["Vary"]


def test_live_refresh_keeps_the_filters(client_as, dispatcher, gulou_grid, gulou_grid2):
    in_one = make_event(gulou_grid, state=State.FILED)
    in_two = make_event(gulou_grid2, state=State.FILED)
    response = client_as(dispatcher).get(COMMAND, {"queue": "to_dispatch",
                                                   "within": gulou_grid2.code}, **LIVE)
    numbers = [row["event"].number for row in response.context["rows"]]
    assert in_two.number in numbers and in_one.number not in numbers


def test_other_htmx_requests_get_the_whole_page(client_as, dispatcher):
    response = client_as(dispatcher).get(COMMAND, HTTP_HX_REQUEST="true",
                                         HTTP_HX_TARGET="somewhere")
    assert "gg-topbar" in response.content.decode()


def test_department_and_grid_pages_refresh_too(client_as, dept_handler, grid_worker,
                                               gulou_grid):
    make_event(gulou_grid, state=State.DISPATCHED)
    for user, path in ((dept_handler, "/events/department/"), (grid_worker, "/events/mine/")):
        response = client_as(user).get(path, **LIVE)
        html = response.content.decode()
        assert response.status_code == 200 and "<html" not in html
        assert 'id="gg-queue-live"' in html and 'id="gg-queue-tabs"' in html


def test_live_refresh_query_count_is_constant(client_as, dispatcher, gulou_grid,
                                              django_assert_max_num_queries):
    client = client_as(dispatcher)
    make_event(gulou_grid, state=State.FILED)
    client.get(COMMAND, {"queue": "to_dispatch"}, **LIVE)
    for _ in range(8):
        make_event(gulou_grid, state=State.FILED)
    # Session, user, roles, counts, rows (a fragment: no menu, no area names): fewer than
    # the whole page.
    with django_assert_max_num_queries(7):
        response = client.get(COMMAND, {"queue": "to_dispatch"}, **LIVE)
    assert len(response.context["rows"]) >= 9
