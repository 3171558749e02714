import pytest

from gridgov.events.actions import intake
from gridgov.events.tests.intake_support import point_in
from gridgov.moderation import actions
from gridgov.moderation.models import LexiconTerm, ModerationCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(gulou_grid):
    LexiconTerm.objects.all().delete()
    actions.create_term(term="狗官", category="abuse", actor=None)
    lng, lat = point_in(gulou_grid)
    event = intake.report_by_resident(description="狗官", lng=lng, lat=lat).event
    return ModerationCase.objects.get(event=event)


@pytest.mark.parametrize("who,view,change", [
    ("intake_clerk", True, True), ("shift_leader", True, True), ("leader", True, False),
    ("district_leader", True, False), ("grid_worker", False, False),
    ("dispatcher", False, False), ("dept_handler", False, False), ("sys_admin", False, False),
    ("audit_admin", False, False),
])
def test_case_scope_by_role(request, case, who, view, change):
    user = request.getfixturevalue(who)
    assert ModerationCase.objects.restrict(user, "view").filter(pk=case.pk).exists() == view
    assert ModerationCase.objects.restrict(user, "change").filter(pk=case.pk).exists() == change


@pytest.mark.parametrize("who,view,change", [
    ("sys_admin", True, True), ("intake_clerk", True, False), ("shift_leader", True, False),
    ("grid_worker", False, False), ("leader", False, False), ("audit_admin", False, False),
])
def test_lexicon_scope_by_role(request, who, view, change):
    actions.create_term(term="范围测试词", category="other", actor=None)
    user = request.getfixturevalue(who)
    assert LexiconTerm.objects.restrict(user, "view").exists() == view
    assert LexiconTerm.objects.restrict(user, "change").exists() == change
