"""Pages, export and API: figures, scope (a street leader sees only the street), query-count
guards, and the scheme editor (audited, changes the score)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gridgov.assess.actions import default_scheme, freeze_assessment
from gridgov.assess.models import Scheme
from gridgov.audit.models import AuditRecord

from .support import GULOU, MARCH

pytestmark = pytest.mark.django_db
Q = "?period=month&date=2020-03-10&mode=live"
NANMEN = "330203001"


def _ranking(client, kind, extra=""):
    return client.get(reverse("assess:ranking") + Q + f"&kind={kind}" + extra)


def test_ranking_page_shows_the_scores(big, client_as, district_leader,
                                       django_assert_max_num_queries):
    client = client_as(district_leader)
    _ranking(client, "department")
    with django_assert_max_num_queries(12):
        response = _ranking(client, "department")
    html = response.content.decode()
    assert response.status_code == 200
    assert "区综合行政执法局" in html and "92.22" in html and "75.82" in html
    assert "gg-assess-chart" in html
    with django_assert_max_num_queries(12):
        response = _ranking(client, "street")
    assert "鼓楼街道" in response.content.decode()


def test_street_leader_sees_only_the_street(small, client_as, api_as, leader):
    client = client_as(leader)
    html = _ranking(client, "street").content.decode()
    assert "鼓楼街道" in html and "南门街道" not in html
    html = _ranking(client, "department").content.decode()
    # 区民政局's cases are all in 南门: not in the 鼓楼 leader's figures
    assert "区综合行政执法局" in html and "区民政局" not in html
    book = load_workbook(io.BytesIO(_ranking(client, "street", "&export=xlsx").content))
    names = [row[1] for row in book.active.iter_rows(min_row=3, values_only=True)]
    assert names == ["鼓楼街道"]
    explain = reverse("assess:explain", args=["street", NANMEN]) + Q
    assert client.get(explain).status_code == 404
    minzheng = reverse("assess:explain", args=["department", small["minzheng"].pk]) + Q
    assert client.get(minzheng).status_code == 404
    api = api_as(leader).get(reverse("assess:api_ranking") + Q + "&kind=street").json()
    assert [r["key"] for r in api["results"]] == [GULOU]
    # a frozen month: the stored cases inside the street only
    snapshot = freeze_assessment(MARCH, default_scheme(), actor=None)
    frozen = api_as(leader).get(reverse("assess:api-snapshot-results", args=[snapshot.pk])
                                + "?kind=street").json()
    assert [r["key"] for r in frozen] == [GULOU] and frozen[0]["counts"]["reported"] == 986
    html = client.get(reverse("assess:ranking") + "?period=month&date=2020-03-10&kind=street"
                      ).content.decode()
    assert "第1版" in html and "南门街道" not in html


def test_explanation_shows_formula_and_cases(big, client_as, district_leader,
                                             django_assert_max_num_queries):
    client = client_as(district_leader)
    url = reverse("assess:explain", args=["department", big["department"].pk]) + Q
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url + "&indicator=closed_on_time_rate")
    html = response.content.decode()
    assert "按期结案数 737 ÷ 应结案数 972 = 75.82%" in html
    assert "结案数 911 ÷ 应结案数 972 = 93.72%" in html
    assert "92.22" in html
    assert reverse("events:detail", args=[big["events"][0].pk]) in html
    # the 972 due cases, 100 a page
    assert "对应案件(972)" in html and "1/20" in html
    response = client.get(url + "&indicator=handled_late")
    assert "对应案件(174)" in response.content.decode()


def test_export_neutralises_formulas(big, client_as, district_leader):
    big["department"].name = "=HYPERLINK(\"http://x\")"
    big["department"].save()
    content = _ranking(client_as(district_leader), "department", "&export=xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names


def test_scheme_edit_is_audited_and_changes_the_score(big, client_as, sys_admin,
                                                      district_leader):
    scheme = default_scheme()
    data = {"name": scheme.name, "description": "", "kinds": ["department", "street"],
            "is_default": "on", "is_active": "on", "w_closed_on_time_rate": "100",
            "d_closed_on_time_rate": "rate"}
    response = client_as(sys_admin).post(reverse("assess:scheme_edit", args=[scheme.pk]), data)
    assert response.status_code == 302
    record = AuditRecord.objects.filter(action="assess.scheme", object_id=str(scheme.pk)).last()
    assert len(record.changes["items"][0]) == 5
    assert record.changes["items"][1] == [{"indicator": "closed_on_time_rate",
                                           "weight": "100.00", "direction": "rate"}]
    html = _ranking(client_as(district_leader), "department").content.decode()
    assert "75.82" in html and "92.22" not in html
    # bad input: 400 naming the field
    data["w_closed_on_time_rate"] = ""
    response = client_as(sys_admin).post(reverse("assess:scheme_edit", args=[scheme.pk]), data)
    assert response.status_code == 400 and "方案至少需要一项指标" in response.content.decode()
    # a leader may read the schemes but not edit them
    assert client_as(district_leader).get(reverse("assess:scheme_edit", args=[scheme.pk])
                                          ).status_code == 403
    assert Scheme.objects.count() == 1


def test_menu_and_bad_period(client_as, district_leader, dept_handler, grid_worker,
                             sys_admin):
    from gridgov.core.access import get_scope
    from gridgov.web.menus import build_menu

    def labels(user):
        return [str(item["label"]) for item in build_menu(get_scope(user))]

    assert "效能考核" in labels(district_leader) and "效能考核" in labels(dept_handler)
    assert "效能考核" not in labels(grid_worker)
    assert "考核方案" in labels(sys_admin) and "效能考核" not in labels(sys_admin)
    client = client_as(district_leader)
    response = client.get(reverse("assess:ranking") + "?period=custom")
    assert response.status_code == 400
