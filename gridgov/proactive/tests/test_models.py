"""restrict_q of each model for the roles that reach it (and those that do not)."""

import pytest

from gridgov.proactive import actions
from gridgov.proactive.models import Benefit, Consent, ServiceTask

from .support import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(gulou_grid, dept_handler):
    person = make_person(gulou_grid, "范围甲")
    return {
        "task": actions.open_task(kind="alert", title="范围甲", grid=gulou_grid, person=person),
        "dept": actions.open_task(kind="inspection", title="范围部门", grid=gulou_grid,
                                  subject="某处", to="department",
                                  department=dept_handler.department),
        "benefit": actions.start_benefit(person, kind="pension", actor=None),
        "consent": actions.record_consent(person, agreed=True, actor=None),
    }


@pytest.mark.parametrize("who, task, dept, benefit, consent", [
    ("grid_worker", True, True, True, True),
    ("grid_worker2", False, False, False, False),
    ("grid_chief", True, True, True, True),
    ("leader", True, True, True, True),
    ("dept_handler", False, True, False, False),
    ("sys_admin", False, False, False, False),
])
def test_view_scope(rows, request, who, task, dept, benefit, consent):
    user = request.getfixturevalue(who)
    seen = {
        "task": ServiceTask.objects.restrict(user, "view").filter(pk=rows["task"].pk).exists(),
        "dept": ServiceTask.objects.restrict(user, "view").filter(pk=rows["dept"].pk).exists(),
        "benefit": Benefit.objects.restrict(user, "view").filter(
            pk=rows["benefit"].pk).exists(),
        "consent": Consent.objects.restrict(user, "view").filter(
            pk=rows["consent"].pk).exists(),
    }
    assert seen == {"task": task, "dept": dept, "benefit": benefit, "consent": consent}


def test_change_scope(rows, grid_worker, leader, dept_handler):
    assert ServiceTask.objects.restrict(grid_worker, "change").filter(
        pk=rows["task"].pk).exists()
    assert not ServiceTask.objects.restrict(leader, "change").exists()
    assert list(ServiceTask.objects.restrict(dept_handler, "change").filter(
        pk__in=[rows["task"].pk, rows["dept"].pk])) == [rows["dept"]]
