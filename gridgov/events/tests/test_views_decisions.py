"""The command room's pending decisions (待审批): extension and suspension requests.

The queue is the shift leader's (``workflow.TRANSITIONS``: only that role decides
``decide_extension`` / ``decide_suspension``); the buttons call the decision actions with the
version the page was drawn with.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.events import actions as ev
from gridgov.events.choices import RequestKind, RequestStatus, State
from gridgov.events.models import Event, EventRequest
from gridgov.events.tests.helpers_command import make_event
from gridgov.events.tests.workflow_support import call, event_in, people

pytestmark = pytest.mark.django_db
COMMAND = "/events/command/"
DECISIONS = {"queue": "decisions"}


@pytest.fixture
def p(db):
    return people()


def decide_url(event):
    return f"{COMMAND}{event.pk}/decide/"


def listed(response):
    return [row["event"].pk for row in response.context["rows"]]


def counts(response):
    return {q["key"]: q["count"] for q in response.context["queues"]}


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def pending(event, kind):
    return EventRequest.objects.filter(event=event, kind=kind, status=RequestStatus.PENDING)


def asking_extension(p, days=3, reason="需要协调市政部门"):
    event = event_in(State.IN_PROGRESS, p)
    return call("request_extension", event, p, days=days, reason=reason)


def asking_suspension(p, reason="涉及产权纠纷,暂无法解决"):
    event = event_in(State.IN_PROGRESS, p)
    return call("request_suspension", event, p, reason=reason)


def elsewhere_event(other_street):
    """An event of another street being handled by the same department, asking for time."""
    grid = Area.objects.filter(level="grid", code__startswith=other_street.code).first()
    event = make_event(grid, state=State.IN_PROGRESS)
    return ev.request_extension(event, days=2, reason="另一街道的申请", actor=None)


# --- the queue ------------------------------------------------------------------------------


def test_queue_lists_each_pending_request_with_its_details(client_as, p):
    extension = asking_extension(p, days=3, reason="需要协调市政部门")
    suspension = asking_suspension(p, reason="涉及产权纠纷")
    response = client_as(p["shift"]).get(COMMAND, DECISIONS)
    assert response.status_code == 200
    assert {extension.pk, suspension.pk} <= set(listed(response))
    html = response.content.decode()
    assert "延期 3 个工作日" in html and "需要协调市政部门" in html
    assert "挂账" in html and "涉及产权纠纷" in html
    handler = p["handler"]
    assert handler.real_name in html and handler.department.name in html
    request = pending(extension, RequestKind.EXTENSION).get()
    assert timezone.localtime(request.requested_at).strftime("%Y-%m-%d %H:%M") in html
    extension.refresh_from_db()
    # The current deadline, and each request's approve and reject forms carry the version.
    row = next(r for r in response.context["rows"] if r["event"].pk == extension.pk)
    assert row["event"].stage_deadline == extension.stage_deadline
    assert f'data-event="{extension.pk}"' in html
    assert html.count(f'action="{decide_url(extension)}"') == 2
    assert f'name="version" value="{extension.version}"' in html
    assert 'name="approve" value="0"' in html and "required" in html


def test_decided_and_undecidable_requests_are_not_listed(client_as, p):
    decided = asking_extension(p)
    call("decide_extension", decided, p)
    # Returned while its request was pending: the request lapsed with the return.
    returned = call("return", asking_extension(p), p)
    assert returned.state == State.FILED
    assert not pending(returned, RequestKind.EXTENSION).exists()
    still = asking_extension(p)
    response = client_as(p["shift"]).get(COMMAND, DECISIONS)
    assert still.pk in listed(response)
    assert decided.pk not in listed(response) and returned.pk not in listed(response)


def test_the_tab_and_its_count(client_as, p):
    client = client_as(p["shift"])
    before = counts(client.get(COMMAND))["decisions"]
    asking_extension(p)
    both = asking_extension(p)
    call("request_suspension", both, p)  # two requests on one event: one event to decide
    response = client.get(COMMAND)
    assert counts(response)["decisions"] == before + 2
    assert response.context["queue"] == "to_file"  # the shift leader still opens on filing
    html = response.content.decode()
    assert 'data-queue="decisions"' in html and "待审批" in html
    assert f'data-count="{before + 2}"' in html


@pytest.mark.parametrize("who", ["dispatcher", "clerk", "leader"])
def test_only_deciders_get_the_queue(client_as, p, who):
    asking_extension(p)
    client = client_as(p[who])
    assert "decisions" not in counts(client.get(COMMAND))
    assert client.get(COMMAND, DECISIONS).status_code == 404


def test_queue_and_count_stay_in_scope(client_as, p, other_street):
    client = client_as(p["shift"])
    mine = asking_extension(p)
    before = counts(client.get(COMMAND))["decisions"]
    other = elsewhere_event(other_street)
    response = client.get(COMMAND, DECISIONS)
    assert mine.pk in listed(response) and other.pk not in listed(response)
    assert counts(response)["decisions"] == before
    assert client.post(decide_url(other), {"kind": "extension", "approve": "1",
                                           "version": other.version}).status_code == 404
    assert pending(other, RequestKind.EXTENSION).exists()


def test_list_query_count_is_constant(client_as, p, django_assert_max_num_queries):
    client = client_as(p["shift"])
    asking_extension(p)
    client.get(COMMAND, DECISIONS)
    with CaptureQueriesContext(connection) as few:
        client.get(COMMAND, DECISIONS)
    for _ in range(4):
        asking_extension(p)
        asking_suspension(p)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(COMMAND, DECISIONS)
    assert len(response.context["rows"]) >= 9
    # Session, user, scope, counts, page count, rows, requests with requesters, messages.
    assert len(few.captured_queries) <= 10


# --- the buttons ----------------------------------------------------------------------------


def test_approve_extension_through_the_page(client_as, p):
    event = asking_extension(p, days=3)
    old_deadline = event.handle_deadline
    response = client_as(p["shift"]).post(decide_url(event), {
        "kind": "extension", "approve": "1", "version": event.version}, follow=True)
    assert any(f"已同意事件 {event.number} 的延期申请" in m for m in messages_of(response))
    request = EventRequest.objects.get(event=event, kind=RequestKind.EXTENSION)
    assert request.status == RequestStatus.APPROVED and request.decided_by == p["shift"]
    event.refresh_from_db()
    assert event.handle_deadline > old_deadline and event.state == State.IN_PROGRESS
    # Back on the queue, which no longer lists it.
    assert response.context["queue"] == "decisions"
    assert event.pk not in listed(response)


def test_approve_suspension_through_the_page(client_as, p):
    event = asking_suspension(p)
    response = client_as(p["shift"]).post(decide_url(event), {
        "kind": "suspension", "approve": "1", "version": event.version}, follow=True)
    assert any("挂账申请" in m for m in messages_of(response))
    assert Event.objects.get(pk=event.pk).state == State.SUSPENDED


def test_reject_with_a_remark(client_as, p):
    event = asking_extension(p)
    deadline = event.handle_deadline
    response = client_as(p["shift"]).post(decide_url(event), {
        "kind": "extension", "approve": "0", "remark": "现有时限足够",
        "version": event.version}, follow=True)
    assert any(f"已驳回事件 {event.number}" in m for m in messages_of(response))
    request = EventRequest.objects.get(event=event, kind=RequestKind.EXTENSION)
    assert request.status == RequestStatus.REJECTED
    assert request.decision_remark == "现有时限足够"
    assert Event.objects.get(pk=event.pk).handle_deadline == deadline


def test_reject_without_remark_changes_nothing(client_as, p):
    event = asking_suspension(p)
    response = client_as(p["shift"]).post(decide_url(event), {
        "kind": "suspension", "approve": "0", "remark": "  ", "version": event.version},
        follow=True)
    errors = [m for m in messages_of(response) if event.number in m]
    assert errors and "审批意见" in errors[0]
    assert pending(event, RequestKind.SUSPENSION).exists()
    current = Event.objects.get(pk=event.pk)
    assert current.version == event.version and current.state == State.IN_PROGRESS
    assert event.pk in listed(response)


def test_stale_version_shows_the_conflict(client_as, p):
    event = asking_extension(p)
    stale = event.version
    call("request_suspension", event, p)  # someone else moved the event on meanwhile
    response = client_as(p["shift"]).post(decide_url(event), {
        "kind": "extension", "approve": "1", "version": stale}, follow=True)
    assert any("已被他人处理" in m and event.number in m for m in messages_of(response))
    assert pending(event, RequestKind.EXTENSION).exists()


def test_unknown_kind_is_refused(client_as, p):
    event = asking_extension(p)
    response = client_as(p["shift"]).post(decide_url(event), {
        "kind": "bogus", "approve": "1", "version": event.version}, follow=True)
    assert any("申请类型" in m for m in messages_of(response))
    assert pending(event, RequestKind.EXTENSION).exists()


def test_non_deciders_cannot_post(client_as, p):
    event = asking_extension(p)
    data = {"kind": "extension", "approve": "1", "version": event.version}
    assert client_as(p["dispatcher"]).post(decide_url(event), data).status_code == 403
    assert client_as(p["leader"]).post(decide_url(event), data).status_code == 403
    assert client_as(p["shift"]).get(decide_url(event)).status_code == 405
    assert pending(event, RequestKind.EXTENSION).exists()
