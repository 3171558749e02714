"""The pages: figures, drill, masked samples, scope (404 outside), 403 without the
permission, 400 on bad input, query-count guards."""

import pytest

from gridgov.needs import actions

from .support import GRID1, build_known

pytestmark = pytest.mark.django_db
MAY = "start=2021-05&end=2021-05"


@pytest.fixture
def known():
    data = build_known()
    actions.refresh_needs(actor=None)
    return data


def test_leader_sees_matrix_children_and_masked_samples(known, leader, client_as,
                                                        django_assert_max_num_queries):
    client = client_as(leader)
    with django_assert_max_num_queries(25):
        page = client.get(f"/needs/?{MAY}")
    text = page.content.decode()
    assert page.status_code == 200
    ctx = page.context
    assert ctx["area"] == "330203005" and ctx["total"] == 5
    assert ctx["groups"] == ["独居老人", "高龄老人", "其他"]
    assert [c.code for c in ctx["children"]] == ["330203005001"]
    assert ctx["children"][0].total == 5
    assert 'id="gg-needs-heat"' in text and "vendor/echarts/echarts.min.js" in text
    # samples: no name, no phone
    assert "漏水" in text and "赵桂英" not in text and "13905741234" not in text
    assert "某阿姨" in text
    assert "南门" not in "".join(m.excerpt for m in ctx["samples"])
    # one sample per text, with every need found in it
    assert len(ctx["samples"]) == 4
    visit = next(m for m in ctx["samples"] if m.source == "visit")
    assert sorted(visit.category_names) == sorted(["就医健康", "心理关怀"])


def test_drill_to_a_community_and_a_grid(known, leader, client_as):
    client = client_as(leader)
    community = client.get(f"/needs/?area=330203005001&{MAY}").context
    assert [c.code for c in community["children"]] == [GRID1, "330203005001002"]
    grid = client.get(f"/needs/?area={GRID1}&{MAY}&category=housing").context
    assert grid["children"] == [] and [m.category.code for m in grid["samples"]] == ["housing"]
    assert grid["up_url"].startswith("/needs/?area=330203005001&")
    # the selector lists streets and communities, and the grid drilled into
    offered = [code for code, _name in grid["form"].fields["area"].widget.choices]
    assert GRID1 in offered and "330203005001002" not in offered


def test_grid_chief_sees_only_the_community(known, grid_chief, grid_instructor, client_as):
    client = client_as(grid_chief)
    page = client.get(f"/needs/?{MAY}")
    assert page.context["area"] == "330203005001" and page.context["total"] == 5
    assert client.get(f"/needs/?area=330203005&{MAY}").status_code == 404
    assert client.get(f"/needs/?area=330203001&{MAY}").status_code == 404
    assert client_as(grid_instructor).get(f"/needs/?{MAY}").status_code == 200


def test_outside_scope_404_like_missing_and_other_roles_403(known, leader, grid_worker,
                                                            client_as, client):
    leader_client = client_as(leader)
    assert leader_client.get(f"/needs/?area=330203001&{MAY}").status_code == 404
    assert leader_client.get(f"/needs/?area=330203999&{MAY}").status_code == 404
    assert client_as(grid_worker).get("/needs/").status_code == 403
    assert client.get("/needs/")["Location"].startswith("/accounts/login")


@pytest.mark.parametrize(("query", "field"), [
    ("start=2021-06&end=2021-05", "start"),
    ("start=2010-01&end=2021-05", "start"),
    ("end=2021-13", "end"),
    ("area=33x", "area"),
])
def test_bad_input_is_400_with_the_field(leader, client_as, query, field):
    page = client_as(leader).get(f"/needs/?{query}")
    assert page.status_code == 400 and field in page.context["form"].errors


def test_refresh_button_for_the_administrator_only(sys_admin, leader, client_as):
    assert client_as(leader).post("/needs/refresh/").status_code == 403
    # the administrators pass a second factor in client_as
    answer = client_as(sys_admin).post("/needs/refresh/", {"next": "/needs/categories/"})
    assert answer.status_code == 302 and answer["Location"] == "/needs/categories/"
    from gridgov.needs.models import NeedIndexState

    assert NeedIndexState.objects.filter(refreshed_at__isnull=False).count() == 3


def test_overview_page_reads_the_figures(leader, client_as, django_assert_max_num_queries):
    client = client_as(leader)
    with django_assert_max_num_queries(60):
        page = client.get("/needs/overview/?start=2021-01&end=2021-03")
    assert page.status_code == 200
    table = page.context["table"]
    assert table.rows and all(r.code.startswith("330203005") and len(r.code) == 12
                              for r in table.rows)
    assert page.context["area"] == "330203005"
    assert client.get("/needs/overview/?area=330203001").status_code == 404


def test_overview_without_a_figures_module_shows_dashes(leader, client_as, monkeypatch):
    from gridgov.needs import overview

    monkeypatch.setattr(overview, "SOURCES", [
        ("party", "gridgov.party.figures", "members_by_area", False, "党组织与党员"),
        ("services", "gridgov.nowhere.figures", "services_by_area", True, "主动服务")])
    page = client_as(leader).get("/needs/overview/")
    text = page.content.decode()
    assert page.status_code == 200 and "主动服务" in page.context["table"].missing
    assert "—" in text


def test_party_secretary_reads_the_overview_of_the_community_only(client_as):
    from gridgov.accounts.models import User

    secretary = User.objects.get(username="party_gulou")
    client = client_as(secretary)
    page = client.get("/needs/overview/")
    assert page.status_code == 200 and page.context["area"] == "330203005001"
    assert all(r.code.startswith("330203005001") for r in page.context["table"].rows)
    assert client.get("/needs/overview/?area=330203005").status_code == 404
    assert client.get("/needs/").status_code == 403  # needs analysis is the leaders'
