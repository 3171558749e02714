"""Helpers of the workflow tests: demo people by duty, and events driven to any state."""

import io

import shapely.geometry
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.demo.users import GULOU_GRID
from gridgov.events import actions
from gridgov.events.choices import State

PEOPLE = {
    "worker": "gw_gulou", "worker2": "gw_gulou2", "rural_worker": "gw_gaoqiao",
    "chief": "gc_gulou", "instructor": "gi_gulou", "clerk": "clerk_gulou",
    "shift": "shift_gulou", "dispatcher": "dispatch_gulou", "leader": "leader_gulou",
    "district_leader": "leader_district", "handler": "handler_zhifa",
    "dept_admin": "deptadmin_zhifa", "data_officer": "data_minzheng", "sys_admin": "sysadmin",
    "sec_admin": "secadmin", "audit_admin": "auditadmin",
}


def people() -> dict:
    users = {u.username: u for u in User.objects.filter(username__in=PEOPLE.values())}
    return {key: users[name] for key, name in PEOPLE.items()}


def point_in(code=GULOU_GRID):
    area = Area.objects.get(code=code)
    p = shapely.geometry.shape(area.geometry).representative_point()
    return p.x, p.y


def new_event(p, *, grid=GULOU_GRID, category="0102", hold=False, **kwargs):
    lng, lat = point_in(grid)
    kwargs.setdefault("actor", p["worker"] if grid == GULOU_GRID else None)
    return actions.report_event(source="grid_patrol", description="人行道旁暴露垃圾",
                                lng=lng, lat=lat, category=category,
                                hold_reason="命中敏感词" if hold else "", **kwargs)


# Steps whose default evidence rule (``gridgov.events.evidence``) asks for a photo.
PHOTO_STEPS = ("complete", "verify", "resolve_on_spot")


def photo(name="site.jpg") -> SimpleUploadedFile:
    """A small real JPEG (the evidence check reads the kind from the bytes)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 12), (40, 160, 60)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


# The allowed actor and the keyword arguments of each action on the happy path.
def call(action, event, p, **overrides):
    """Run ``action`` on ``event`` as its usual actor (overridable with ``actor=``)."""
    args = {
        "register": (actions.register_event, "clerk", {}),
        "file": (actions.file_event, "shift", {}),
        "not_file": (actions.not_file_event, "shift", {"reason": "不属于受理范围"}),
        "void": (actions.void_event, "shift", {"reason": "测试数据"}),
        "dispatch": (actions.dispatch_event, "dispatcher", {}),
        "claim": (actions.claim_event, "handler", {}),
        "return": (actions.return_event, "handler", {"reason": "不属于本部门职责"}),
        "request_extension": (actions.request_extension, "handler",
                              {"days": 3, "reason": "需要协调"}),
        "decide_extension": (actions.decide_extension, "shift", {"approve": True}),
        "request_suspension": (actions.request_suspension, "handler", {"reason": "暂无法解决"}),
        "decide_suspension": (actions.decide_suspension, "shift", {"approve": True}),
        "resume": (actions.resume_event, "shift", {}),
        "complete": (actions.complete_event, "handler", {"remark": "已清理"}),
        "verify": (actions.verify_event, "worker", {"passed": True}),
        "resolve_on_spot": (actions.resolve_on_spot, "worker", {"remark": "当场处理"}),
        "escalate": (actions.escalate_event, "shift", {"reason": "需街道协调"}),
        "supervise": (actions.supervise_event, "leader", {"remark": "请尽快处理"}),
        "evaluate": (actions.evaluate_event, "worker", {"score": 4}),
        "release_held": (actions.release_held, "clerk", {"approve": True}),
    }
    func, who, kwargs = args[action]
    if action in PHOTO_STEPS:
        kwargs = {**kwargs, "attachments": [photo()]}
    kwargs = {**kwargs, **overrides}
    actor = kwargs.pop("actor", p[who])
    return func(event, actor=actor, **kwargs)


# How to reach each state from a fresh report.
PATHS = {
    State.REPORTED: [],
    State.REGISTERED: ["register"],
    State.FILED: ["register", "file"],
    State.NOT_FILED: ["register", "not_file"],
    State.VOID: ["void"],
    State.DISPATCHED: ["register", "file", "dispatch"],
    State.IN_PROGRESS: ["register", "file", "dispatch", "claim"],
    State.COMPLETED: ["register", "file", "dispatch", "claim", "complete"],
    State.SUSPENDED: ["register", "file", "dispatch", "claim", "request_suspension",
                      "decide_suspension"],
    State.CLOSED: ["register", "file", "dispatch", "claim", "complete", "verify"],
}


def event_in(state, p):
    """A fresh event (in gw_gulou's grid, class 0102 → 区综合行政执法局) in ``state``."""
    if state == State.HELD:
        return new_event(p, hold=True)
    if state == State.MERGED:
        primary = new_event(p)
        duplicate = new_event(p)
        actions.merge_events(primary, [duplicate], actor=p["clerk"])
        duplicate.refresh_from_db()
        return duplicate
    event = new_event(p)
    for action in PATHS[state]:
        event = call(action, event, p)
    assert event.state == state
    return event


def prepare(action, event, p):
    """Satisfy an action's precondition beyond the state (a pending request to decide)."""
    if action == "decide_extension":
        return call("request_extension", event, p)
    if action == "decide_suspension":
        return call("request_suspension", event, p)
    return event
