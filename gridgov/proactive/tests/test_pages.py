"""The desktop pages, the field screens and the field home section."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from gridgov.proactive import actions, shell
from gridgov.proactive.models import Consent, ServiceTask

from .support import make_person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def alert(gulou_grid):
    person = make_person(gulou_grid, "页主动甲", born=dt.date(1941, 2, 2), tags=["独居老人"])
    return actions.open_task(kind="alert", title="页主动甲已9天未联系", grid=gulou_grid,
                             person=person, reason="规则“独居老人7天未联系提醒”: 已 9 天未联系",
                             due_at=timezone.now() - dt.timedelta(hours=2))


@pytest.fixture
def other_alert(gulou_grid2):
    person = make_person(gulou_grid2, "页主动乙", tags=["独居老人"])
    return actions.open_task(kind="alert", title="页主动乙已8天未联系", grid=gulou_grid2,
                             person=person, due_at=timezone.now() + dt.timedelta(hours=5))


def test_task_list_mine_for_a_worker_the_areas_for_a_leader(alert, other_alert, grid_worker,
                                                            grid_worker2, leader, client_as):
    mine = client_as(grid_worker).get("/proactive/").content.decode()
    assert "页主动甲已9天未联系" in mine and "页主动乙" not in mine and "已超期" in mine
    theirs = client_as(grid_worker2).get("/proactive/").content.decode()
    assert "页主动乙已8天未联系" in theirs and "页主动甲" not in theirs
    both = client_as(leader).get("/proactive/").content.decode()
    assert "页主动甲" in both and "页主动乙" in both
    overdue = client_as(leader).get("/proactive/", {"overdue": "true"}).content.decode()
    assert "页主动甲" in overdue and "页主动乙" not in overdue
    assert client_as(leader).get("/proactive/", {"area": "12"}).status_code == 400


def test_task_list_queries_do_not_grow_with_rows(gulou_grid, leader, client_as,
                                                 django_assert_max_num_queries):
    client = client_as(leader)
    client.get("/proactive/")
    for n in range(12):
        actions.open_task(kind="inspection", title=f"页巡查{n}", grid=gulou_grid,
                          subject=f"地点{n}")
    with django_assert_max_num_queries(14):
        page = client.get("/proactive/")
    assert page.content.decode().count("页巡查") == 12


def test_task_detail_shows_the_reason_and_closes(alert, grid_worker, grid_worker2, leader,
                                                 client_as, client):
    url = f"/proactive/tasks/{alert.pk}/"
    assert client.get(url).status_code == 302
    assert client_as(grid_worker2).get(url).status_code == 404
    worker = client_as(grid_worker)
    text = worker.get(url).content.decode()
    assert "已 9 天未联系" in text and "办结任务" in text
    assert f"/m/visits/{alert.person_id}/new/" in text
    assert "办结任务" not in client_as(leader).get(url).content.decode()
    empty = worker.post(f"{url}close/", {"note": ""})
    assert empty.status_code == 400 and ServiceTask.objects.get(pk=alert.pk).state == "open"
    done = worker.post(f"{url}close/", {"note": "已电话联系"})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.state == "done" and alert.close_note == "已电话联系"
    assert client_as(grid_worker2).post(f"{url}close/", {"note": "x"}).status_code == 404


def test_benefits_page_lists_this_month_with_reason_and_the_stopped(
        gulou_grid, grid_worker, leader, client_as, django_capture_on_commit_callbacks):
    from gridgov.basedata.actions import lifecycle

    born = dt.date(TODAY.year - 80, TODAY.month, 2)
    kept = make_person(gulou_grid, "页津贴甲", born=born)
    gone = make_person(gulou_grid, "页津贴乙", born=born)
    for person in (kept, gone):
        actions.start_benefit(person, kind="elderly_allowance", actor=None,
                              without_application=True, reason="规则“高龄”: 本月年满 80 周岁")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.record_death(gone, actor=grid_worker, on=TODAY)
    page = client_as(leader).get("/proactive/benefits/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "页津贴甲" in text and "本月年满 80 周岁" in text and "免申即享" in text
    stopped = text[text.index(f"{TODAY.month}月停发"):]
    assert "页津贴乙" in stopped and "死亡" in stopped
    assert client_as(leader).get("/proactive/benefits/", {"month": "2026/12"}).status_code == 400
    last_year = client_as(leader).get("/proactive/benefits/",
                                      {"month": f"{TODAY.year - 1}-{TODAY.month:02d}"})
    assert "页津贴甲" not in last_year.content.decode()


def test_benefits_page_queries_do_not_grow(gulou_grid, leader, client_as,
                                           django_assert_max_num_queries):
    client = client_as(leader)
    client.get("/proactive/benefits/")
    for n in range(8):
        person = make_person(gulou_grid, f"页多{n}", born=dt.date(TODAY.year - 80, TODAY.month, 1))
        actions.start_benefit(person, kind="elderly_allowance", actor=None,
                              without_application=True)
    with django_assert_max_num_queries(14):
        page = client.get("/proactive/benefits/")
    assert page.content.decode().count("页多") == 8


def test_person_page_records_consent(gulou_grid, grid_worker, grid_worker2, leader,
                                     client_as):
    person = make_person(gulou_grid, "页同意", phone="13900004444")
    url = f"/proactive/people/{person.pk}/"
    worker = client_as(grid_worker)
    assert "未登记(不发短信)" in worker.get(url).content.decode()
    assert worker.post(f"{url}consent/", {"note": "x"}).status_code == 400
    assert worker.post(f"{url}consent/", {"agreed": "yes", "note": "本人当面确认"}
                       ).status_code == 302
    consent = Consent.objects.get(person=person)
    assert consent.agreed and consent.recorded_by == grid_worker
    assert "本人当面确认" in worker.get(url).content.decode()
    assert client_as(grid_worker2).get(url).status_code == 404
    assert client_as(leader).get(url).status_code == 200
    assert client_as(leader).post(f"{url}consent/", {"agreed": "no"}).status_code == 403


def test_department_handlers_do_not_reach_people(gulou_grid, dept_handler, client_as):
    person = make_person(gulou_grid, "页部门")
    client = client_as(dept_handler)
    assert client.get(f"/proactive/people/{person.pk}/").status_code == 404
    assert client.get("/proactive/benefits/").status_code == 403


def test_home_section_in_two_queries(alert, grid_worker, django_assert_num_queries):
    from gridgov.core.access import get_scope

    request = RequestFactory().get("/m/")
    request.user = grid_worker
    get_scope(grid_worker)
    with django_assert_num_queries(2):
        section = shell.today_section(request)
    assert section.key == "proactive" and section.title == "服务提醒"
    assert section.count >= 1 and section.overdue >= 1 and section.items[0].overdue


def test_field_list_and_task(alert, grid_worker, grid_worker2, client_as, client):
    assert client.get("/m/proactive/")["Location"].startswith("/m/login/")
    worker = client_as(grid_worker)
    text = worker.get("/m/proactive/").content.decode()
    assert "页主动甲已9天未联系" in text and "逾期" in text
    task = worker.get(f"/m/proactive/{alert.pk}/").content.decode()
    assert f'href="/m/visits/{alert.person_id}/new/"' in task
    assert 'data-outbox="proactive.close"' in task
    assert f'action="/api/v1/proactive/tasks/{alert.pk}/close/"' in task
    assert client_as(grid_worker2).get(f"/m/proactive/{alert.pk}/").status_code == 404
    home = worker.get("/m/").content.decode()
    assert "服务提醒" in home


def test_the_person_page_links_to_the_services_for_who_may_read_them(grid_worker, data_officer,
                                                                      client_as, gulou_grid):
    from gridgov.basedata.models import Person

    person = Person.objects.residing().filter(area_code=gulou_grid.code).first()
    link = f'href="/proactive/people/{person.pk}/"'
    assert link in client_as(grid_worker).get(f"/basedata/people/{person.pk}/").content.decode()
    # The district's data officer reads the people, not the services.
    page = client_as(data_officer).get(f"/basedata/people/{person.pk}/")
    assert page.status_code == 200 and link not in page.content.decode()


def test_the_pages_link_only_what_the_person_may_open(leader, dept_handler, client_as):
    page = client_as(leader).get("/proactive/").content.decode()
    assert 'href="/proactive/benefits/"' in page and 'href="/rules/"' in page
    # A department's handler works its service tasks: no residents' benefits, no rules.
    page = client_as(dept_handler).get("/proactive/").content.decode()
    assert 'href="/proactive/benefits/"' not in page and 'href="/rules/"' not in page
