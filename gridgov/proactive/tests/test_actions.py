"""The verbs: benefits (band, never doubled, consent gating the SMS), tasks (assignee,
dedupe, close, cancel), consent, and the ends of a person's services."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.notifications.models import Notification
from gridgov.proactive import actions
from gridgov.proactive.models import Benefit, Consent, ServiceTask

from .support import make_person

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 2)


def turning(years, day=10):
    return dt.date(TODAY.year - years, TODAY.month, day)


def test_age_this_month_counts_a_birthday_later_in_the_month():
    assert actions.age_this_month(dt.date(1946, 12, 28), TODAY) == 80
    assert actions.age_this_month(dt.date(1946, 11, 28), TODAY) == 80
    assert actions.age_this_month(dt.date(1947, 1, 1), TODAY) == 79
    assert actions.age_this_month(None, TODAY) is None


def test_allowance_band_from_age_and_never_doubled(gulou_grid):
    person = make_person(gulou_grid, "测八十", born=turning(80))
    first = actions.start_benefit(person, kind="elderly_allowance", actor=None, today=TODAY,
                                  without_application=True, reason="测试")
    again = actions.start_benefit(person, kind="elderly_allowance", actor=None, today=TODAY,
                                  without_application=True, reason="测试")
    assert first.pk == again.pk
    assert Benefit.objects.filter(person=person).count() == 1
    assert first.tier.label == "80–89 周岁" and first.monthly_amount == 100
    assert first.started_on == TODAY.replace(day=1) and first.without_application
    assert AuditRecord.objects.filter(action="proactive.benefit_start",
                                      object_id=str(first.pk)).count() == 1


def test_reaching_the_next_band_moves_the_active_allowance(gulou_grid):
    person = make_person(gulou_grid, "测九十", born=turning(90))
    older = actions.start_benefit(person, kind="elderly_allowance", actor=None,
                                  today=TODAY.replace(year=TODAY.year - 10))
    assert older.tier.min_age == 80
    moved = actions.start_benefit(person, kind="elderly_allowance", actor=None, today=TODAY)
    assert moved.pk == older.pk and moved.tier.min_age == 90 and moved.monthly_amount == 200
    assert AuditRecord.objects.filter(action="proactive.benefit_tier",
                                      object_id=str(moved.pk)).exists()


def test_an_allowance_needs_the_age_and_a_residing_person(gulou_grid, grid_worker):
    young = make_person(gulou_grid, "测年轻", born=turning(70))
    with pytest.raises(ValidationError) as exc:
        actions.start_benefit(young, kind="elderly_allowance", actor=None, today=TODAY)
    assert "person" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.start_benefit(young, kind="pension", actor=grid_worker)
    with pytest.raises(ValidationError) as exc:
        actions.start_benefit(young, kind="nonsense", actor=None)
    assert "kind" in exc.value.message_dict


def test_sms_only_with_consent_else_a_notice_task(gulou_grid, grid_worker, sms,
                                                  django_capture_on_commit_callbacks):
    agreed = make_person(gulou_grid, "测同意", born=turning(80), phone="13900001111")
    silent = make_person(gulou_grid, "测未登记", born=turning(80), phone="13900002222")
    actions.record_consent(agreed, agreed=True, actor=grid_worker, note="当面确认")
    with django_capture_on_commit_callbacks(execute=True):
        actions.start_benefit(agreed, kind="elderly_allowance", actor=None, today=TODAY,
                              without_application=True)
        actions.start_benefit(silent, kind="elderly_allowance", actor=None, today=TODAY,
                              without_application=True)
    assert [m.phone for m in sms] == ["13900001111"]
    assert "高龄津贴" in sms[0].text and "无需申请" in sms[0].text
    assert not ServiceTask.objects.filter(person=agreed).exists()
    notice = ServiceTask.objects.get(person=silent)
    assert notice.kind == "benefit_notice" and notice.assignee == grid_worker


def test_consent_withdrawn_means_no_sms(gulou_grid, grid_worker, sms,
                                        django_capture_on_commit_callbacks):
    person = make_person(gulou_grid, "测撤回", born=turning(80), phone="13900003333")
    actions.record_consent(person, agreed=True, actor=grid_worker)
    actions.record_consent(person, agreed=False, actor=grid_worker)
    assert not actions.has_sms_consent(person)
    with django_capture_on_commit_callbacks(execute=True):
        actions.start_benefit(person, kind="elderly_allowance", actor=None, today=TODAY,
                              without_application=True)
    assert sms == []


def test_consent_needs_the_permission_and_the_area(gulou_grid2, grid_worker, leader):
    person = make_person(gulou_grid2, "测别网格")
    with pytest.raises(Http404):
        actions.record_consent(person, agreed=True, actor=grid_worker)
    with pytest.raises(PermissionDenied):
        actions.record_consent(person, agreed=True, actor=leader)
    with pytest.raises(ValidationError) as exc:
        actions.record_consent(person, agreed=True, actor=None, note="长" * 201)
    assert "note" in exc.value.message_dict
    assert not Consent.objects.filter(person=person).exists()


def test_a_task_goes_to_the_grid_worker_once(gulou_grid, grid_worker,
                                             django_capture_on_commit_callbacks):
    person = make_person(gulou_grid, "测提醒", tags=["独居老人"])
    due = timezone.now() + dt.timedelta(hours=24)
    with django_capture_on_commit_callbacks(execute=True):
        task = actions.open_task(kind="alert", title="测提醒已8天未联系", grid=gulou_grid,
                                 person=person, due_at=due, reason="规则“测”: 8 天")
        again = actions.open_task(kind="alert", title="又一次", grid=gulou_grid,
                                  person=person, due_at=due)
    assert again.pk == task.pk and task.assignee == grid_worker
    told = Notification.objects.filter(user=grid_worker, dedupe_key=f"proactive.task:{task.pk}")
    assert told.count() == 1 and "关爱提醒" in told.get().text


def test_a_grid_without_its_own_worker_falls_back_to_the_chief(gulou_community, grid_chief):
    from gridgov.areas.models import Area

    empty = (Area.objects.filter(parent=gulou_community, level="grid")
             .exclude(assignments__role="grid_worker").order_by("code").first())
    task = actions.open_task(kind="inspection", title="测巡查", grid=empty, subject="某处")
    assert task.assignee == grid_chief


def test_open_task_validates(gulou_grid, gulou_community, dept_handler):
    with pytest.raises(ValidationError) as exc:
        actions.open_task(kind="alert", title="x", grid=gulou_community)
    assert "grid" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.open_task(kind="alert", title=" ", grid=gulou_grid)
    assert "title" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.open_task(kind="alert", title="x", grid=gulou_grid, to="department")
    assert "department" in exc.value.message_dict
    task = actions.open_task(kind="inspection", title="测部门", grid=gulou_grid, subject="路口",
                             to="department", department=dept_handler.department)
    assert task.department == dept_handler.department and task.assignee is None


def test_close_task_by_hand(gulou_grid, gulou_grid2, grid_worker, grid_worker2, leader):
    task = actions.open_task(kind="inspection", title="测办结", grid=gulou_grid, subject="桥下")
    with pytest.raises(ValidationError) as exc:
        actions.close_task(task, actor=grid_worker, note="  ")
    assert "note" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.close_task(task, actor=leader, note="看过")
    with pytest.raises(Http404):
        actions.close_task(task, actor=grid_worker2, note="看过")
    closed = actions.close_task(task, actor=grid_worker, note="已巡查,无异常")
    assert closed.state == "done" and closed.closed_by == grid_worker and closed.version == 2
    assert AuditRecord.objects.filter(action="proactive.task_close",
                                      object_id=str(task.pk)).count() == 1
    with pytest.raises(ValidationError) as exc:
        actions.close_task(closed, actor=grid_worker, note="再办")
    assert "state" in exc.value.message_dict


def test_cancel_task_needs_a_reason(gulou_grid, grid_worker):
    task = actions.open_task(kind="inspection", title="测取消", grid=gulou_grid, subject="井盖")
    with pytest.raises(ValidationError):
        actions.cancel_task(task, actor=grid_worker, reason="")
    assert actions.cancel_task(task, actor=grid_worker, reason="重复").state == "cancelled"


def test_render_title_fills_only_plain_names():
    values = {"name": "张三", "days_since_contact": 9}
    assert actions.render_title("{name}已{days_since_contact}天未联系", values) == "张三已9天未联系"
    assert actions.render_title("{name.__class__}{unknown}", values) == "{name.__class__}{unknown}"


def test_alerts_reach_the_worker_by_sms_too_other_tasks_in_app_only(
        gulou_grid, grid_worker, sms, django_capture_on_commit_callbacks):
    person = make_person(gulou_grid, "测短信", tags=["独居老人"])
    with django_capture_on_commit_callbacks(execute=True):
        actions.open_task(kind="alert", title="测短信已9天未联系", grid=gulou_grid, person=person)
        actions.open_task(kind="inspection", title="测巡查不发短信", grid=gulou_grid,
                          subject="河边")
    assert [m.phone for m in sms] == [grid_worker.phone]
    assert "测短信已9天未联系" in sms[0].text
    assert Notification.objects.filter(user=grid_worker, text__contains="测巡查不发短信").exists()
