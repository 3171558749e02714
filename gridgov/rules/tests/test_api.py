"""The rules API: CRUD with expected_version, 400 with the field, scope of firings."""

import pytest

from gridgov.rules import actions
from gridgov.rules.models import Firing, Rule

from .support import OUTCOME, make_person, mine, rule

pytestmark = pytest.mark.django_db

BODY = {"name": "男性测试", "subject": "person", "outcome": OUTCOME, "period": "month",
        "conditions": mine({"fact": "sex", "op": "=", "value": "M"})}


def firing(rule_, area_code, subject_id, label="张三"):
    return Firing.objects.create(rule=rule_, subject_type="person", subject_id=subject_id,
                                 subject_label=label, period_key="once", area_code=area_code,
                                 facts={"sex": "M"}, explanation="规则“x”: 性别: 男")


def test_admin_creates_edits_and_retires_a_rule(api_as, sys_admin, recorder):
    api = api_as(sys_admin)
    created = api.post("/api/v1/rules/", BODY, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["conditions_text"][1] == "性别 = 男"

    changed = api.patch(f"/api/v1/rules/{pk}/", {"name": "改名", "expected_version": 1},
                        format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = api.patch(f"/api/v1/rules/{pk}/", {"name": "再改", "expected_version": 1},
                      format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["name"] == "改名"

    retired = api.post(f"/api/v1/rules/{pk}/retire/", {"expected_version": 2}, format="json")
    assert retired.status_code == 200 and retired.json()["is_active"] is False


@pytest.mark.parametrize(("conditions", "field"), [
    ([{"fact": "shoe_size", "op": "=", "value": 42}], "conditions.0.fact"),
    ([{"fact": "age", "op": "has tag", "value": 80}], "conditions.0.op"),
    ([{"fact": "age", "op": ">=", "value": "八十"}], "conditions.0.value"),
    ([{"fact": "sex", "op": "=", "value": "X"}], "conditions.0.value"),
    ([{"fact": "tag", "op": "has tag", "value": "没有的标签"}], "conditions.0.value"),
    ([{"fact": "reports", "op": ">=", "value": 3}], "conditions.0.fact"),  # a hotspot fact
    ([], "conditions"),
])
def test_bad_conditions_are_400_with_the_field(api_as, sys_admin, recorder, conditions, field):
    response = api_as(sys_admin).post("/api/v1/rules/", {**BODY, "conditions": conditions},
                                      format="json")
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Rule.objects.filter(name=BODY["name"]).exists()


def test_unknown_outcome_and_area_are_400(api_as, sys_admin, recorder):
    api = api_as(sys_admin)
    bad_outcome = api.post("/api/v1/rules/", {**BODY, "outcome": "nothing.here"}, format="json")
    bad_area = api.post("/api/v1/rules/", {**BODY, "area_code": "330203999999999"},
                        format="json")
    assert [e["field"] for e in bad_outcome.json()["errors"]] == ["outcome"]
    assert [e["field"] for e in bad_area.json()["errors"]] == ["area_code"]


def test_only_the_administrator_writes_rules(api_as, leader, grid_worker, recorder):
    assert api_as(leader).get("/api/v1/rules/").status_code == 200
    assert api_as(leader).post("/api/v1/rules/", BODY, format="json").status_code == 403
    assert api_as(grid_worker).get("/api/v1/rules/").status_code == 403


def test_firings_are_scoped_to_the_callers_areas(api_as, grid_chief, leader, sys_admin,
                                                 recorder, gulou_grid, other_street):
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    inside = firing(r, gulou_grid.code, "1")
    outside = firing(r, other_street.code + "001001", "2")

    chief = api_as(grid_chief).get("/api/v1/rule-firings/", {"rule": r.pk})
    ids = [row["id"] for row in chief.json()["results"]]
    assert inside.pk in ids and outside.pk not in ids
    assert chief.json()["results"][0]["subject_label"] == "张三"
    assert api_as(grid_chief).get(f"/api/v1/rule-firings/{outside.pk}/").status_code == 404
    # The administrator sees every firing but no person's name.
    admin = api_as(sys_admin).get("/api/v1/rule-firings/", {"rule": r.pk}).json()["results"]
    assert {row["subject_label"] for row in admin} == {"张*"}


def test_firings_list_query_count(api_as, leader, recorder, gulou_grid,
                                  django_assert_max_num_queries):
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    for n in range(30):
        firing(r, gulou_grid.code, str(n))
    api = api_as(leader)
    api.get("/api/v1/rule-firings/")
    with django_assert_max_num_queries(12):
        response = api.get("/api/v1/rule-firings/", {"updated_since": "2020-01-01T00:00:00"})
    assert response.status_code == 200 and len(response.json()["results"]) >= 30


def test_preview_counts_what_would_fire(api_as, sys_admin, recorder, gulou_grid):
    make_person(gulou_grid, "甲", sex="M")
    make_person(gulou_grid, "乙", sex="F")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    api = api_as(sys_admin)

    before = api.get(f"/api/v1/rules/{r.pk}/preview/").json()
    actions.run_rules(rules=[r])
    after = api.get(f"/api/v1/rules/{r.pk}/preview/").json()

    assert (before["matching"], before["would_fire"]) == (1, 1)
    assert before["rows"][0]["label"] == "甲*"  # the administrator does not see people
    assert before["rows"][0]["facts"] == {"tag": "规则测试人群", "sex": "M"}
    assert (after["matching"], after["would_fire"]) == (1, 0)
    bad = api.get(f"/api/v1/rules/{r.pk}/preview/", {"date": "2026-13-01"})
    assert bad.status_code == 400
