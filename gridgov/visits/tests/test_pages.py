"""The field screens, the home section, and the desktop pages."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from gridgov.visits import actions, shell
from gridgov.visits.models import VisitPlan

from .support import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(gulou_grid):
    person = make_person(gulou_grid, "页面甲", "独居老人")
    actions.sync_schedules([person.pk], today=timezone.localdate() - dt.timedelta(days=10))
    return person


def test_field_list_shows_overdue_first_with_days(late, grid_worker, client_as):
    page = client_as(grid_worker).get("/m/visits/")
    text = page.content.decode()
    assert page.status_code == 200 and "页面甲" in text and "逾期 3 天" in text


def test_field_pages_need_sign_in_and_scope(late, grid_worker, grid_worker2, client):
    from django.test import Client

    assert client.get("/m/visits/")["Location"].startswith("/m/login/")
    other = Client()
    other.force_login(grid_worker2)
    assert other.get(f"/m/visits/{late.pk}/").status_code == 404
    assert other.get(f"/m/visits/{late.pk}/new/").status_code == 404


def test_field_person_and_form(late, grid_worker, client_as):
    actions.record_visit(late, notes="送去米面油", needs=["hardship"], actor=grid_worker)
    client = client_as(grid_worker)
    text = client.get(f"/m/visits/{late.pk}/").content.decode()
    assert "送去米面油" in text and "生活困难" in text and "下次应走访" in text
    form = client.get(f"/m/visits/{late.pk}/new/").content.decode()
    for needle in ('data-outbox="visits.visit"', "data-geo", 'action="/api/v1/visits/"',
                   'name="photos"', 'name="needs" value="safety"', "data-visited-at",
                   f'data-done-url="/m/visits/{late.pk}/"'):
        assert needle in form, needle


def test_home_section_counts_in_two_queries(late, gulou_grid, grid_worker,
                                            django_assert_num_queries):
    today_person = make_person(gulou_grid, "页面乙", "独居老人")
    actions.sync_schedules([today_person.pk],
                           today=timezone.localdate() - dt.timedelta(days=7))
    request = RequestFactory().get("/m/")
    request.user = grid_worker
    from gridgov.core.access import get_scope

    get_scope(grid_worker)
    with django_assert_num_queries(2):
        section = shell.today_section(request)
    assert section.key == "visits" and section.overdue >= 1
    assert section.count >= 2 and "今日应走访" in section.title
    assert section.items[0].overdue


def test_desktop_overdue_list_person_and_filters(late, grid_worker, leader, client_as):
    actions.record_visit(late, notes="电话问候", kind="phone", actor=grid_worker,
                         visited_at=timezone.now() - dt.timedelta(days=1))
    client = client_as(leader)
    # Visited yesterday: no longer overdue; due within the week.
    assert "页面甲" not in client.get("/visits/").content.decode()
    week = client.get("/visits/", {"state": "week", "q": "页面"}).content.decode()
    assert "页面甲" in week
    assert client.get("/visits/", {"state": "soon"}).status_code == 400
    person = client.get(f"/visits/people/{late.pk}/").content.decode()
    assert "电话问候" in person and "独居老人" in person


def test_plan_editing_for_the_administrator(sys_admin, grid_worker, client_as):
    plan = VisitPlan.objects.get(tag__name="残疾人", area_code="", is_active=True)
    assert client_as(grid_worker).get(f"/visits/plans/{plan.pk}/").status_code == 403
    admin = client_as(sys_admin)
    assert "残疾人" in admin.get("/visits/plans/").content.decode()
    bad = admin.post(f"/visits/plans/{plan.pk}/", {
        "tag": plan.tag_id, "interval_days": 0, "expected_version": plan.version})
    assert bad.status_code == 400
    ok = admin.post(f"/visits/plans/{plan.pk}/", {
        "tag": plan.tag_id, "interval_days": 20, "is_active": "on",
        "expected_version": plan.version})
    assert ok.status_code == 302
    plan.refresh_from_db()
    assert plan.interval_days == 20
    local = admin.post("/visits/plans/new/", {
        "tag": plan.tag_id, "area_code": "330203005001", "interval_days": 10,
        "is_active": "on"})
    assert local.status_code == 302
    listed = admin.get("/visits/plans/").content.decode()
    assert "兴港社区" in listed and "330203005001" in listed
