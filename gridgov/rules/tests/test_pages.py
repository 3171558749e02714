"""The rule pages: list, editor (server-side validation), preview, firings, run now."""

import pytest

from gridgov.rules import actions
from gridgov.rules.models import Firing, Rule

from .support import OUTCOME, TEST_TAG, make_person, mine, rule

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {"name": "男性测试", "description": "", "subject": "person", "match": "all",
            "outcome": OUTCOME, "period": "month", "area_code": "", "is_active": "on",
            "cond-TOTAL_FORMS": "3", "cond-INITIAL_FORMS": "0", "cond-MIN_NUM_FORMS": "0",
            "cond-MAX_NUM_FORMS": "20",
            "cond-0-fact": "tag", "cond-0-op": "has tag", "cond-0-value": TEST_TAG,
            "cond-1-fact": "sex", "cond-1-op": "=", "cond-1-value": "M",
            "cond-2-fact": "", "cond-2-op": "=", "cond-2-value": ""}
    data.update(overrides)
    return data


def test_admin_creates_a_rule_through_the_form(client_as, sys_admin, recorder):
    client = client_as(sys_admin)
    assert client.get("/rules/new/").status_code == 200

    response = client.post("/rules/new/", form_data())

    assert response.status_code == 302
    saved = Rule.objects.get(name="男性测试")
    assert saved.conditions[1] == {"fact": "sex", "op": "=", "value": "M"}
    page = client.get("/rules/")
    assert "男性测试" in page.content.decode() and "性别 = 男" in page.content.decode()


def test_bad_condition_is_shown_next_to_its_field(client_as, sys_admin, recorder):
    response = client_as(sys_admin).post("/rules/new/", form_data(**{
        "cond-1-fact": "age", "cond-1-op": ">=", "cond-1-value": "八十"}))

    assert response.status_code == 400
    assert "请填写整数" in response.content.decode()
    assert not Rule.objects.filter(name="男性测试").exists()


def test_preview_button_shows_the_unsaved_rule(client_as, sys_admin, recorder, gulou_grid):
    make_person(gulou_grid, "王五", sex="M")
    response = client_as(sys_admin).post("/rules/new/", form_data(preview="1"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "王*" in body and "王五" not in body
    assert not Rule.objects.filter(name="男性测试").exists()


def test_refresh_changes_the_choices_without_errors(client_as, sys_admin, recorder):
    response = client_as(sys_admin).post("/rules/new/", form_data(
        subject="hotspot", refresh="1", name=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert "上报次数" in body and "请填写" not in body


def test_leader_sees_rules_and_the_preview_but_cannot_edit(client_as, leader, recorder,
                                                          gulou_grid):
    make_person(gulou_grid, "赵六", sex="M")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    client = client_as(leader)
    assert client.get("/rules/").status_code == 200
    preview = client.get(f"/rules/{r.pk}/")
    assert preview.status_code == 200 and "赵六" in preview.content.decode()
    assert client.get(f"/rules/{r.pk}/edit/").status_code == 403
    assert client.post("/rules/run/").status_code == 403


def test_grid_worker_and_anonymous_are_kept_out(client, client_as, grid_worker):
    assert client_as(grid_worker).get("/rules/").status_code == 403
    assert client.get("/rules/").status_code == 302


def test_run_now_fires_and_reports(client_as, sys_admin, recorder, gulou_grid):
    make_person(gulou_grid, "钱七", sex="M")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    client = client_as(sys_admin)

    response = client.post("/rules/run/", follow=True)

    assert Firing.objects.filter(rule=r).count() == 1
    assert response.redirect_chain[0][0].startswith("/rules/?job=")
    html = response.content.decode()
    assert "已完成" in html and "新触发" in html  # the job's progress, then its figures
    assert response.context["job"].result["fired"] >= 1


def test_firings_page_explains_each_firing_in_scope(client_as, grid_chief, recorder,
                                                   gulou_grid, other_street,
                                                   django_assert_max_num_queries):
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}), name="年满80周岁高龄津贴")
    why = "规则“年满80周岁高龄津贴”: 本月年满 80 周岁 (出生 1946-12-05)"
    for n in range(25):
        Firing.objects.create(rule=r, subject_type="person", subject_id=str(n),
                              subject_label=f"人{n}", period_key="2026",
                              area_code=gulou_grid.code, explanation=why)
    Firing.objects.create(rule=r, subject_type="person", subject_id="x", subject_label="外人",
                          period_key="2026", area_code=other_street.code + "001001")
    client = client_as(grid_chief)
    unfiltered = client.get("/rules/firings/")
    assert unfiltered.status_code == 200 and "人24" in unfiltered.content.decode()
    with django_assert_max_num_queries(16):
        response = client.get("/rules/firings/", {"rule": r.pk, "period": "2026"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "本月年满 80 周岁 (出生 1946-12-05)" in body and "人3" in body
    assert "外人" not in body
    bad = client.get("/rules/firings/", {"area": "abc"})
    assert bad.status_code == 400


def test_retire_button(client_as, sys_admin, recorder):
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    client_as(sys_admin).post(f"/rules/{r.pk}/retire/", {"expected_version": r.version})
    r.refresh_from_db()
    assert r.is_active is False
    assert actions.run_rules(rules=None).rules_evaluated == Rule.objects.filter(
        is_active=True).count()
