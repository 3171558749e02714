"""The requirement rule with known answers, requirements as data, and the overdue list."""

import datetime as dt

import pytest

from gridgov.party_meetings import actions
from gridgov.party_meetings.models import MeetingRequirement
from gridgov.party_meetings.overdue import add_months, due_date, due_rows

from .support import held, make_org

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


def test_add_months_clamps_to_the_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 5, 10), 12) == dt.date(2027, 5, 10)


def test_due_date_from_the_last_held_else_the_start_of_the_year():
    assert due_date(dt.date(2026, 3, 20), 3, TODAY) == dt.date(2026, 6, 20)
    assert due_date(dt.date(2026, 4, 1), 1, TODAY) == dt.date(2026, 5, 1)
    assert due_date(None, 3, TODAY) == dt.date(2026, 4, 1)
    assert due_date(None, 1, TODAY) == dt.date(2026, 2, 1)


def _rows(user, org, **kwargs):
    return {r.kind: r for r in due_rows(user, today=TODAY, area=org.area_code, **kwargs)
            if r.organisation.pk == org.pk}


def test_known_answers_for_a_branch(branch, party_gulou):
    held(branch, "theme_day", dt.date(2026, 4, 10))         # due 05-10: 36 days late
    held(branch, "theme_day", dt.date(2026, 2, 10))         # older: ignored
    held(branch, "committee_meeting", dt.date(2026, 6, 1))  # due 07-01: on time
    held(branch, "branch_assembly", dt.date(2026, 3, 20))   # due 06-20: on time
    # party_lecture never held this year: due 04-01, 75 days late.
    rows = _rows(party_gulou, branch)
    assert set(rows) == {"theme_day", "party_lecture"}
    assert rows["theme_day"].last_held == dt.date(2026, 4, 10)
    assert rows["theme_day"].days_overdue == 36
    assert rows["party_lecture"].last_held is None
    assert rows["party_lecture"].due == dt.date(2026, 4, 1)
    assert rows["party_lecture"].days_overdue == 75
    every = _rows(party_gulou, branch, only_overdue=False)
    assert set(every) == {"branch_assembly", "committee_meeting", "party_lecture", "theme_day"}
    assert every["committee_meeting"].due == dt.date(2026, 7, 1)
    # A meeting held after "today" does not count for today.
    held(branch, "party_lecture", dt.date(2026, 6, 20))
    assert "party_lecture" in _rows(party_gulou, branch)


def test_a_group_has_only_the_group_meeting(branch, gulou_grid, party_gulou):
    group = make_org(gulou_grid, "测试党小组", kind="group", parent=branch)
    held(group, "group_meeting", dt.date(2026, 5, 1))
    rows = _rows(party_gulou, group, only_overdue=False)
    assert set(rows) == {"group_meeting"} and rows["group_meeting"].days_overdue == 14


def test_requirements_are_data_edited_by_the_administrator(branch, party_gulou, sys_admin):
    held(branch, "theme_day", dt.date(2026, 4, 10))
    assert MeetingRequirement.objects.get(kind="theme_day", org_kind="branch",
                                          organisation=None).every_months == 1
    # The branch's own frequency (every 3 months) wins over the default.
    actions.save_requirement(kind="theme_day", organisation=branch, every_months=3,
                             actor=sys_admin)
    assert "theme_day" not in _rows(party_gulou, branch)
    # An inactive own row exempts the branch from that kind.
    actions.save_requirement(kind="party_lecture", organisation=branch, every_months=3,
                             is_active=False, actor=sys_admin)
    assert "party_lecture" not in _rows(party_gulou, branch, only_overdue=False)
    # A changed default applies to every branch: 支委会 never held, monthly → overdue;
    # yearly → due next January.
    assert "committee_meeting" in _rows(party_gulou, branch)
    committee = MeetingRequirement.objects.get(kind="committee_meeting", org_kind="branch",
                                               organisation=None)
    changed = actions.save_requirement(committee, kind="committee_meeting", org_kind="branch",
                                       every_months=12, actor=sys_admin)
    assert changed.version == committee.version + 1
    assert "committee_meeting" not in _rows(party_gulou, branch)


def test_requirement_rules(branch, sys_admin, party_gulou):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        actions.save_requirement(kind="theme_day", org_kind="branch", every_months=1,
                                 actor=party_gulou)
    for kwargs, field in [({"every_months": 0}, "every_months"),
                          ({"every_months": 1, "kind": "group_meeting"}, "kind"),
                          ({"every_months": 1}, "kind")]:  # the default exists already
        values = {"kind": "theme_day", "org_kind": "branch", **kwargs}
        with pytest.raises(ValidationError) as err:
            actions.save_requirement(**values, actor=sys_admin)
        assert field in err.value.message_dict, (kwargs, err.value.message_dict)


def test_scope_and_a_constant_number_of_queries(branch, other_branch, party_gulou, party_street,
                                                django_assert_max_num_queries):
    from gridgov.core.access import get_scope

    get_scope(party_gulou)
    with django_assert_max_num_queries(3):
        mine = {r.organisation.pk for r in due_rows(party_gulou, today=TODAY)}
    assert branch.pk in mine and other_branch.pk not in mine
    street = {r.organisation.pk for r in due_rows(party_street, today=TODAY)}
    assert {branch.pk, other_branch.pk} <= street
    for n in range(5):
        make_org(branch.area, f"加测党支部{n}")
    with django_assert_max_num_queries(3):
        assert len(due_rows(party_gulou, today=TODAY)) >= len(mine)
