"""Area pages: list with filters and pagination, detail with children, staff and map, editor."""

import json
import re

import pytest

from gridgov.areas.models import Area
from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def page_codes(response):
    return set(re.findall(r'data-code="(\d+)"', response.content.decode()))


def test_list_page_is_scoped(client_as, leader, gulou_street, other_street, district):
    response = client_as(leader).get("/areas/")
    assert response.status_code == 200
    assert "web/base.html" in [t.name for t in response.templates]
    codes = page_codes(response)
    assert district.code in codes and gulou_street.code in codes
    assert not any(c.startswith(other_street.code) for c in codes)
    html = response.content.decode()
    assert "区域列表" in html and "层级" in html


def test_list_page_filters(client_as, district_leader, gulou_community):
    response = client_as(district_leader).get(
        "/areas/", {"level": "grid", "parent": gulou_community.code}
    )
    assert response.status_code == 200
    expected = set(Area.objects.filter(parent=gulou_community).values_list("code", flat=True))
    assert page_codes(response) == expected
    assert "清除筛选" in response.content.decode()


def test_list_page_shows_filter_errors(client_as, leader):
    response = client_as(leader).get("/areas/", {"within": "abc"})
    assert response.status_code == 200
    assert "编码只能由" in response.content.decode()


def test_list_page_paginates_and_keeps_filters(client_as, district_leader):
    client = client_as(district_leader)
    total = Area.objects.filter(level="grid").count()
    assert total > 50
    first = client.get("/areas/", {"level": "grid"})
    assert len(page_codes(first)) == 50
    html = first.content.decode()
    assert "level=grid" in html and "page=2" in html
    second = client.get("/areas/", {"level": "grid", "page": 2})
    assert second.status_code == 200
    assert not page_codes(first) & page_codes(second)


def test_detail_page(client_as, grid_chief, gulou_community, gulou_grid, grid_worker):
    response = client_as(grid_chief).get(f"/areas/{gulou_community.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert gulou_community.name in html
    # Children: every grid of the community, linked.
    children = set(Area.objects.filter(parent=gulou_community).values_list("code", flat=True))
    assert children <= page_codes(response)
    assert f'/areas/{gulou_grid.code}/' in html
    # The map: Leaflet and the polygon as embedded GeoJSON.
    assert "vendor/leaflet/leaflet.js" in html
    feature = json.loads(
        re.search(r'<script id="gg-area-feature" type="application/json">(.*?)</script>',
                  html, re.S).group(1)
    )
    assert feature["id"] == gulou_community.code
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert "修改属性" not in html  # only the system administrator edits


def test_detail_page_staff_phone_masked(client_as, grid_chief, gulou_grid, grid_worker):
    response = client_as(grid_chief).get(f"/areas/{gulou_grid.code}/")
    html = response.content.decode()
    assert grid_worker.real_name in html
    assert "网格员" in html
    if grid_worker.phone:
        assert grid_worker.phone not in html
        assert grid_worker.phone[-4:] in html


def test_detail_page_out_of_scope_is_404(client_as, grid_worker, gulou_grid2):
    client = client_as(grid_worker)
    assert client.get(f"/areas/{gulou_grid2.code}/").status_code == 404
    assert client.get("/areas/330203999999999/").status_code == 404


def test_pages_need_login(client, gulou_grid):
    for url in ("/areas/", f"/areas/{gulou_grid.code}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login" in response["Location"]


def test_edit_page_for_sys_admin(client_as, sys_admin, gulou_grid):
    client = client_as(sys_admin)
    detail = client.get(f"/areas/{gulou_grid.code}/")
    assert "修改属性" in detail.content.decode()
    form = client.get(f"/areas/{gulou_grid.code}/edit/")
    assert form.status_code == 200
    response = client.post(f"/areas/{gulou_grid.code}/edit/", {
        "name": "鼓楼测试网格", "kind": "dedicated", "land_use": "居住",
        "management_level": "一级", "responsible_party": "", "households": 250,
    })
    assert response.status_code == 302
    area = Area.objects.get(pk=gulou_grid.pk)
    assert area.name == "鼓楼测试网格" and area.kind == "dedicated" and area.households == 250
    assert AuditRecord.objects.filter(object_type="areas.area", object_id=str(area.pk)).exists()


def test_edit_page_offers_only_kinds_of_the_level(client_as, sys_admin, gulou_grid):
    html = client_as(sys_admin).get(f"/areas/{gulou_grid.code}/edit/").content.decode()
    assert 'value="basic"' in html and 'value="dedicated"' in html
    assert 'value="village"' not in html


def test_edit_page_rejects_bad_kind(client_as, sys_admin, gulou_grid):
    response = client_as(sys_admin).post(f"/areas/{gulou_grid.code}/edit/", {
        "name": gulou_grid.name, "kind": "village", "households": 10,
    })
    assert response.status_code == 200
    assert Area.objects.get(pk=gulou_grid.pk).kind == gulou_grid.kind


@pytest.mark.parametrize("role", ["leader", "district_leader", "grid_worker", "sec_admin"])
def test_edit_page_is_404_for_others(request, client_as, role, gulou_grid):
    client = client_as(request.getfixturevalue(role))
    assert client.get(f"/areas/{gulou_grid.code}/edit/").status_code == 404
    response = client.post(f"/areas/{gulou_grid.code}/edit/", {"name": "x", "kind": "basic"})
    assert response.status_code == 404
    assert Area.objects.get(pk=gulou_grid.pk).name == gulou_grid.name
