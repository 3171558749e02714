"""The demo's tasks: open, accepted, overdue and done, loaded once."""

import pytest

from gridgov.demo import tasks as demo_tasks
from gridgov.tasks.models import Task

pytestmark = pytest.mark.django_db


def test_demo_tasks_cover_each_state_and_load_once(grid_worker, grid_worker2):
    Task.objects.all().delete()
    assert demo_tasks.load() == {"tasks": 4}
    assert set(Task.objects.values_list("state", flat=True)) == {"assigned", "accepted", "done"}
    assert Task.objects.overdue().filter(assignee=grid_worker2).count() == 1
    assert Task.objects.filter(kind="verify", event__isnull=False).exists()
    assert demo_tasks.load() == {"tasks": 0}
