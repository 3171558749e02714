"""The indicator catalog (REFERENCE §7) and what each case counts for.

A case belongs to a subject's period when it was **reported** in the period (local days,
``Period.bounds``); it is judged as it stands at the computation time ``as_of`` (a snapshot
keeps that moment and the per-case result). Each counted indicator is a condition on one case
(``case_conditions``), evaluated in the database over ``Event`` (live) or read from the stored
columns of ``SnapshotCase`` (frozen); the figures of a subject are sums of those conditions
grouped by the subject (``compute``), rates are a count over another.

An accepted appeal (申诉) waives one *negative* mark of a case (``WAIVABLE``): the mark no
longer counts, and where the mark has an on-time opposite the case counts as on time.
See docs/assessment.md for every definition in words.
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from gridgov.events.choices import RequestKind, RequestStatus, State
from gridgov.events.models import EventRequest, EventStep
from gridgov.stats.aggregates import HoursSince

from .choices import AppealStatus

NOT_DUE = (State.NOT_FILED, State.VOID, State.MERGED)
HANDLING = (State.DISPATCHED, State.IN_PROGRESS)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    kind: str  # count, time, rate
    description: str = ""
    numerator: str = ""  # rates: the counts
    denominator: str = ""
    waivable: bool = False  # a negative mark a department may appeal


COUNTS = [
    Indicator("reported", _("上报数"), "count", _("本期上报的案件(网格员:本人巡查上报)")),
    Indicator("accepted", _("受理数"), "count", _("经受理员受理的案件")),
    Indicator("filed", _("立案数"), "count", _("经值班长立案的案件")),
    Indicator("filed_on_time", _("按时立案数"), "count", _("立案未超过受理派遣时限")),
    Indicator("dispatched", _("派遣数"), "count", _("已派遣的案件,即应处置数")),
    Indicator("dispatched_accurate", _("准确派遣数"), "count", _("派遣后未被回退")),
    Indicator("handled", _("处置数"), "count", _("派遣后已处置完毕")),
    Indicator("handled_on_time", _("按期处置数"), "count", _("处置完毕未超过处置时限")),
    Indicator("handled_late", _("超期处置数"), "count", _("处置完毕晚于处置时限"), waivable=True),
    Indicator("due", _("应结案数"), "count", _("除不予立案、作废、已合并外的案件")),
    Indicator("closed", _("结案数"), "count", _("已结案")),
    Indicator("closed_on_time", _("按期结案数"), "count", _("结案时间不晚于处置时限")),
    Indicator("closed_late", _("超期结案数"), "count", _("结案时间晚于处置时限"), waivable=True),
    Indicator("reworked", _("返工数"), "count", _("核查未通过被退回重新处置"), waivable=True),
    Indicator("extended", _("延期数"), "count", _("经批准延期"), waivable=True),
    Indicator("self_resolved", _("自行处置数"), "count", _("网格员现场自行处置")),
    Indicator("overdue_pending", _("超期待处置数"), "count",
              _("计算时仍在处置中且已超过处置时限"), waivable=True),
]
TIMES = [
    Indicator("accept_hours", _("平均受理时长"), "time", _("上报至受理的小时数的平均值"),
              denominator="accepted"),
    Indicator("handle_hours", _("平均处置时长"), "time", _("派遣至处置完毕的小时数的平均值"),
              denominator="handled"),
]
RATES = [
    Indicator("closed_rate", _("结案率"), "rate", "", "closed", "due"),
    Indicator("closed_on_time_rate", _("按期结案率"), "rate", "", "closed_on_time", "due"),
    Indicator("filed_on_time_rate", _("按时立案率"), "rate", "", "filed_on_time", "filed"),
    Indicator("dispatch_accuracy", _("准确派遣率"), "rate", "", "dispatched_accurate",
              "dispatched"),
    Indicator("handled_rate", _("处置率"), "rate", "", "handled", "dispatched"),
    Indicator("handled_on_time_rate", _("按期处置率"), "rate", "", "handled_on_time",
              "dispatched"),
    Indicator("rework_rate", _("返工率"), "rate", "", "reworked", "due"),
    Indicator("extension_rate", _("延期率"), "rate", "", "extended", "dispatched"),
    Indicator("overdue_pending_rate", _("超期待处置率"), "rate", "", "overdue_pending",
              "dispatched"),
]
WORKLOAD = [
    Indicator("verifications", _("核查数"), "count", _("本期完成的现场核查")),
    Indicator("collected", _("基础数据采集数"), "count", _("本期采集的人、房、单位、部件记录")),
]
# Grid workers' patrols (巡查, gridgov.patrols): totals over their ended patrols started in the
# period. Figures, not case conditions: kept apart from the catalog of case indicators.
PATROL = [
    Indicator("patrol_hours", _("巡查时长"), "patrol",
              _("本期开始并已结束的巡查时长合计(小时)")),
    Indicator("patrol_km", _("巡查里程"), "patrol",
              _("本期开始并已结束的巡查里程合计(公里,按抽稀后的轨迹点计算)")),
]
PATROL_CODES = tuple(i.code for i in PATROL)
# Party building and proactive services (issue 14): figures of an area subject (street,
# community, grid) in the period, read from the owning apps' ``figures`` functions
# (``party_figures``), not case conditions: kept apart like PATROL. Their rates may be weighed
# in a scheme; they are computed live (a snapshot's stored cases do not hold them).
PARTY = [
    Indicator("meetings_required", _("应召开会议数"), "party",
              _("按规定本期应召开的三会一课次数")),
    Indicator("meetings_on_time", _("按时召开会议数"), "party",
              _("本期按规定按时召开的三会一课次数")),
    Indicator("households", _("户数"), "party", _("区域内的户数(当前)")),
    Indicator("households_linked", _("党员联系户数"), "party", _("有党员联系的户数(当前)")),
    Indicator("service_tasks_opened", _("新开服务任务数"), "party", _("本期新开的主动服务任务")),
    Indicator("service_tasks_closed_on_time", _("按时办结服务任务数"), "party",
              _("本期新开且按时办结的主动服务任务")),
]
PARTY_RATES = [
    Indicator("meetings_on_time_rate", _("三会一课按时率"), "rate", "", "meetings_on_time",
              "meetings_required"),
    Indicator("contact_coverage", _("联系户覆盖率"), "rate", "", "households_linked",
              "households"),
    Indicator("service_on_time_rate", _("服务任务按时办结率"), "rate", "",
              "service_tasks_closed_on_time", "service_tasks_opened"),
]
PARTY_CODES = tuple(i.code for i in PARTY)
PARTY_RATE_CODES = tuple(i.code for i in PARTY_RATES)
CATALOG = {i.code: i for i in COUNTS + TIMES + RATES + WORKLOAD + PARTY + PARTY_RATES}
COUNT_CODES = tuple(i.code for i in COUNTS)
CASE_RATE_CODES = tuple(i.code for i in RATES)
RATE_CODES = CASE_RATE_CODES + PARTY_RATE_CODES  # what a scheme may weigh
WAIVABLE = tuple(i.code for i in COUNTS if i.waivable)
# A waived late mark turns into its on-time opposite.
ON_TIME_OF = {"handled_late": "handled_on_time", "closed_late": "closed_on_time"}


def label(code: str) -> str:
    return str(CATALOG[code].label)


def _steps(*args, **filters):
    return EventStep.objects.filter(*args, event=OuterRef("pk"), **filters)


def _step_at(action: str, *, last=False):
    return Subquery(_steps(action=action).order_by("-seq" if last else "seq").values("at")[:1])


def waived_q(code: str) -> Q:
    """The case's appeal against ``code`` was accepted."""
    from .models import Appeal

    return Q(Exists(Appeal.objects.filter(event=OuterRef("pk"), indicator=code,
                                          status=AppealStatus.ACCEPTED)))


def raw_conditions(as_of) -> dict[str, Q]:
    """Each counted indicator as a condition on one ``Event`` row, before appeals."""
    on_time_step = Q(deadline_met=True) | Q(deadline_met__isnull=True)
    dispatched = Q(Exists(_steps(action="dispatch")))
    handled = dispatched & Q(Exists(_steps(action="complete")))
    closed = Q(state=State.CLOSED)
    closed_on_time = closed & Q(closed_at__lte=F("handle_deadline"))
    return {
        "reported": Q(pk__isnull=False),
        "accepted": Q(Exists(_steps(action="register"))),
        "filed": Q(Exists(_steps(action="file"))),
        "filed_on_time": Q(Exists(_steps(Q(action="file") & on_time_step))),
        "dispatched": dispatched,
        "dispatched_accurate": dispatched & ~Q(Exists(_steps(action="return"))),
        "handled": handled,
        "handled_late": handled & Q(Exists(_steps(action="complete", deadline_met=False))),
        "handled_on_time": handled & ~Q(Exists(_steps(action="complete", deadline_met=False))),
        "due": ~Q(state__in=NOT_DUE),
        "closed": closed,
        "closed_on_time": closed_on_time,
        "closed_late": closed & ~Q(closed_at__lte=F("handle_deadline")),
        "reworked": Q(Exists(_steps(action="verify", to_state=State.IN_PROGRESS))),
        "extended": Q(Exists(EventRequest.objects.filter(
            event=OuterRef("pk"), kind=RequestKind.EXTENSION, status=RequestStatus.APPROVED))),
        "self_resolved": Q(resolved_on_spot=True),
        "overdue_pending": Q(state__in=HANDLING, handle_deadline__lt=as_of),
    }


def case_conditions(as_of, *, appeals: bool = True) -> dict[str, Q]:
    """Each counted indicator as a condition on one ``Event`` row, accepted appeals applied
    (a waived negative mark is dropped; a waived late mark counts as on time)."""
    raw = raw_conditions(as_of)
    if not appeals:
        return raw
    out = dict(raw)
    for code in WAIVABLE:
        out[code] = raw[code] & ~waived_q(code)
    for late, on_time in ON_TIME_OF.items():
        out[on_time] = raw[on_time] | (raw[late] & waived_q(late))
    return out


def hours_expressions() -> dict:
    """The hours of a case: report → first registration; first dispatch → last completion
    (rework included)."""
    return {
        "accept_hours": HoursSince(_step_at("register"), F("created_at")),
        "handle_hours": HoursSince(_step_at("complete", last=True), _step_at("dispatch")),
    }


def rate(counts: dict, code: str) -> float | None:
    """A rate as a fraction (None when its denominator is zero)."""
    ind = CATALOG[code]
    whole = counts.get(ind.denominator) or 0
    return (counts.get(ind.numerator) or 0) / whole if whole else None


def percent(value) -> float | None:
    return None if value is None else round(value * 100, 2)


def patrol_workload(keys, period) -> dict[str, dict]:
    """巡查时长 (hours) and 巡查里程 (km) of each grid worker ``keys`` (user ids as strings) in
    ``period``: ended patrols started in its local days (one grouped query)."""
    from gridgov.patrols.queries import worker_totals

    out = {str(k): {"patrol_hours": 0.0, "patrol_km": 0.0} for k in keys}
    if not out:
        return out
    start, end = period.bounds()
    for worker_id, figures in worker_totals([int(k) for k in out], start, end).items():
        out[str(worker_id)] = figures
    return out


# Where each party figure comes from: (figures module, function, its key).
PARTY_SOURCES = {
    "meetings_required": ("gridgov.party_meetings.figures", "meetings_by_area", "required"),
    "meetings_on_time": ("gridgov.party_meetings.figures", "meetings_by_area", "held_on_time"),
    "households": ("gridgov.partywork.figures", "contacts_by_area", "households"),
    "households_linked": ("gridgov.partywork.figures", "contacts_by_area", "linked"),
    "service_tasks_opened": ("gridgov.proactive.figures", "services_by_area", "tasks_opened"),
    "service_tasks_closed_on_time": ("gridgov.proactive.figures", "services_by_area",
                                     "tasks_closed_on_time"),
}


def party_workload(user, keys, period) -> dict[str, dict]:
    """The party figures (``PARTY``) of the area subjects ``keys`` (codes of one level) in
    ``period``, as ``user`` may see them: each figures function once per parent area (the
    districts of streets, the streets of communities, the communities of grids). A function
    whose app is not installed leaves its figures out (their rates are then not scored)."""
    from importlib import import_module

    out = {str(k): {} for k in keys}
    if not out or user is None:
        return out
    parents = sorted({k[:len(k) - 3] for k in out if len(k) in (9, 12, 15)})
    answers = {}
    for module, name, _key in PARTY_SOURCES.values():
        if (module, name) in answers:
            continue
        try:
            fn = getattr(import_module(module), name)
        except (ImportError, AttributeError):
            answers[(module, name)] = {}
            continue
        merged = {}
        for parent in parents:
            merged.update(fn(user, parent, period.start, period.end) or {})
        answers[(module, name)] = merged
    for code, (module, name, key) in PARTY_SOURCES.items():
        for subject, figures in answers[(module, name)].items():
            if subject in out and key in (figures or {}):
                out[subject][code] = figures[key]
    return out
