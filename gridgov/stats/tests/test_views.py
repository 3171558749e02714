"""The statistics pages: permission, scope (figures, drill-down links, exports), bad input,
the Excel export holding the page's numbers, and query-count guards."""

import io
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.urls import reverse

from gridgov.stats import drill
from gridgov.stats.tables import COMPARED_COLUMNS
from gridgov.web import menus

from .support import GRID1, GRID3, GULOU, KNOWN, NOV, build_known

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(db):
    return build_known()


def params(url) -> dict:
    return {k: v if len(v) > 1 else v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_only_leaders_and_the_command_room_open_statistics(client_as, grid_worker, dept_handler,
                                                           leader, dispatcher):
    url = reverse("stats:dashboard")
    assert client_as(grid_worker).get(url).status_code == 403
    assert client_as(dept_handler).get(url).status_code == 403
    assert client_as(leader).get(url).status_code == 200
    assert client_as(dispatcher).get(url).status_code == 200


def test_menu_entry_for_leaders(leader, grid_worker):
    from gridgov.core.access import get_scope

    assert "stats" in {i["key"] for i in menus.build_menu(get_scope(leader))}
    assert "stats" not in {i["key"] for i in menus.build_menu(get_scope(grid_worker))}


def test_dashboard_known_figures_and_drilldowns(known, client_as, leader):
    response = client_as(leader).get(reverse("stats:dashboard"), NOV)
    assert response.status_code == 200
    kpis = {str(k["label"]): k for k in response.context["kpis"]}
    assert kpis["上报数"]["value"] == KNOWN.total
    assert kpis["上报数"]["vs_prev"] == KNOWN.vs_prev
    assert kpis["上报数"]["vs_year"] == KNOWN.vs_year
    assert kpis["结案率"]["value"] == 93.72 and kpis["按期结案率"]["value"] == 75.82
    assert kpis["平均办结时长"]["value"] == 13.8
    assert params(kpis["上报数"]["url"]) == {
        "within": GULOU, "created_after": "2019-11-01", "created_before": "2019-11-30"}
    assert params(kpis["按期结案率"]["url"])["on_time"] == "true"
    assert params(kpis["当前超期未办结"]["url"]) == {"within": GULOU, "deadline": "overdue"}
    assert urlsplit(kpis["上报数"]["url"]).path == drill.list_url()
    html = response.content.decode()
    assert "93.72" in html and "75.82" in html and "兴港社区" in html
    charts = response.context["charts"]
    assert sum(charts["trend"]["series"][0]["data"]) == KNOWN.total
    assert params(charts["trend"]["urls"][0])["created_before"] == "2019-11-01"
    majors = {i["name"]: i for i in charts["major"]["items"]}
    assert majors["街面秩序"]["value"] == 328 and params(majors["街面秩序"]["url"])["major"] == "05"
    sources = {i["name"]: params(i["url"])["source"] for i in charts["source"]["items"]}
    assert sources["12345热线"] == "hotline_12345"
    ranking = {r["key"]: r for r in response.context["ranking"]}
    assert set(ranking) == {GRID1[:12], GRID3[:12]}
    total_cell = ranking[GRID3[:12]]["cells"][0]
    assert total_cell["value"] == 182 and params(total_cell["url"])["within"] == GRID3[:12]


def test_street_leader_scope_in_links_exports_and_selector(known, client_as, leader):
    client = client_as(leader)
    assert client.get(reverse("stats:dashboard"), {**NOV, "area": "330203001"}).status_code \
        == 404
    assert client.get(reverse("stats:table", args=["street"]),
                      {**NOV, "area": "330203001", "export": "xlsx"}).status_code == 404
    response = client.get(reverse("stats:dashboard"), NOV)
    choices = [c for c, _l in response.context["form"].fields["area"].widget.choices]
    assert choices[0] == GULOU and all(c.startswith(GULOU) for c in choices)
    for row in response.context["ranking"]:
        for cell in row["cells"]:
            if cell["url"]:
                assert params(cell["url"])["within"].startswith(GULOU)
    book = openpyxl.load_workbook(io.BytesIO(client.get(
        reverse("stats:table", args=["street"]), {**NOV, "export": "xlsx"}).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == [GULOU]
    assert rows[1][2] == KNOWN.total


def test_district_leader_compares_streets(known, client_as, district_leader):
    response = client_as(district_leader).get(reverse("stats:dashboard"), NOV)
    ranking = {r["key"]: r["cells"][0]["value"] for r in response.context["ranking"]}
    assert ranking == {GULOU: 982, "330203001": 300}
    assert response.context["query"].area == "330203"


def test_excel_export_has_the_numbers_on_screen(known, client_as, leader):
    client = client_as(leader)
    url = reverse("stats:table", args=["community"])
    page = client.get(url, NOV)
    assert page.status_code == 200
    response = client.get(url, {**NOV, "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active
                .iter_rows(values_only=True))
    assert rows[0][:3] == ("社区(村)", "编码", "上报数")
    assert len(rows[0]) == 2 + len(COMPARED_COLUMNS)
    on_screen = [[r["label"], r["key"]] + [c["value"] for c in r["cells"]]
                 for r in page.context["rows"]]
    assert [list(r) for r in rows[1:]] == on_screen
    xinggang = next(r for r in rows[1:] if r[1] == GRID1[:12])
    assert xinggang[2:5] == (800, 500, 60.0)  # 800 vs 500 last month: +60 %


def test_english_excel_export_of_every_area_level(known, client_as, district_leader):
    # The English labels "Street / town", "Community / village" hold a slash, which Excel
    # refuses in a sheet's name.
    client = client_as(district_leader)
    client.cookies["django_language"] = "en"
    for dim in ("street", "community", "grid"):
        response = client.get(reverse("stats:table", args=[dim]),
                              {**NOV, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, dim
        assert openpyxl.load_workbook(io.BytesIO(response.content)).active.max_row > 1


def test_bad_input_answers_400_with_the_field(client_as, leader):
    client = client_as(leader)
    response = client.get(reverse("stats:dashboard"), {"period": "fortnight"})
    assert response.status_code == 400 and "period" in response.context["form"].errors
    response = client.get(reverse("stats:dashboard"), {"period": "custom", "start": "2019-11-05"})
    assert response.status_code == 400 and "end" in response.context["form"].errors
    assert "gg-error" in response.content.decode()
    response = client.get(reverse("stats:api_summary"), {"area": "12x"})
    assert response.status_code == 400 and "area" in response.json()["errors"]
    assert client.get(reverse("stats:table", args=["planet"]), NOV).status_code == 404


def test_custom_range(known, client_as, leader):
    response = client_as(leader).get(reverse("stats:api_summary"), {
        "period": "custom", "start": "2019-11-01", "end": "2019-11-10"})
    data = response.json()
    # Days 1..10: i % 30 in 0..9 → 33 per day (982 = 32 × 30 + 22: days 1..22 get 33).
    assert data["current"]["total"] == 330
    assert data["period"] == {"kind": "custom", "start": "2019-11-01", "end": "2019-11-10"}


def test_hotspots_map_tables_and_export(known, client_as, leader):
    client = client_as(leader)
    response = client.get(reverse("stats:hotspots"), NOV)
    assert response.status_code == 200
    assert [r["key"] for r in response.context["rows"]][:3] == [GRID1, "330203005001002", GRID3]
    geo = client.get(reverse("stats:grids_geojson"), NOV).json()
    counts = {f["properties"]["code"]: f["properties"]["count"] for f in geo["features"]}
    assert counts == {GRID1: 600, "330203005001002": 200, GRID3: 182} and geo["max"] == 600
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in geo["features"])
    assert params(geo["features"][0]["properties"]["url"])["within"] in counts
    # The heat layer: every fixture report of a grid sits on its centroid, one cell each.
    assert sorted(n for _lat, _lng, n in geo["heat"])[-3:] == [182, 200, 600]
    book = openpyxl.load_workbook(io.BytesIO(client.get(
        reverse("stats:hotspots"), {**NOV, "export": "xlsx"}).content))
    assert book.sheetnames == ["网格排名", "重复上报地点"]


def test_overdue_page_and_export(known, client_as, leader, district_leader):
    client = client_as(leader)
    response = client.get(reverse("stats:overdue"), NOV)
    mine = [r for r in response.context["rows"] if r["number"].startswith("T")]
    assert len(mine) == 20 and all(r["hours_late"] >= 1 for r in mine)
    book = openpyxl.load_workbook(io.BytesIO(client.get(
        reverse("stats:overdue"), {**NOV, "export": "xlsx"}).content))
    numbers = [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)]
    assert len([n for n in numbers if n.startswith("T")]) == 20
    assert len(numbers) == response.context["total"]


# Queries per page (session, user, scope, area selector included): fixed, whatever the data.
QUERY_BUDGET = {"stats:dashboard": 10, "stats:table": 7, "stats:hotspots": 9,
                "stats:grids_geojson": 7, "stats:overdue": 7, "stats:api_summary": 9}


@pytest.mark.parametrize("username", ["leader_gulou", "leader_district"])
def test_query_counts_do_not_grow_with_data(known, client_as, username,
                                            django_assert_max_num_queries):
    from gridgov.accounts.models import User

    client = client_as(User.objects.get(username=username))
    client.get(reverse("stats:dashboard"), NOV)  # warm the session and caches
    for name, budget in QUERY_BUDGET.items():
        args = ("grid",) if name == "stats:table" else ()
        with django_assert_max_num_queries(budget):
            assert client.get(reverse(name, args=args), NOV).status_code == 200


def test_worst_department_first_and_its_overdue_cases(known, client_as, leader):
    from gridgov.events.models import Event

    from .support import event, local

    client = client_as(leader)
    other = type(known["department"]).objects.exclude(pk=known["department"].pk).first()
    grid = known["grids"][GRID1]
    # A second department: 4 cases, 1 closed on time → on-time rate 25 %, worse than 75.82 %.
    Event.objects.bulk_create(
        [event(grid, local(2019, 11, 2), department=other, closed_after=10)]
        + [event(grid, local(2019, 11, 2), department=other, closed_after=30)
           for _ in range(3)])
    url = reverse("stats:table", args=["department"])
    rows = client.get(url, {**NOV, "sort": "-on_time_rate"}).context["rows"]
    # (The October and 2018 rows have no department: a blank row, no rate this month, last.)
    assert [r["key"] for r in rows] == [other.code, known["department"].code, ""]
    rate = next(c for c in rows[0]["cells"] if c["key"] == "on_time_rate")
    assert rate["value"] == 25.0
    book = openpyxl.load_workbook(io.BytesIO(client.get(
        url, {**NOV, "sort": "-on_time_rate", "export": "xlsx"}).content))
    assert [r[1] for r in book.active.iter_rows(min_row=2, values_only=True)] == [
        other.code, known["department"].code, None]  # an empty cell
    # The department's overdue cases, on the page and in the workbook.
    page = client.get(reverse("stats:overdue"), {**NOV, "department": known["department"].code})
    assert page.context["total"] == 20 == len(page.context["rows"])
    assert params(page.context["all_url"])["department"] == known["department"].code
    assert client.get(reverse("stats:overdue"), {**NOV, "department": other.code}) \
        .context["total"] == 0


def test_each_drilldown_lists_exactly_the_cases_counted(known, client_as, leader):
    """The figure and the case list behind it agree (on the search page, when installed)."""
    from django.urls import NoReverseMatch

    try:
        reverse("events:search")
    except NoReverseMatch:
        pytest.skip("the event search page is not installed")
    import datetime as dt

    from django.utils import timezone

    from gridgov.events.models import Event

    from .support import event, local

    # Open and overdue, but reported in December: counted by "当前超期未办结", not by a
    # November row's 超期未办结 (whose link therefore keeps the period's dates).
    Event.objects.bulk_create([event(known["grids"][GRID3], local(2019, 12, 3),
                                     state="dispatched",
                                     stage_deadline=timezone.now() - dt.timedelta(hours=2))])
    client = client_as(leader)
    page = client.get(reverse("stats:dashboard"), NOV).context
    figures = [(k["url"], k["value"]) for k in page["kpis"]
               if str(k["label"]) in ("上报数", "结案数", "当前超期未办结")]
    on_time = next(k for k in page["kpis"] if str(k["label"]) == "按期结案率")
    figures.append((on_time["url"], KNOWN.on_time))
    for row in page["ranking"]:
        figures += [(c["url"], c["value"]) for c in row["cells"] if c["url"]]
    table = client.get(reverse("stats:table", args=["source"]), NOV).context
    for row in table["rows"]:
        figures += [(c["url"], c["value"]) for c in row["cells"] if c["url"]]
    assert len(figures) > 10
    for url, value in figures:
        assert urlsplit(url).path == reverse("events:search")
        assert client.get(url).context["total"] == value, url
