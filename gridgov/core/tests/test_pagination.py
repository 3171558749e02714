"""List paging: limit/offset unchanged, ``?cursor=`` keyset paging (gridgov.core.pagination)."""

import pytest

from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
AREAS = "/api/v1/areas/"


def walk(api, url, params):
    """Follow ``next`` links from the first cursor page; returns every row."""
    rows, response = [], api.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        assert body["previous"] is None
        if not body["next"]:
            return rows, body
        assert "cursor=" in body["next"] and "offset=" not in body["next"]
        response = api.get(body["next"])


def test_offset_paging_is_unchanged(api_as, district_leader):
    api = api_as(district_leader)
    body = api.get(AREAS, {"limit": 5, "offset": 5}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert "offset=10" in body["next"] and "cursor" not in body["next"]
    assert body["previous"] is not None and len(body["results"]) == 5
    codes = [r["code"] for r in api.get(AREAS, {"limit": 10}).json()["results"]]
    assert [r["code"] for r in body["results"]] == codes[5:]


def test_cursor_walks_the_whole_list_in_its_ordering(api_as, district_leader):
    api = api_as(district_leader)
    everything = [r["code"] for r in api.get(AREAS, {"limit": 5000}).json()["results"]]
    rows, body = walk(api, AREAS, {"cursor": "", "limit": 7})
    assert [r["code"] for r in rows] == everything
    assert body["count"] == len(everything)


def test_rows_added_while_paging_do_not_shift_the_cursor(api_as, audit_admin):
    from gridgov.audit.recorder import record

    api = api_as(audit_admin)
    first = api.get("/api/audit/records/", {"cursor": "", "limit": 10}).json()
    seen = [r["id"] for r in first["results"]]
    # New rows land on top of this newest-first list: offset paging would repeat rows.
    for n in range(5):
        record("core.test_paging", object_type="test", object_id=str(n))
    second = api.get(first["next"]).json()
    ids = [r["id"] for r in second["results"]]
    older = list(AuditRecord.objects.filter(id__lt=seen[-1]).order_by("-id")
                 .values_list("id", flat=True)[:10])
    assert ids == older and not set(ids) & set(seen)


def test_descending_ordering_with_id_tiebreak(api_as, audit_admin):
    api = api_as(audit_admin)
    expected = list(AuditRecord.objects.order_by("-id").values_list("id", flat=True)[:40])
    rows, _ = walk(api, "/api/audit/records/", {"cursor": "", "limit": 15})
    assert [r["id"] for r in rows][:40] == expected


def test_bad_cursor_is_400_naming_the_field(api_as, district_leader):
    api = api_as(district_leader)
    for bad in ("nonsense", "eyJvIjogWyJ4Il0sICJ2IjogWzFdfQ"):
        response = api.get(AREAS, {"cursor": bad})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "cursor"


def test_schema_describes_cursor_paging(api_as, district_leader):
    schema = api_as(district_leader).get("/api/schema/?format=json").json()
    names = [p["name"] for p in schema["paths"][AREAS]["get"]["parameters"]]
    assert {"limit", "offset", "cursor"} <= set(names)


def _cursor(payload: dict) -> str:
    import base64
    import json

    raw = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_cursor_pages_count_once_and_carry_it(api_as, district_leader,
                                              django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_as(district_leader)
    first = api.get(AREAS, {"cursor": "", "limit": 3}).json()
    total = first["count"]
    with CaptureQueriesContext(connection) as queries:
        second = api.get(first["next"]).json()
    assert second["count"] == total
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_a_cursor_without_a_count_counts_and_a_forged_one_is_400(api_as, district_leader):
    import base64
    import json

    api = api_as(district_leader)
    first = api.get(AREAS, {"cursor": "", "limit": 3}).json()
    raw = first["next"].split("cursor=")[1].split("&")[0]
    payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    old = {k: v for k, v in payload.items() if k != "n"}
    assert api.get(AREAS, {"cursor": _cursor(old), "limit": 3}).json()["count"] == first["count"]
    for bad in (-1, "12", 1.5):
        response = api.get(AREAS, {"cursor": _cursor({**payload, "n": bad}), "limit": 3})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "cursor"


def test_schema_states_the_offset_window(api_as, district_leader):
    from gridgov.core.pagination import MAX_OFFSET

    schema = api_as(district_leader).get("/api/schema/?format=json").json()
    offset = next(p for p in schema["paths"][AREAS]["get"]["parameters"]
                  if p["name"] == "offset")
    assert offset["schema"]["maximum"] == MAX_OFFSET == 1_000_000
    assert "cursor" in offset["description"]
