"""The role × scope matrix, end to end: every demo role against the same areas, on the pages
and on the API (detail, list, GeoJSON). An area outside scope answers 404 exactly like a
missing one and is absent from every list; the areas above one's own are shown as context.
"""

import pytest

from gridgov.areas.models import Area

pytestmark = pytest.mark.django_db

# Target areas, by name (resolved from the demo fixtures in ``targets``).
OWN_GRID = "gulou_grid"          # gw_gulou's grid
SIBLING_GRID = "gulou_grid2"     # the next grid of the same community
COMMUNITY = "gulou_community"
OTHER_COMMUNITY = "other_community"  # another community of 鼓楼街道
STREET = "gulou_street"
DISTRICT = "district"
OTHER_STREET = "other_street"   # 南门街道
OTHER_GRID = "other_grid"       # a grid of 南门街道
RURAL_GRID = "rural_grid"       # gw_gaoqiao's grid in 高桥镇
TOWN = "gaoqiao_town"

ALL = {OWN_GRID, SIBLING_GRID, COMMUNITY, OTHER_COMMUNITY, STREET, DISTRICT, OTHER_STREET,
       OTHER_GRID, RURAL_GRID, TOWN}
GULOU_STREET_WIDE = {OWN_GRID, SIBLING_GRID, COMMUNITY, OTHER_COMMUNITY, STREET, DISTRICT}
GULOU_COMMUNITY_WIDE = {OWN_GRID, SIBLING_GRID, COMMUNITY, STREET, DISTRICT}

# role fixture -> the targets it may see (everything else must be 404 / absent)
MATRIX = {
    "grid_worker": {OWN_GRID, COMMUNITY, STREET, DISTRICT},
    "grid_worker2": {SIBLING_GRID, COMMUNITY, STREET, DISTRICT},
    "rural_grid_worker": {RURAL_GRID, TOWN, DISTRICT},
    "grid_chief": GULOU_COMMUNITY_WIDE,
    "grid_instructor": GULOU_COMMUNITY_WIDE,
    "intake_clerk": GULOU_STREET_WIDE,
    "shift_leader": GULOU_STREET_WIDE,
    "dispatcher": GULOU_STREET_WIDE,
    "leader": GULOU_STREET_WIDE,
    "district_leader": ALL,
    "dept_handler": ALL,
    "dept_admin": ALL,
    "data_officer": ALL,
    "sys_admin": ALL,
    "sec_admin": ALL,
    "audit_admin": ALL,
}


@pytest.fixture
def targets(request, district, gulou_street, gaoqiao_town, gulou_community, gulou_grid,
            gulou_grid2, other_street, rural_grid_worker):
    other_community = (
        Area.objects.filter(parent=gulou_street).exclude(pk=gulou_community.pk)
        .order_by("code").first()
    )
    other_grid = Area.objects.filter(code__startswith=other_street.code, level="grid") \
        .order_by("code").first()
    rural_grid = rural_grid_worker.assignments.get(role="grid_worker").area
    found = {
        OWN_GRID: gulou_grid, SIBLING_GRID: gulou_grid2, COMMUNITY: gulou_community,
        OTHER_COMMUNITY: other_community, STREET: gulou_street, DISTRICT: district,
        OTHER_STREET: other_street, OTHER_GRID: other_grid, RURAL_GRID: rural_grid,
        TOWN: gaoqiao_town,
    }
    assert all(found.values()), found
    assert rural_grid.code.startswith(gaoqiao_town.code)
    return found


def test_demo_targets_are_where_the_contract_says(targets):
    assert targets[OWN_GRID].code == "330203005001001"
    assert targets[SIBLING_GRID].code == "330203005001002"
    assert targets[COMMUNITY].code == "330203005001"
    assert targets[STREET].code == "330203005"
    assert targets[OTHER_STREET].code == "330203001"
    assert targets[TOWN].code == "330203101"


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_api_detail_matrix(request, api_as, targets, role):
    api = api_as(request.getfixturevalue(role))
    for name, area in targets.items():
        response = api.get(f"/api/areas/{area.code}/")
        expected = 200 if name in MATRIX[role] else 404
        assert response.status_code == expected, (role, name, area.code)
        feature = api.get(f"/api/areas/{area.code}/geojson/")
        assert feature.status_code == expected, (role, name, "geojson")


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_page_detail_matrix(request, client_as, targets, role):
    client = client_as(request.getfixturevalue(role))
    for name, area in targets.items():
        response = client.get(f"/areas/{area.code}/")
        expected = 200 if name in MATRIX[role] else 404
        assert response.status_code == expected, (role, name, area.code)


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_lists_and_geojson_matrix(request, api_as, client_as, targets, role):
    user = request.getfixturevalue(role)
    codes = {area.code: name for name, area in targets.items()}
    visible = {targets[name].code for name in MATRIX[role]}
    hidden = set(codes) - visible

    listed = set()
    url, params = "/api/areas/", {"limit": 1000, "offset": 0}
    api = api_as(user)
    while True:
        body = api.get(url, params).json()
        listed |= {row["code"] for row in body["results"]}
        if not body["next"]:
            break
        params["offset"] += params["limit"]
    assert visible <= listed, (role, visible - listed)
    assert not hidden & listed, (role, hidden & listed)

    features = {f["id"] for f in api.get("/api/areas/geojson/").json()["features"]}
    assert visible <= features and not hidden & features, role

    # The list page (searched by code so each target is on the first page).
    page = client_as(user)
    for code in codes:
        html = page.get("/areas/", {"q": code}).content.decode()
        assert (f'data-code="{code}"' in html) is (code in visible), (role, codes[code])


def test_grid_worker_lists_only_their_grid(api_as, grid_worker, gulou_grid):
    body = api_as(grid_worker).get("/api/areas/", {"level": "grid"}).json()
    assert [r["code"] for r in body["results"]] == [gulou_grid.code]


def test_grid_chief_lists_their_whole_community(api_as, grid_chief, gulou_community):
    body = api_as(grid_chief).get("/api/areas/", {"level": "grid", "limit": 500}).json()
    expected = set(Area.objects.filter(parent=gulou_community).values_list("code", flat=True))
    assert {r["code"] for r in body["results"]} == expected


def test_street_leader_sees_every_grid_of_the_street_and_no_other(api_as, leader,
                                                                   gulou_street):
    body = api_as(leader).get("/api/areas/geojson/", {"level": "grid"}).json()
    expected = set(Area.objects.filter(level="grid", code__startswith=gulou_street.code)
                   .values_list("code", flat=True))
    assert {f["id"] for f in body["features"]} == expected


def test_api_key_client_sees_areas(client, dept_handler, targets):
    from gridgov.accounts.actions import issue_api_key

    _, raw = issue_api_key(dept_handler.department, name="范围测试", actor=None)
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}
    for area in targets.values():
        assert client.get(f"/api/areas/{area.code}/", **auth).status_code == 200
    assert client.get("/api/areas/", **auth).json()["count"] == Area.objects.count()


def test_revoked_api_key_is_refused(client, dept_handler, gulou_grid):
    from gridgov.accounts.actions import issue_api_key, revoke_api_key

    key, raw = issue_api_key(dept_handler.department, name="吊销测试", actor=None)
    revoke_api_key(key, actor=None)
    response = client.get(f"/api/areas/{gulou_grid.code}/", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 401


def test_anonymous_api_is_refused(client, targets):
    for url in ("/api/areas/", "/api/areas/geojson/", f"/api/areas/{targets[OWN_GRID].code}/",
                f"/api/areas/{targets[OWN_GRID].code}/geojson/",
                "/api/areas/lookup/?lng=121.55&lat=29.87"):
        assert client.get(url).status_code in (401, 403), url


def test_anonymous_pages_redirect_to_login(client, targets):
    for url in ("/areas/", f"/areas/{targets[OWN_GRID].code}/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login" in response["Location"]
