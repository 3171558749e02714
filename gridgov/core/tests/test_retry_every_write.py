"""Every write operation of the API, retried with the same Idempotency-Key, answers the same
and writes once.

The operations come from the OpenAPI schema (the one ``/api/schema/`` serves); each needs an
example in ``EXAMPLES`` (who may call it, the object it acts on, a valid body). A new write
endpoint without an example fails ``test_every_write_operation_has_an_example``, so it cannot
ship without being shown idempotent. The pages are covered at the end: a form posted twice
with the same ``idempotency_key`` writes once.
"""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.db.models import Max
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from shapely.geometry import box, mapping

from gridgov.audit.models import AuditRecord
from gridgov.core import idempotency
from gridgov.demo.basedata import make_id_number, make_uscc
from gridgov.demo.users import GULOU_GRID
from gridgov.events.choices import State
from gridgov.events.tests import workflow_support as flow
from gridgov.events.workflow import TRANSITIONS
from gridgov.party.tests.retry_examples import PARTY_EXAMPLES
from gridgov.party_meetings.tests.retry_examples import examples as party_meeting_examples
from gridgov.partywork.tests.retry_examples import partywork_examples
from gridgov.proactive.tests.retry_examples import examples as proactive_examples
from gridgov.rules.tests.retry_examples import examples as rule_examples
from gridgov.video.tests.retry_examples import examples as video_examples

pytestmark = pytest.mark.django_db
WRITE_METHODS = ("post", "put", "patch", "delete")
# Self-managed idempotency (gridgov.core.idempotency.SELF_MANAGED_ROUTES): the intake answers
# a retry 200 with the same event where the first answer was 201.
SELF_MANAGED = {"events_report_create"}


def write_operations(schema) -> dict:
    return {op["operationId"]: (method.upper(), path)
            for path, operations in schema["paths"].items()
            for method, op in operations.items() if method in WRITE_METHODS}


# Read once at collection, so each operation is its own test.
OPERATIONS = write_operations(SchemaGenerator().get_schema(request=None, public=True))


@dataclass
class Example:
    """A valid call of one operation: the caller, the path's parameters and the body."""

    actor: object
    params: dict = field(default_factory=dict)
    body: dict | None = None
    # False where a write is not audited (a person marking their own notifications read).
    audited: bool = True


# --- examples, by operationId ---------------------------------------------------------------

STATE_ORDER = (State.REPORTED, State.REGISTERED, State.FILED, State.DISPATCHED,
               State.IN_PROGRESS, State.COMPLETED, State.SUSPENDED, State.CLOSED, State.HELD)
# Each workflow action: its usual actor (workflow_support.PEOPLE) and a valid body.
TRANSITION_CALLS = {
    "register": ("clerk", {}),
    "file": ("shift", {}),
    "not_file": ("shift", {"reason": "不属于受理范围"}),
    "void": ("shift", {"reason": "测试数据"}),
    "dispatch": ("dispatcher", {}),
    "claim": ("handler", {}),
    "return": ("handler", {"reason": "不属于本部门职责"}),
    "request_extension": ("handler", {"days": 3, "reason": "需要协调"}),
    "decide_extension": ("shift", {"approve": True}),
    "request_suspension": ("handler", {"reason": "暂无法解决"}),
    "decide_suspension": ("shift", {"approve": True}),
    "resume": ("shift", {}),
    "complete": ("handler", {"remark": "已清理"}),
    "verify": ("worker", {"passed": True}),
    "resolve_on_spot": ("worker", {"remark": "当场处理"}),
    "escalate": ("shift", {"reason": "需街道协调"}),
    "supervise": ("leader", {"remark": "请尽快处理"}),
    "evaluate": ("worker", {"score": 4}),
    "release_held": ("clerk", {"approve": True}),
}


def _transition(name):
    def make(p):
        # The first state (in the loop's order) the action may start from.
        state = next(s for s in STATE_ORDER if s in TRANSITIONS[name].sources)
        event = flow.prepare(name, flow.event_in(state, p), p)
        if name in flow.PHOTO_STEPS:
            # A JSON body carries no photo: this class's evidence rule asks none here (the
            # photo rule itself is gridgov/events/tests/test_evidence.py's).
            from gridgov.events import actions

            actions.save_evidence_rule(actor=None, category=event.category,
                                       complete_photo=False, verify_photo=False)
        who, body = TRANSITION_CALLS[name]
        return Example(p[who], {"id": event.pk}, body)
    return make


def _person(p):
    from gridgov.areas.models import Area
    from gridgov.basedata import actions

    return actions.create_person(actor=None, grid=Area.objects.get(code=GULOU_GRID),
                                 name="重试甲", id_number=make_id_number(
                                     dt.date(1984, 5, 6), 7101, False),
                                 phone="13912340000", address="重试路1号")


def _house(p):
    from gridgov.areas.models import Area
    from gridgov.basedata import actions

    return actions.create_house(actor=None, grid=Area.objects.get(code=GULOU_GRID),
                                address="重试路5号", room="501")


def _organisation(p):
    from gridgov.areas.models import Area
    from gridgov.basedata import actions

    return actions.create_organisation(actor=None, grid=Area.objects.get(code=GULOU_GRID),
                                       name="重试修改有限公司", uscc=make_uscc(7302))


def _point():
    lng, lat = flow.point_in(GULOU_GRID)
    return {"lng": lng, "lat": lat}


def _api_key(p):
    from gridgov.accounts import actions

    key, _raw = actions.issue_api_key(p["dept_admin"].department, name="待吊销", actor=None)
    return Example(p["dept_admin"], {"id": key.pk})


def _component_state(p):
    from gridgov.basedata import actions

    component = actions.create_component(actor=None, major="01", minor="08", **_point())
    return Example(p["worker"], {"id": component.pk}, {"state": "lost", "remark": "井盖丢失"})


def _notification(p):
    from gridgov.notifications.models import Notification

    note = Notification.objects.create(user=p["worker"], kind=Notification._meta.get_field(
        "kind").choices[0][0], text="测试通知")
    return Example(p["worker"], {"id": note.pk}, audited=False)


def _event_with_phone(p):
    event = flow.event_in(State.REPORTED, p)
    event.reporter_phone = "13812345678"
    event.save(update_fields=["reporter_phone_enc", "reporter_phone_hash",
                              "reporter_phone_masked"])
    return Example(p["clerk"], {"id": event.pk}, {"reason": "回访上报人"})


def _device_token_revoke(p):
    from gridgov.accounts import device_actions

    token, _raw = device_actions.issue_device_token(name="旧手机", actor=p["worker"])
    return Example(p["worker"], {"id": token.pk})


def overdue_case(p):
    """A case of 区综合行政执法局 (the handler's department) dispatched and still being handled
    an hour past its deadline: it counts as 超期待处置 (overdue_pending), which the department
    may appeal."""
    from gridgov.events.models import Event

    event = flow.event_in(State.DISPATCHED, p)
    Event.objects.filter(pk=event.pk).update(
        handle_deadline=timezone.now() - dt.timedelta(hours=1))
    return event


def appeal(p):
    """A pending appeal of the handler's department, through the real action."""
    from gridgov.assess import actions

    return actions.submit_appeal(overdue_case(p), indicator="overdue_pending",
                                 reason="处置时限内遇暴雨停工", actor=p["handler"])


def keyword(p):
    """A word of the keyword dictionary, added by the system administrator."""
    from gridgov.stats import actions

    return actions.create_keyword(term="重试词条", kind="governance", note="重试测试",
                                  actor=p["sys_admin"])


def task_for_worker(p, kind="collect"):
    """An open task (已派发) in 鼓楼's first grid, assigned by the dispatcher to p["worker"],
    through the real action. A collect task: its completion needs no photo."""
    from gridgov.areas.models import Area
    from gridgov.tasks import actions

    return actions.assign_task(kind=kind, title="重试采集任务",
                               grid=Area.objects.get(code=GULOU_GRID), assignee=p["worker"],
                               actor=p["dispatcher"])


def _no_active_patrol(worker):
    """End the worker's active patrol if the demo data left one (a worker may have one)."""
    from gridgov.patrols import actions
    from gridgov.patrols.choices import PatrolState
    from gridgov.patrols.models import Patrol

    for patrol in Patrol.objects.filter(worker=worker, state=PatrolState.ACTIVE):
        actions.stop_patrol(patrol, actor=worker)


def _active_patrol(p):
    """A patrol of the worker started ten minutes ago where they stand, through the action."""
    import uuid

    from gridgov.patrols import actions

    _no_active_patrol(p["worker"])
    lng, lat = flow.point_in(GULOU_GRID)
    return actions.start_patrol(
        client_id=uuid.uuid4(), started_at=timezone.now() - dt.timedelta(minutes=10),
        lng=lng, lat=lat, accuracy_m=5, actor=p["worker"])


def _patrol_start(p):
    _no_active_patrol(p["worker"])
    return Example(p["worker"], body={
        "client_id": "7c0e1f2a-3b4c-4d5e-8f60-718293a4b5c6",
        "started_at": timezone.now().isoformat(), "accuracy_m": 6, **_point()})


def _patrol_points(p):
    # Track points are not audited one by one (gridgov.patrols.actions.add_points).
    patrol = _active_patrol(p)
    lng, lat = patrol.start_lng, patrol.start_lat
    now = timezone.now()
    points = [[lng, lat + n * 0.0003, 8,
               int((now - dt.timedelta(minutes=5) + dt.timedelta(seconds=30 * n)).timestamp()
                   * 1000)] for n in range(1, 6)]
    return Example(p["worker"], {"client_id": patrol.client_id}, {"points": points},
                   audited=False)


def _patrol_stop(p):
    patrol = _active_patrol(p)
    return Example(p["worker"], {"client_id": patrol.client_id}, {
        "ended_at": timezone.now().isoformat(), **_point()})


def _care_tag(name):
    from gridgov.basedata.choices import TagKind
    from gridgov.basedata.models import Tag

    return Tag.objects.get(name=name, kind=TagKind.CARE)


def _care_person(p):
    """A person of the worker's grid (GULOU_GRID) in a care group (独居老人)."""
    person = _person(p)
    person.tags.add(_care_tag("独居老人"))
    return person


def visit_plan(p):
    """A grid-level plan of a care group (空巢老人 in GULOU_GRID), by the system
    administrator (the seeded plans are district-wide, area_code "")."""
    from gridgov.visits import actions

    return actions.save_plan(None, tag=_care_tag("空巢老人"), area_code=GULOU_GRID,
                             interval_days=14, note="重试计划", actor=p["sys_admin"])


def _visit_plan_change(p):
    plan = visit_plan(p)
    return Example(p["sys_admin"], {"id": plan.pk},
                   {"interval_days": 21, "expected_version": plan.version})


def _visit_plan_retire(p):
    plan = visit_plan(p)
    return Example(p["sys_admin"], {"id": plan.pk}, {"expected_version": plan.version})


EXAMPLES = {
    "tasks_create": lambda p: Example(p["dispatcher"], body={
        "kind": "collect", "title": "采集新住户信息", "grid": GULOU_GRID,
        "assignee": p["worker"].pk}),
    "tasks_accept_create": lambda p: Example(p["worker"], {"id": task_for_worker(p).pk},
                                             {"expected_version": 1}),
    "tasks_complete_create": lambda p: Example(p["worker"], {"id": task_for_worker(p).pk}, {
        "note": "已采集", "expected_version": 1, **_point()}),
    "tasks_cancel_create": lambda p: Example(p["dispatcher"], {"id": task_for_worker(p).pk},
                                             {"reason": "重复派发", "expected_version": 1}),
    "tasks_reassign_create": lambda p: Example(p["dispatcher"], {"id": task_for_worker(p).pk}, {
        "assignee": p["worker2"].pk, "note": "就近改派", "expected_version": 1}),
    "patrols_create": _patrol_start,
    "patrols_points_create": _patrol_points,
    "patrols_stop_create": _patrol_stop,
    "visits_create": lambda p: Example(p["worker"], body={
        "person": _care_person(p).pk, "kind": "home", "notes": "身体良好",
        "needs": ["medical"],
        "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat()}),
    "visit_plans_create": lambda p: Example(p["sys_admin"], body={
        "tag": _care_tag("独居老人").pk, "area_code": GULOU_GRID, "interval_days": 5,
        "note": "鼓楼网格加密走访"}),
    "visit_plans_partial_update": _visit_plan_change,
    "visit_plans_retire_create": _visit_plan_retire,
    "basedata_houses_partial_update": lambda p: Example(p["worker"], {"id": _house(p).pk},
                                                        {"use": "commercial",
                                                         "rental_status": "rented"}),
    "basedata_organisations_partial_update": lambda p: Example(
        p["worker"], {"id": _organisation(p).pk}, {"legal_representative": "重试丙"}),
    "basedata_people_death_create": lambda p: Example(p["worker"], {"id": _person(p).pk}, {
        "on": dt.date.today().isoformat(), "note": "病故"}),
    "basedata_people_household_create": lambda p: Example(p["worker"], {"id": _person(p).pk},
                                                          {"household_head": None}),
    "basedata_people_move_in_create": lambda p: Example(p["worker"], {"id": _person(p).pk}, {
        "house": _house(p).pk, "on": dt.date.today().isoformat()}),
    "basedata_people_move_out_create": lambda p: Example(p["worker"], {"id": _person(p).pk}, {
        "on": dt.date.today().isoformat(), "destination": "杭州市西湖区", "reason": "工作调动"}),
    "basedata_people_phone_create": lambda p: Example(p["worker"], {"id": _person(p).pk},
                                                      {"phone": "13700001234"}),
    "assess_appeals_create": lambda p: Example(p["handler"], body={
        "event": overdue_case(p).pk, "indicator": "overdue_pending",
        "reason": "处置时限内遇暴雨停工"}),
    "assess_appeals_decide_create": lambda p: Example(p["shift"], {"id": appeal(p).pk}, {
        "accept": True, "reason": "经核实属恶劣天气"}),
    "stats_keywords_create": lambda p: Example(p["sys_admin"], body={
        "term": "城市管家", "kind": "governance", "note": "新提法"}),
    "stats_keywords_partial_update": lambda p: Example(p["sys_admin"], {"id": keyword(p).pk},
                                                       {"note": "改过的说明",
                                                        "is_active": False}),
    "stats_keywords_rebuild_create": lambda p: Example(p["sys_admin"]),
    "api_keys_create": lambda p: Example(p["dept_admin"], body={"name": "执法系统对接"}),
    "api_keys_revoke_create": _api_key,
    "areas_create": lambda p: Example(p["sys_admin"], body={
        "code": "330299", "name": "重试测试区", "level": "district", "kind": "district",
        "geometry": mapping(box(122.30, 29.60, 122.40, 29.70)), "valid_from": "2026-01-01"}),
    "areas_partial_update": lambda p: Example(p["sys_admin"], {"code": GULOU_GRID},
                                              {"households": 321}),
    "basedata_components_create": lambda p: Example(p["worker"], body={
        "major": "01", "minor": "08", **_point()}),
    "basedata_components_state_create": _component_state,
    "basedata_houses_create": lambda p: Example(p["worker"], body={
        "address": "重试路2号", "unit": "1", "room": "101", "grid": GULOU_GRID}),
    "basedata_organisations_create": lambda p: Example(p["worker"], body={
        "name": "重试测试有限公司", "uscc": make_uscc(7301), "grid": GULOU_GRID}),
    "basedata_people_create": lambda p: Example(p["worker"], body={
        "name": "重试乙", "grid": GULOU_GRID,
        "id_number": make_id_number(dt.date(1986, 1, 2), 7201, True)}),
    "basedata_people_partial_update": lambda p: Example(p["worker"], {"id": _person(p).pk},
                                                        {"address": "重试路3号"}),
    "basedata_people_reveal_create": lambda p: Example(p["worker"], {"id": _person(p).pk},
                                                       {"field": "phone", "reason": "回访核对"}),
    "events_hotline_create": lambda p: Example(p["clerk"], body={"records": [{
        "external_id": "RETRY-0001", "line": "12345", "description": "小区门口垃圾堆积",
        **_point()}]}),
    "events_reveal_contact_create": _event_with_phone,
    "events_report_create": lambda p: Example(p["worker"], body={
        "description": "人行道破损", "category": "0102", **_point()}),
    "notifications_read_create": _notification,
    "notifications_read_all_create": lambda p: Example(p["worker"], audited=False),
    "roles_create": lambda p: Example(p["sec_admin"], body={
        "code": "retry_assessor", "name": "重试考核员", "permissions": ["events.view"]}),
    "roles_partial_update": lambda p: Example(p["sec_admin"], {"code": "leader"},
                                              {"description": "重试:修改说明"}),
    "device_tokens_create": lambda p: Example(p["worker"], body={"name": "新手机"}),
    "device_tokens_revoke_create": _device_token_revoke,
    **{f"events_{name}_create": _transition(name) for name in TRANSITION_CALLS},
}
# The apps that keep their examples beside their own tests (party building, proactive
# services, rules): each module gives {operationId: lambda p: Example(...)} for this test's
# Example.
EXAMPLES.update(PARTY_EXAMPLES)
EXAMPLES.update(partywork_examples(Example))
EXAMPLES.update(party_meeting_examples(Example))
EXAMPLES.update(proactive_examples(Example))
EXAMPLES.update(rule_examples(Example))
EXAMPLES.update(video_examples(Example))


# --- the tests ------------------------------------------------------------------------------


def test_every_write_operation_has_an_example(api_as, grid_worker):
    schema = api_as(grid_worker).get("/api/schema/?format=json").json()
    served = write_operations(schema)
    assert served == OPERATIONS
    missing = sorted(set(served) - set(EXAMPLES))
    assert not missing, f"write operations without a retry example: {missing}"


@pytest.fixture
def p(db):
    return flow.people()


def _url(path, params):
    for name, value in params.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, path
    return path


def _audit_mark():
    return AuditRecord.objects.aggregate(last=Max("id"))["last"] or 0


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_retry_answers_the_same_and_writes_once(operation, p, api_as):
    if operation not in EXAMPLES:
        pytest.fail(f"{operation}: no example in EXAMPLES")
    method, path = OPERATIONS[operation]
    example = EXAMPLES[operation](p)
    api = api_as(example.actor)
    url = _url(path, example.params)
    send = getattr(api, method.lower())
    key = f"retry-{operation}"

    mark = _audit_mark()
    first = send(url, example.body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code < 300, (operation, first.status_code, first.content[:500])
    written = AuditRecord.objects.filter(id__gt=mark).count()
    if example.audited:
        assert written >= 1, f"{operation} wrote no audit record"

    mark = _audit_mark()
    second = send(url, example.body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert AuditRecord.objects.filter(id__gt=mark).count() == 0, f"{operation} wrote twice"
    assert second.json() == first.json()
    if operation in SELF_MANAGED:
        assert second.status_code in (first.status_code, 200)
    else:
        assert second.status_code == first.status_code
        assert second[idempotency.REPLAYED_HEADER] == "true"


def test_a_page_form_posted_twice_writes_once(client_as, p):
    event = flow.event_in(State.REPORTED, p)
    client = client_as(p["clerk"])
    form = {"idempotency_key": "0e3d5c1a-5b7e-4d0c-9f59-1d2b3c4d5e6f", "remark": ""}
    url = f"/events/{event.pk}/act/register/"
    mark = _audit_mark()
    first = client.post(url, form)
    assert first.status_code in (200, 302), first.content[:300]
    assert AuditRecord.objects.filter(id__gt=mark, action__contains="register").count() == 1
    again = client.post(url, form)
    assert again.status_code == first.status_code
    assert again.get("Location") == first.get("Location")
    assert again[idempotency.REPLAYED_HEADER] == "true"
    assert AuditRecord.objects.filter(id__gt=mark, action__contains="register").count() == 1
    event.refresh_from_db()
    assert event.state == State.REGISTERED
