"""The timeline of an event, read from the event's own audit chain.

Why from the audit chain: every action writes its step as an audit record on the chain
``events.event:<pk>`` (actor, role, time, remark, the before/after difference and the SHA-256
of attached files). Those records are HMAC-chained, so ``gridgov audit verify`` reports any
edited, inserted or removed step; rendering the timeline from them means what people read is
exactly what is sealed. ``EventStep`` rows only index the steps for queries; a step row that
disagrees with its record is flagged here (``consistent=False``).

Whoever may see the event may see its timeline (the audit log as a whole stays the audit
administrator's).

Names: a record seals the actor's username (``actor_name``) and id at the time of the step.
The timeline adds the person's real name (``User.real_name``), looked up for all the steps in
one query and shown next to the sealed name; the record itself is never changed. Steps by API
clients and the system keep their sealed label (they have no user row).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import User
from gridgov.audit.models import AuditRecord
from gridgov.core.access import grants

from .choices import State
from .workflow import TRANSITIONS

EXTRA_LABELS = {
    "report": _("上报"),
    "due_soon": _("即将到期提醒"),
    "overdue": _("超期提醒"),
    "merge_into": _("合并重复事件"),
}


def action_label(action: str) -> str:
    if action in TRANSITIONS:
        return TRANSITIONS[action].label
    return EXTRA_LABELS.get(action, action)


def role_label(roles: str) -> str:
    """The names of the sealed role codes of a record (roles are data: a role renamed since
    shows its name now, a removed one its code)."""
    labels = []
    for value in filter(None, (roles or "").split(",")):
        other = OTHER_ROLES.get(value)
        labels.append(str(other) if other is not None else grants.role_label(value))
    return "、".join(labels)


# Audit roles that are not staff roles: the job scheduler, and a reporter acting through
# their private tracking link.
OTHER_ROLES = {"system": _("系统"), "reporter": _("上报人")}


def _anonymous(rec) -> bool:
    # The recorder seals "system" for a step without a person (recorder._actor_fields).
    return rec.actor_id is None and rec.actor_name in ("", "system")


def _actor_name(rec, action) -> str:
    return anonymous_actor(action, rec.role) if _anonymous(rec) else rec.actor_name


def _role(rec, action) -> str:
    # A report without a person came from outside (the public page, a resident's channel):
    # no staff role to show.
    if _anonymous(rec) and action == "report":
        return ""
    return role_label(rec.role)


def anonymous_actor(action: str, role: str) -> str:
    """Who acted when the record has no actor: the reporter (a public report, or a rating
    through the tracking link), otherwise the system (deadline alerts, jobs)."""
    if role == "reporter" or action == "report":
        return str(_("上报人"))
    return str(_("系统"))


# What the position line calls the place of each kind of step.
POSITION_LABELS = {"verify": _("核查位置"), "complete": _("处置位置"),
                   "resolve_on_spot": _("处置位置")}


@dataclass
class StepPosition:
    """The device's fix stamped on a step, as its audit record keeps it (``evidence.check``):
    the point, its distance to the event, the rule's radius then, accuracy and time."""

    lng: float
    lat: float
    distance_m: int
    accuracy_m: int | None = None
    at: datetime | None = None
    radius_m: int | None = None
    label: str = ""

    @property
    def beyond(self) -> bool:
        """Farther from the event than the evidence rule's radius (flagged for review)."""
        return self.radius_m is not None and self.distance_m > self.radius_m

    @property
    def text(self) -> str:
        """"核查位置距事件 38 米(精度 ±12 米)"."""
        line = gettext("%(label)s距事件 %(d)s 米") % {"label": self.label, "d": self.distance_m}
        if self.accuracy_m is not None:
            line += gettext("(精度 ±%(a)s 米)") % {"a": self.accuracy_m}
        if self.beyond:
            line += gettext(",超出 %(m)s 米范围") % {"m": self.radius_m}
        return line


def _position(changes, action) -> StepPosition | None:
    """The step's position from its audit record's ``place*`` entries (None without)."""
    def value(key):
        entry = changes.get(key)
        return entry[1] if isinstance(entry, list) and len(entry) == 2 else None

    point, distance = value("place"), value("place_distance_m")
    if not (isinstance(point, list) and len(point) == 2 and distance is not None):
        return None
    at = value("place_at")
    try:
        at = datetime.fromisoformat(at) if at else None
    except (TypeError, ValueError):
        at = None
    return StepPosition(lng=point[0], lat=point[1], distance_m=int(distance),
                        accuracy_m=value("place_accuracy_m"), at=at,
                        radius_m=value("place_radius_m"),
                        label=str(POSITION_LABELS.get(action, _("定位位置"))))


@dataclass
class TimelineEntry:
    """One step as the timeline shows it."""

    seq: int
    at: object
    action: str
    label: str
    actor_name: str
    role: str
    remark: str
    from_state: str = ""
    to_state: str = ""
    details: dict = field(default_factory=dict)
    attachments: list = field(default_factory=list)
    consistent: bool = True
    actor_id: int | None = None
    # The person's real name now (not sealed; "" for API clients, the system, removed users).
    actor_real_name: str = ""
    # When the record was written, if it differs from ``at``: an imported step (the demo
    # history) is sealed at the time of the import and says in its ``history`` entry when the
    # step happened; ``at`` shows that moment, this the import.
    recorded_at: object = None
    # Where the device was (``StepPosition``), for steps taken with a position fix.
    position: "StepPosition | None" = None

    @property
    def actor_display(self) -> str:
        """"real name (username)", or the sealed name alone when there is no real name."""
        if not self.actor_real_name:
            return self.actor_name
        if self.actor_real_name == self.actor_name:
            return self.actor_real_name
        return f"{self.actor_real_name} ({self.actor_name})"

    @property
    def to_state_label(self) -> str:
        return State(self.to_state).label if self.to_state in State.values else ""


def chain_key(event) -> str:
    return f"events.event:{event.pk}"


def real_names(user_ids) -> dict[int, str]:
    """``{user id: real name}`` for the given ids, in one query (none when there are none)."""
    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return {}
    return {pk: name for pk, name in
            User.objects.filter(pk__in=ids).values_list("pk", "real_name") if name}


def _history_at(changes) -> datetime | None:
    """The moment an imported step describes (``changes["history"] = [None, {"at": ISO}]``),
    or ``None`` for a step recorded as it happened."""
    entry = changes.get("history")
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], dict)):
        return None
    try:
        moment = datetime.fromisoformat(str(entry[1].get("at", "")).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def timeline(event) -> list[TimelineEntry]:
    """The event's steps in order, from its audit records.

    Queries: the records, the step rows, the attachments and the actors' real names (4).
    """
    records = list(AuditRecord.objects.filter(chain_key=chain_key(event)).order_by("seq"))
    names = real_names(rec.actor_id for rec in records)
    steps = {s.seq: s for s in event.steps.all()}
    files = {a.sha256: a for a in event.attachments.all()}
    out = []
    for rec in records:
        action = rec.action.split(".", 1)[-1]
        changes = rec.changes or {}
        state = changes.get("state")
        from_state, to_state = (state if isinstance(state, list) and len(state) == 2
                                else [None, None])
        step = steps.get(rec.seq)
        consistent = step is None or (
            step.action == action and step.audit_record_id == rec.pk
            and (to_state is None or step.to_state == to_state))
        attached = []
        summary = changes.get("attachments")
        if isinstance(summary, list) and len(summary) == 2 and isinstance(summary[1], list):
            for item in summary[1]:
                stored = files.get(item.get("sha256"))
                attached.append({**item, "attachment": stored,
                                 "intact": stored is not None and stored.size == item.get(
                                     "size")})
        details = {k: v[1] for k, v in changes.items()
                   if k in ("department", "level", "supervised", "evaluation_score", "passed",
                            "approve", "request", "to_grid", "overdue_reason", "primary",
                            "category", "urgency")
                   and isinstance(v, list) and len(v) == 2}
        happened = _history_at(changes)
        out.append(TimelineEntry(
            seq=rec.seq, at=happened or rec.at,
            recorded_at=rec.at if happened else None, action=action, label=action_label(action),
            actor_name=_actor_name(rec, action), role=_role(rec, action),
            actor_id=rec.actor_id, actor_real_name=names.get(rec.actor_id, ""),
            remark=rec.remark, from_state=from_state or "", to_state=to_state or "",
            details=details, attachments=attached, consistent=consistent,
            position=_position(changes, action),
        ))
    return out
