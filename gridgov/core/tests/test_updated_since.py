"""``?updated_since=`` on lists whose model has ``updated_at`` (gridgov.core.filters)."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.core.filters import has_updated_at

pytestmark = pytest.mark.django_db
AREAS = "/api/v1/areas/"


def test_only_rows_changed_since_in_updated_order(api_as, district_leader):
    api = api_as(district_leader)
    long_ago = timezone.now() - dt.timedelta(days=400)
    Area.objects.update(updated_at=long_ago)
    codes = list(Area.objects.order_by("code").values_list("code", flat=True)[:3])
    now = timezone.now()
    for offset, code in zip((3, 1, 2), codes, strict=True):
        Area.objects.filter(code=code).update(updated_at=now + dt.timedelta(seconds=offset))
    since = (now - dt.timedelta(seconds=1)).isoformat()
    body = api.get(AREAS, {"updated_since": since}).json()
    assert [r["code"] for r in body["results"]] == [codes[1], codes[2], codes[0]]
    assert body["count"] == 3
    # Delta sync pages by cursor: (updated_at, id), stable while rows change.
    page = api.get(AREAS, {"updated_since": since, "limit": 2}).json()
    assert [r["code"] for r in page["results"]] == [codes[1], codes[2]]
    assert "cursor=" in page["next"]
    rest = api.get(page["next"]).json()
    assert [r["code"] for r in rest["results"]] == [codes[0]] and rest["next"] is None


def test_accepts_dates_and_naive_times(api_as, district_leader):
    api = api_as(district_leader)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert api.get(AREAS, {"updated_since": tomorrow}).json()["count"] == 0
    assert api.get(AREAS, {"updated_since": "2000-01-01T00:00:00"}).json()["count"] > 0
    # "+08:00" sent unencoded arrives as " 08:00".
    assert api.get(AREAS + "?updated_since=2000-01-01T00:00:00+08:00").status_code == 200


def test_bad_value_is_400_with_field_and_reason(api_as, district_leader):
    api = api_as(district_leader)
    for bad in ("yesterday", "2026-13-01", "2026-12-01T25:00:00"):
        response = api.get(AREAS, {"updated_since": bad})
        assert response.status_code == 400, bad
        error = response.json()["errors"][0]
        assert error["field"] == "updated_since" and "ISO 8601" in error["message"]


def test_lists_without_updated_at_ignore_it_and_do_not_offer_it(api_as, audit_admin):
    from gridgov.audit.models import AuditRecord

    assert not has_updated_at(AuditRecord) and has_updated_at(Area)
    api = api_as(audit_admin)
    assert api.get("/api/audit/records/", {"updated_since": "nonsense"}).status_code == 200
    schema = api.get("/api/schema/?format=json").json()
    area_params = [p["name"] for p in schema["paths"][AREAS]["get"]["parameters"]]
    audit_params = [p["name"]
                    for p in schema["paths"]["/api/v1/audit/records/"]["get"]["parameters"]]
    assert "updated_since" in area_params and "updated_since" not in audit_params


@pytest.mark.parametrize("raw", ["4843-01-18T12:39:10.175-20:09", "9999-12-31T23:00:00-10:00",
                                 "0001-01-01T00:30:00+01:00"])
def test_an_offset_or_year_out_of_range_is_bad_input_not_a_server_error(api_as, sys_admin, raw):
    answer = api_as(sys_admin).get("/api/areas/", {"updated_since": raw})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "updated_since"
