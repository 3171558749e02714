"""NotificationFilterSet: kind and unread on notifications sent for the test, bad values
through the API, and that filters never reach someone else's inbox."""

import pytest

from gridgov.notifications import actions
from gridgov.notifications.filtersets import NotificationFilterSet
from gridgov.notifications.models import Notification

pytestmark = pytest.mark.django_db

LIST = "/api/notifications/"


@pytest.fixture
def inbox(grid_worker, grid_worker2):
    """gw_gulou: a dispatch (read) and a supervision (unread); gw_gulou2: a dispatch."""
    read, = actions.notify([grid_worker], kind="dispatch", text="派遣通知", sms=False)
    actions.mark_read(read, actor=grid_worker)
    unread, = actions.notify([grid_worker], kind="supervise", text="督办通知", sms=False)
    theirs, = actions.notify([grid_worker2], kind="dispatch", text="他人的派遣", sms=False)
    return read, unread, theirs


def pks(data, user):
    """The test's notifications (the demo ones aside) the filter lets through for ``user``."""
    mine = Notification.objects.filter(text__in=["派遣通知", "督办通知", "他人的派遣"])
    fs = NotificationFilterSet(data, queryset=Notification.objects.restrict(user) & mine)
    assert fs.is_valid(), fs.errors
    return set(fs.qs.values_list("pk", flat=True))


def test_kind(inbox, grid_worker):
    read, unread, theirs = inbox
    assert pks({"kind": "dispatch"}, grid_worker) == {read.pk}
    assert pks({"kind": "supervise"}, grid_worker) == {unread.pk}
    assert pks({"kind": "overdue"}, grid_worker) == set()


def test_unread(inbox, grid_worker):
    read, unread, theirs = inbox
    assert pks({"unread": "true"}, grid_worker) == {unread.pk}
    assert pks({"unread": "false"}, grid_worker) == {read.pk}
    assert pks({}, grid_worker) == {read.pk, unread.pk}
    assert pks({"unread": "true", "kind": "dispatch"}, grid_worker) == set()


def test_invalid_kind_names_the_field():
    fs = NotificationFilterSet({"kind": "gossip"}, queryset=Notification.objects.all())
    assert not fs.is_valid()
    assert "kind" in fs.errors


def test_the_api_filters_and_answers_bad_values_with_400(api_as, grid_worker, inbox):
    read, unread, theirs = inbox
    api = api_as(grid_worker)
    rows = api.get(LIST, {"unread": "true", "limit": 500}).json()["results"]
    assert unread.pk in {r["id"] for r in rows} and read.pk not in {r["id"] for r in rows}
    assert not any(r["is_read"] for r in rows)
    rows = api.get(LIST, {"kind": "supervise", "limit": 500}).json()["results"]
    assert unread.pk in {r["id"] for r in rows} and {r["kind"] for r in rows} == {"supervise"}
    response = api.get(LIST, {"kind": "gossip"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"kind"}


def test_filters_never_reach_another_inbox(inbox, grid_worker, grid_worker2, leader):
    read, unread, theirs = inbox
    assert pks({"kind": "dispatch"}, grid_worker2) == {theirs.pk}
    assert pks({"unread": "false"}, grid_worker2) == set()
    assert pks({"kind": "supervise"}, leader) == set()
