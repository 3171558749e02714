"""Active alerts (issue 11 item 5): who is alerted of an overdue, supervised or returned case,
and the feed their open pages poll (``/notifications/alerts/``)."""

import pytest
from django.test import override_settings

from gridgov.events import actions as ev
from gridgov.events.choices import State
from gridgov.events.tests.helpers_command import make_event, make_overdue
from gridgov.events.tests.workflow_support import photo
from gridgov.notifications import actions
from gridgov.notifications.choices import ALERT_KINDS, Kind
from gridgov.notifications.models import Notification

pytestmark = pytest.mark.django_db
FEED = "/notifications/alerts/"


def told(kind, event):
    return sorted(Notification.objects.filter(kind=kind, event=event)
                  .values_list("user__username", flat=True))


# --- who holds the case is alerted ----------------------------------------------------------


def test_alert_kinds_are_overdue_supervise_and_return():
    assert ALERT_KINDS == {Kind.OVERDUE, Kind.SUPERVISE, Kind.RETURN}


def test_overdue_at_a_department_alerts_its_handlers_and_the_command_room(gulou_grid,
                                                                          on_commit):
    event = make_overdue(make_event(gulou_grid, state=State.DISPATCHED))
    with on_commit():
        ev.mark_deadline(event, kind="overdue")
    # The department's handler holds it; the street's dispatcher and shift leader chase it.
    assert told(Kind.OVERDUE, event) == ["dispatch_gulou", "handler_zhifa", "shift_gulou"]


def test_overdue_on_the_grid_alerts_the_grid_worker_and_the_command_room(gulou_grid,
                                                                         on_commit):
    event = make_overdue(make_event(gulou_grid, state=State.IN_PROGRESS, to_grid=True))
    with on_commit():
        ev.mark_deadline(event, kind="overdue")
    assert told(Kind.OVERDUE, event) == ["dispatch_gulou", "gw_gulou", "shift_gulou"]


def test_supervising_a_completed_case_alerts_the_verifier_and_dispatcher(gulou_grid, leader,
                                                                        on_commit):
    event = make_event(gulou_grid, state=State.COMPLETED)
    with on_commit():
        ev.supervise_event(event, remark="今日核查", actor=leader)
    assert told(Kind.SUPERVISE, event) == ["dispatch_gulou", "gw_gulou"]


def test_supervising_a_grid_task_alerts_the_grid_worker(gulou_grid, leader, on_commit):
    event = make_event(gulou_grid, state=State.DISPATCHED, to_grid=True)
    with on_commit():
        ev.supervise_event(event, remark="加快办理", actor=leader)
    assert told(Kind.SUPERVISE, event) == ["dispatch_gulou", "gw_gulou"]


def test_a_return_alerts_the_dispatcher(gulou_grid, dept_handler, on_commit):
    event = make_event(gulou_grid, state=State.IN_PROGRESS)
    with on_commit():
        ev.return_event(event, reason="非本部门职责", actor=dept_handler)
    assert told(Kind.RETURN, event) == ["dispatch_gulou"]


def test_rework_after_failed_verification_is_a_return_alert(gulou_grid, grid_worker,
                                                            on_commit):
    event = make_event(gulou_grid, state=State.COMPLETED)
    with on_commit():
        ev.verify_event(event, passed=False, remark="仍有垃圾", actor=grid_worker,
                        attachments=[photo()])
    assert told(Kind.RETURN, event) == ["handler_zhifa"]


# --- the feed -------------------------------------------------------------------------------


def test_anonymous_gets_401_not_a_sign_in_page(client):
    response = client.get(FEED)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_bad_after_is_400_with_the_field(client_as, dispatcher):
    response = client_as(dispatcher).get(FEED, {"after": "-1"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "after"


def test_baseline_gives_the_count_and_newest_id_without_replaying(client_as, dispatcher):
    [note] = actions.notify([dispatcher], kind=Kind.OVERDUE, text="事件 A 已超期")
    data = client_as(dispatcher).get(FEED).json()
    assert data["alerts"] == []
    assert data["latest"] >= note.pk
    assert data["unread"] == Notification.objects.filter(user=dispatcher,
                                                         read_at__isnull=True).count()


def test_feed_returns_only_newer_unread_alerts_of_the_person(client_as, dispatcher, leader,
                                                             gulou_grid):
    client = client_as(dispatcher)
    after = client.get(FEED).json()["latest"]
    event = make_event(gulou_grid, state=State.FILED)
    actions.notify([leader], kind=Kind.OVERDUE, text="别人的超期")
    actions.notify([dispatcher], kind=Kind.DISPATCH, text="不是提醒类")
    [read] = actions.notify([dispatcher], kind=Kind.RETURN, text="已读的回退")
    actions.mark_read(read, actor=dispatcher)
    [overdue] = actions.notify([dispatcher], kind=Kind.OVERDUE, text="事件已超期", event=event)
    [supervised] = actions.notify([dispatcher], kind=Kind.SUPERVISE, text="事件被督办")
    data = client.get(FEED, {"after": after}).json()
    assert [a["id"] for a in data["alerts"]] == [overdue.pk, supervised.pk]  # oldest first
    first = data["alerts"][0]
    assert first["level"] == "danger" and first["label"] == "已超期"
    assert first["url"] == f"/events/{event.pk}/"
    assert first["read_url"] == f"/notifications/{overdue.pk}/read/"
    assert data["alerts"][1]["level"] == "warn" and data["alerts"][1]["url"] == ""
    assert data["latest"] == supervised.pk
    # Asked again after the newest: nothing to show.
    assert client.get(FEED, {"after": data["latest"]}).json()["alerts"] == []


def test_feed_shows_the_newest_few_and_counts_the_rest(client_as, dispatcher):
    client = client_as(dispatcher)
    after = client.get(FEED).json()["latest"]
    for n in range(7):
        actions.notify([dispatcher], kind=Kind.OVERDUE, text=f"超期 {n}")
    data = client.get(FEED, {"after": after}).json()
    assert [a["text"] for a in data["alerts"]] == [f"超期 {n}" for n in range(2, 7)]
    assert data["more"] == 2


def test_feed_is_one_query_when_nothing_is_new(client_as, dispatcher,
                                               django_assert_num_queries,
                                               django_assert_max_num_queries):
    client = client_as(dispatcher)
    after = client.get(FEED).json()["latest"]
    for n in range(20):
        actions.notify([dispatcher], kind=Kind.DISPATCH, text=f"派遣 {n}")
    client.get(FEED, {"after": after})
    latest = Notification.objects.filter(user=dispatcher).latest("pk").pk
    # The session, the user and their roles (the shell's middleware), then one aggregate.
    with django_assert_num_queries(4):
        client.get(FEED, {"after": latest})
    for n in range(20):
        actions.notify([dispatcher], kind=Kind.OVERDUE, text=f"超期 {n}")
    with django_assert_max_num_queries(5):
        data = client.get(FEED, {"after": latest}).json()
    assert len(data["alerts"]) == 5


def test_marking_an_alert_read_removes_it_from_the_count(client_as, dispatcher):
    client = client_as(dispatcher)
    before = client.get(FEED).json()
    [note] = actions.notify([dispatcher], kind=Kind.SUPERVISE, text="督办")
    assert client.get(FEED).json()["unread"] == before["unread"] + 1
    response = client.post(f"/notifications/{note.pk}/read/", {"next": "/events/command/"})
    assert response.status_code == 302 and response["Location"] == "/events/command/"
    data = client.get(FEED, {"after": before["latest"]}).json()
    assert data["unread"] == before["unread"] and data["alerts"] == []


# --- the shell ------------------------------------------------------------------------------


@override_settings(GRIDGOV_ALERT_POLL_SECONDS=20)
def test_signed_in_pages_carry_the_alert_bar_and_public_pages_do_not(client, client_as,
                                                                      dispatcher):
    html = client_as(dispatcher).get("/").content.decode()
    assert "data-gg-alerts" in html and 'data-feed="/notifications/alerts/"' in html
    assert "gridgov/js/alerts.js" in html
    public = client.get("/accounts/login/").content.decode()
    assert "data-gg-alerts" not in public and "alerts.js" not in public


@override_settings(GRIDGOV_ALERT_POLL_SECONDS=0)
def test_polling_can_be_switched_off(client_as, dispatcher):
    assert "data-gg-alerts" not in client_as(dispatcher).get("/").content.decode()
