"""The command room's pages and the field terminal's task screens."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.events.models import Event
from gridgov.tasks import actions
from gridgov.tasks.models import Task

from .support import GRID1, jpeg, make_task

pytestmark = pytest.mark.django_db


def test_list_filters_and_flags_overdue(client_as, dispatcher, grid_worker):
    late = make_task(dispatcher, grid_worker, title="超期的任务")
    Task.objects.filter(pk=late.pk).update(due_at=timezone.now() - timezone.timedelta(hours=2))
    make_task(dispatcher, grid_worker, kind="visit", title="走访任务甲")
    client = client_as(dispatcher)
    page = client.get("/tasks/").content.decode()
    assert "超期的任务" in page and "走访任务甲" in page and "已超期" in page
    assert "新建任务" in page
    page = client.get("/tasks/?overdue=true").content.decode()
    assert "超期的任务" in page and "走访任务甲" not in page
    page = client.get("/tasks/?kind=visit").content.decode()
    assert "超期的任务" not in page and "走访任务甲" in page


def test_list_is_closed_to_departments_and_menu_shows_for_command(
        client_as, dept_handler, dispatcher):
    assert client_as(dept_handler).get("/tasks/").status_code == 403
    assert 'href="/tasks/"' in client_as(dispatcher).get("/").content.decode()


def test_new_task_form_prefills_from_the_event_and_shows_who_is_on_duty(
        client_as, dispatcher, grid_worker, on_duty):
    on_duty((grid_worker, 300))
    event = Event.objects.filter(area_code=GRID1).first()
    page = client_as(dispatcher).get(f"/tasks/new/?event={event.number}").content.decode()
    assert f'value="{event.number}"' in page and "核查事件" in page
    assert "在岗网格员" in page and str(grid_worker) in page and "分钟前" in page


def test_new_task_post_assigns_nearest_and_opens_the_detail(
        client_as, dispatcher, grid_worker, grid_worker2, on_duty):
    on_duty((grid_worker, 800), (grid_worker2, 60))
    client = client_as(dispatcher)
    response = client.post("/tasks/new/", {
        "kind": "collect", "title": "采集出租房信息", "grid": GRID1, "assign_to": "nearest",
        "due_at": (timezone.localtime() + timezone.timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M")})
    task = Task.objects.get(title="采集出租房信息")
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"
    assert task.assignee == grid_worker2 and task.due_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "最近的在岗网格员" in page and "任务记录" in page and "改派" in page


def test_new_task_errors_stay_on_the_form(client_as, dispatcher, on_duty):
    on_duty()
    response = client_as(dispatcher).post("/tasks/new/", {
        "kind": "verify", "title": "核查", "grid": GRID1, "assign_to": "nearest"})
    assert response.status_code == 400
    assert "没有在岗的网格员" in response.content.decode()
    response = client_as(dispatcher).post("/tasks/new/", {
        "kind": "verify", "title": "", "grid": "", "assign_to": "named"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择执行任务的网格员" in page and "请选择网格" in page


def test_detail_shows_result_photos_and_distance_and_cancel_works(
        client_as, dispatcher, grid_worker, grid_worker2):
    task = make_task(dispatcher, grid_worker, kind="verify", lng=121.55, lat=29.87)
    actions.complete_task(task, note="已核实", photos=[
        SimpleUploadedFile("p.jpg", jpeg(), "image/jpeg")], lng=121.5505, lat=29.87,
        actor=grid_worker)
    page = client_as(dispatcher).get(f"/tasks/{task.pk}/").content.decode()
    assert "已核实" in page and "gg-task-distance" in page and f"/tasks/{task.pk}/photos/" in page
    assert client_as(grid_worker2).get(f"/tasks/{task.pk}/").status_code == 404
    photo = task.attachments.get()
    assert client_as(grid_worker2).get(f"/tasks/{task.pk}/photos/{photo.pk}/").status_code == 404
    open_task = make_task(dispatcher, grid_worker)
    client = client_as(dispatcher)
    client.post(f"/tasks/{open_task.pk}/cancel/", {"reason": "不再需要", "expected_version": 1})
    open_task.refresh_from_db()
    assert open_task.state == "cancelled"
    response = client.post(f"/tasks/{open_task.pk}/reassign/", {
        "assign_to": "named", "assignee": grid_worker2.pk}, follow=True)
    assert "不能" in response.content.decode()


def test_field_list_open_first_with_overdue_and_detail_forms(client_as, dispatcher,
                                                             grid_worker):
    done = make_task(dispatcher, grid_worker, title="已办完的")
    actions.complete_task(done, note="ok", actor=grid_worker)
    late = make_task(dispatcher, grid_worker, title="超期任务乙")
    Task.objects.filter(pk=late.pk).update(due_at=timezone.now() - timezone.timedelta(hours=1))
    client = client_as(grid_worker)
    page = client.get("/m/tasks/").content.decode()
    assert "超期任务乙" in page and "已办完的" not in page and "m-badge--danger" in page
    assert f'data-precache="/m/tasks/{late.pk}/"' in page
    assert "已办完的" in client.get("/m/tasks/?done=1").content.decode()
    page = client.get(f"/m/tasks/{late.pk}/").content.decode()
    assert f'action="/api/v1/tasks/{late.pk}/accept/"' in page
    assert f'action="/api/v1/tasks/{late.pk}/complete/"' in page
    assert 'data-outbox="tasks.complete"' in page and "data-geo" in page
    assert 'name="expected_version" value="1"' in page


def test_field_detail_links_the_event_and_hides_buttons_from_others(
        client_as, dispatcher, grid_worker, grid_chief):
    event = Event.objects.filter(area_code=GRID1).first()
    task = actions.assign_task(kind="verify", title="核查", event=event, assignee=grid_worker,
                               actor=dispatcher)
    page = client_as(grid_worker).get(f"/m/tasks/{task.pk}/").content.decode()
    assert f'href="/m/events/{event.number}/"' in page and "m-task-map-config" in page
    page = client_as(grid_chief).get(f"/m/tasks/{task.pk}/").content.decode()
    assert "/accept/" not in page and "/complete/" not in page


def test_field_detail_links_a_person_to_the_collect_screen(client_as, dispatcher,
                                                          grid_worker):
    from gridgov.basedata.models import Person

    person = Person.objects.filter(area_code=GRID1).first()
    task = make_task(dispatcher, grid_worker, person=person, title="核对住户")
    page = client_as(grid_worker).get(f"/m/tasks/{task.pk}/").content.decode()
    assert f'href="/m/collect/people/{person.pk}/"' in page


def test_field_pages_need_sign_in(client):
    response = client.get("/m/tasks/")
    assert response.status_code == 302 and response["Location"].startswith("/m/login/")


def test_field_list_query_count_does_not_grow(client_as, dispatcher, grid_worker):
    make_task(dispatcher, grid_worker)
    client = client_as(grid_worker)
    client.get("/m/tasks/")
    with CaptureQueriesContext(connection) as few:
        client.get("/m/tasks/")
    for n in range(6):
        make_task(dispatcher, grid_worker, title=f"任务{n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/m/tasks/")
    assert len(many) == len(few)


def test_home_section_counts_open_and_overdue_in_fixed_queries(
        rf, dispatcher, grid_worker):
    from gridgov.tasks.views.field import my_tasks_section

    request = rf.get("/m/")
    request.user = grid_worker
    assert my_tasks_section(request) is None
    late = make_task(dispatcher, grid_worker, title="超期")
    Task.objects.filter(pk=late.pk).update(due_at=timezone.now() - timezone.timedelta(hours=1))
    for n in range(4):
        make_task(dispatcher, grid_worker, title=f"任务{n}")
    request.user = type(grid_worker).objects.get(pk=grid_worker.pk)
    with CaptureQueriesContext(connection) as queries:
        section = my_tasks_section(request)
    assert len(queries) <= 4
    assert section.count == 5 and section.overdue == 1 and len(section.items) == 3
    assert section.items[0].overdue and section.url == "/m/tasks/"
    request.user = dispatcher
    assert my_tasks_section(request) is None
