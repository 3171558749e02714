"""``meetings_by_area``: required, held on time and overdue organisations per child area."""

import datetime as dt

import pytest

from gridgov.party.models import PartyOrganisation
from gridgov.party_meetings.figures import meetings_by_area, months_in

from .support import held

pytestmark = pytest.mark.django_db


def test_months_in():
    assert months_in(dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == 3
    assert months_in(dt.date(2025, 12, 1), dt.date(2026, 11, 30)) == 12


def test_known_answers_by_grid(branch, party_gulou, gulou_community, gulou_grid):
    start, end = dt.date(2025, 1, 1), dt.date(2025, 3, 31)
    # Q1 2025: per branch 支部党员大会 1, 支委会 3, 党课 1, 主题党日 3 = 8 required.
    held(branch, "theme_day", dt.date(2025, 1, 10))
    held(branch, "theme_day", dt.date(2025, 2, 10))
    held(branch, "theme_day", dt.date(2025, 3, 10))
    held(branch, "theme_day", dt.date(2025, 3, 20))       # a 4th counts for nothing more
    held(branch, "party_lecture", dt.date(2025, 2, 1))
    held(branch, "committee_meeting", dt.date(2025, 3, 5))
    held(branch, "branch_assembly", dt.date(2024, 12, 30))  # before the period
    # Only this branch in the community (the party demo's organisations set aside).
    PartyOrganisation.objects.filter(area_code__startswith=gulou_community.code).exclude(
        pk=branch.pk).update(is_active=False)
    figures = meetings_by_area(party_gulou, gulou_community.code, start, end)
    assert figures[gulou_grid.code] == {"required": 8, "held_on_time": 3 + 1 + 1,
                                        # At 31 March the 支部党员大会 of 12-30 was due
                                        # 03-30: overdue; the other kinds are not.
                                        "overdue_orgs": 1}
    assert all(len(code) == 15 for code in figures)
    assert sum(r["required"] for r in figures.values()) == 8


def test_scope_keeps_other_communities_out(other_branch, party_gulou, party_street,
                                           gulou_street):
    street = meetings_by_area(party_street, gulou_street.code, dt.date(2026, 1, 1),
                              dt.date(2026, 3, 31))
    community = other_branch.area_code[:12]
    assert street[community]["required"] >= 8
    mine = meetings_by_area(party_gulou, gulou_street.code, dt.date(2026, 1, 1),
                            dt.date(2026, 3, 31))
    assert mine.get(community, {"required": 0})["required"] == 0


def test_a_constant_number_of_queries(branch, party_street, gulou_street,
                                      django_assert_max_num_queries):
    from gridgov.core.access import get_scope

    from .support import make_org

    for n in range(5):
        held(make_org(branch.area, f"图表党支部{n}"), "theme_day", dt.date(2026, 2, 1))
    get_scope(party_street)
    with django_assert_max_num_queries(5):
        figures = meetings_by_area(party_street, gulou_street.code, dt.date(2026, 1, 1),
                                   dt.date(2026, 3, 31))
    assert figures[branch.area_code[:12]]["held_on_time"] >= 5
