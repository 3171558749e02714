"""The area page names the demo's generated areas as such in Chinese, like the rest of the
demo's data (issue 11: "generated for the GridGov demo" showed on a Chinese page)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_generated_area_source_is_chinese(client_as, leader, gulou_grid):
    assert gulou_grid.generated
    html = client_as(leader).get(reverse("areas:detail", args=[gulou_grid.code])).content.decode()
    assert "GridGov 演示数据,系统生成,非实地测绘" in html
    assert "generated for the GridGov demo" not in html


def test_district_boundary_source_is_chinese(client_as, leader, district):
    html = client_as(leader).get(reverse("areas:detail", args=[district.code])).content.decode()
    assert "高德行政区边界" in html and "AutoNavi boundary" not in html
