"""Notification.restrict_q: only the recipient, whatever the role."""

import pytest

from gridgov.notifications import actions
from gridgov.notifications.choices import Kind
from gridgov.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_each_person_sees_only_their_own(grid_worker, grid_worker2, leader, sys_admin):
    actions.notify([grid_worker], kind=Kind.OTHER, text="mine")
    actions.notify([grid_worker2, leader, sys_admin], kind=Kind.OTHER, text="theirs")
    ours = Notification.objects.filter(text__in=["mine", "theirs"])
    assert list(ours.restrict(grid_worker).values_list("text", flat=True)) == ["mine"]
    for user in (grid_worker, leader, sys_admin):
        seen = set(Notification.objects.restrict(user).values_list("user_id", flat=True))
        assert seen == {user.pk}
    assert not Notification.objects.restrict(None).exists()


def test_api_clients_have_no_inbox(dept_admin):
    from gridgov.accounts.actions import issue_api_key
    from gridgov.accounts.api.authentication import ApiClient

    key, _raw = issue_api_key(dept_admin.department, name="t", actor=None)
    actions.notify([dept_admin], kind=Kind.OTHER, text="x")
    assert not Notification.objects.restrict(ApiClient(key)).exists()
