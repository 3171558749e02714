"""Category catalog pages: list for everyone signed in, editing for the system administrator."""

import pytest

from gridgov.events.models import MinorCategory

pytestmark = pytest.mark.django_db


def test_catalog_list(client_as, grid_worker):
    response = client_as(grid_worker).get("/events/catalog/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "暴露垃圾" in html and "区综合行政执法局" in html and "/edit/" not in html


def test_catalog_edit_by_the_system_administrator(client_as, sys_admin, shift_leader):
    category = MinorCategory.objects.get(code="0104")
    url = f"/events/catalog/{category.pk}/edit/"
    assert client_as(shift_leader).get(url).status_code == 404
    client = client_as(sys_admin)
    assert client.get(url).status_code == 200
    data = {
        "name": category.name, "default_department": category.default_department_id or "",
        "default_urgency": "normal", "dispatch_minutes_urgent": 10,
        "dispatch_minutes_normal": 30, "handle_amount": 6, "handle_unit": "working_hours",
        "verify_hours_urban": 1, "verify_hours_rural": 2,
        "filing_condition": category.filing_condition,
        "closing_condition": category.closing_condition, "duplicate_radius_m": 50,
        "duplicate_window_hours": 72, "is_active": "on",
    }
    assert client.post(url, data).status_code == 302
    category.refresh_from_db()
    assert category.handle_amount == 6
    bad = client.post(url, {**data, "dispatch_minutes_urgent": 60})
    assert bad.status_code == 200 and "紧急时限不能长于一般时限" in bad.content.decode()
