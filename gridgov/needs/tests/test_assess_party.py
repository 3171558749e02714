"""The party-building / proactive-service indicators of the assessment (gridgov.assess):
figures read from the apps' figures functions, weighed in a scheme like the case rates."""

import datetime as dt

import pytest

from gridgov.assess import compute
from gridgov.assess import indicators as ind
from gridgov.assess.choices import SubjectKind
from gridgov.stats.periods import Period

from . import fake_figures
from .support import build_known

pytestmark = pytest.mark.django_db
FAKE = "gridgov.needs.tests.fake_figures"
MAY = Period("month", dt.date(2021, 5, 1), dt.date(2021, 5, 31))


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(ind, "PARTY_SOURCES", {
        "meetings_required": (FAKE, "meetings_by_area", "required"),
        "meetings_on_time": (FAKE, "meetings_by_area", "held_on_time"),
        "households": (FAKE, "contacts_by_area", "households"),
        "households_linked": (FAKE, "contacts_by_area", "linked"),
        "service_tasks_opened": ("gridgov.nowhere.figures", "services_by_area",
                                 "tasks_opened"),
        "service_tasks_closed_on_time": ("gridgov.nowhere.figures", "services_by_area",
                                         "tasks_closed_on_time")})
    fake_figures.CALLS.clear()


def test_party_rates_are_scheme_indicators():
    for code in ("meetings_on_time_rate", "contact_coverage", "service_on_time_rate"):
        assert code in ind.RATE_CODES and ind.CATALOG[code].kind == "rate"
    assert ind.rate({"households_linked": 50, "households": 200}, "contact_coverage") == 0.25


def test_party_workload_once_per_parent(fake, leader):
    got = ind.party_workload(leader, ["330203005001", "330203005002", "330203001001"], MAY)
    assert got["330203005001"] == {"meetings_required": 10, "meetings_on_time": 8,
                                   "households": 200, "households_linked": 50}
    assert got["330203005002"] == {"meetings_required": 0, "meetings_on_time": 0}
    parents = sorted({c[1] for c in fake_figures.CALLS})
    assert parents == ["330203001", "330203005"] and len(fake_figures.CALLS) == 4
    assert fake_figures.CALLS[0][2:] == (dt.date(2021, 5, 1), dt.date(2021, 5, 31))


def test_scheme_weighing_contact_coverage_scores_communities(fake, leader):
    build_known()  # cases in May 2021, so the communities are subjects
    source = compute.LiveSource(leader, MAY)
    items = [{"indicator": "contact_coverage", "weight": "10", "direction": "rate"},
             {"indicator": "meetings_on_time_rate", "weight": "10", "direction": "rate"}]
    results = {r.key: r for r in compute.ranking(source, SubjectKind.COMMUNITY, items)}
    first = results["330203005001"]
    assert first.rate("contact_coverage") == 0.25 and first.rate("meetings_on_time_rate") == 0.8
    assert first.score == round(10 * 0.25 + 10 * 0.8, 2)
    # no scheme item of theirs: the figures functions are not called at all
    fake_figures.CALLS.clear()
    compute.ranking(source, SubjectKind.COMMUNITY,
                    [{"indicator": "closed_rate", "weight": "1", "direction": "rate"}])
    assert fake_figures.CALLS == []


def test_real_figures_functions_answer(leader):
    got = ind.party_workload(leader, ["330203005001"], MAY)
    assert set(got) == {"330203005001"}
    assert set(got["330203005001"]) <= set(ind.PARTY_CODES)
