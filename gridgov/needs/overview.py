"""党建与主动服务统计 (issue 14 item 7): the figures of both functions per child area.

Read from the four ``figures`` modules of the apps that own the data (contracts of issue
14), each imported when the page asks, so the page works with whatever is installed; a
module that is missing (or whose app the person may not read) leaves its columns empty
("—") and is named in ``missing``:

- ``gridgov.party.figures.members_by_area(user, parent)``: members, in-service members
  checked in (双报到);
- ``gridgov.party_meetings.figures.meetings_by_area(user, parent, start, end)``: meetings
  required and held on time (三会一课), organisations overdue;
- ``gridgov.partywork.figures.contacts_by_area(...)``: households, linked households
  (联系户 coverage), contacts, volunteer hours;
- ``gridgov.proactive.figures.services_by_area(...)``: service tasks opened and closed on
  time, benefits started, of them without application (免申即享).

The period is whole months, ``start`` (first day) to the end month's last day, both
included. Every function is scoped by the person; each child area shows what its functions
answered for it.
"""

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module

from django.utils.translation import gettext_lazy as _

from gridgov.areas.models import Area

from .forms import add_months

SOURCES = [
    # key, module, function, takes a period, label
    ("party", "gridgov.party.figures", "members_by_area", False, _("党组织与党员")),
    ("meetings", "gridgov.party_meetings.figures", "meetings_by_area", True, _("三会一课")),
    ("contacts", "gridgov.partywork.figures", "contacts_by_area", True, _("党员联系户与志愿服务")),
    ("services", "gridgov.proactive.figures", "services_by_area", True, _("主动服务")),
]
# The columns: key, source, label, how the value is made (a figure, or a rate of two).
COLUMNS = [
    ("members", "party", _("党员数"), ("members",)),
    ("checked_in", "party", _("在职党员报到数"), ("in_service_checked_in",)),
    ("meetings", "meetings", _("按时召开/应召开会议"), ("held_on_time", "required")),
    ("meetings_rate", "meetings", _("会议按时率"), ("held_on_time", "required", "rate")),
    ("overdue_orgs", "meetings", _("会议逾期组织数"), ("overdue_orgs",)),
    ("coverage", "contacts", _("联系户覆盖率"), ("linked", "households", "rate")),
    ("contacts", "contacts", _("联系次数"), ("contacts",)),
    ("volunteer_hours", "contacts", _("志愿服务时长(小时)"), ("volunteer_hours",)),
    ("tasks", "services", _("按时办结/新开服务任务"), ("tasks_closed_on_time", "tasks_opened")),
    ("tasks_rate", "services", _("服务任务按时办结率"),
     ("tasks_closed_on_time", "tasks_opened", "rate")),
    ("benefits", "services", _("免申即享/启动待遇"),
     ("benefits_without_application", "benefits_started")),
]


def figure_functions() -> dict:
    """The figures functions that exist now, by source key."""
    out = {}
    for key, module, name, _period, _label in SOURCES:
        try:
            out[key] = getattr(import_module(module), name)
        except (ImportError, AttributeError):
            continue
    return out


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """First day of ``start``'s month, last day of ``end``'s month."""
    return start, add_months(end, 1) - dt.timedelta(days=1)


def _value(figures: dict | None, spec):
    if figures is None:
        return None
    if len(spec) == 1:
        return figures.get(spec[0])
    if len(spec) == 3:
        whole = figures.get(spec[1]) or 0
        return round(100 * (figures.get(spec[0]) or 0) / whole, 1) if whole else None
    return (figures.get(spec[0]), figures.get(spec[1]))


@dataclass
class Row:
    code: str
    name: str
    figures: dict = field(default_factory=dict)  # source key → dict
    cells: list = field(default_factory=list)
    pairs: list = field(default_factory=list)  # (column, value) for the template
    url: str = ""


@dataclass
class Table:
    columns: list
    rows: list
    total: Row | None
    missing: list


def build(user, parent: str, start: dt.date, end: dt.date) -> Table:
    """The table of the child areas of ``parent`` over the months ``start`` … ``end``."""
    period_start, period_end = period_bounds(start, end)
    functions = figure_functions()
    answers = {}
    for key, _module, _name, with_period, _label in SOURCES:
        fn = functions.get(key)
        if fn is None or not parent:
            continue
        answers[key] = (fn(user, parent, period_start, period_end) if with_period
                        else fn(user, parent))
    codes = sorted({code for answer in answers.values() for code in answer})
    names = dict(Area.objects.filter(code__in=codes).order_by("code", "-valid_from")
                 .values_list("code", "name"))
    rows = []
    total = Row("", str(_("合计")))
    for code in codes:
        row = Row(code, names.get(code, code))
        for key in answers:
            row.figures[key] = answers[key].get(code)
            if row.figures[key] is not None:
                sums = total.figures.setdefault(key, {})
                for name, value in row.figures[key].items():
                    if isinstance(value, int | float):
                        sums[name] = round(sums.get(name, 0) + value, 2)
        rows.append(row)
    for row in [*rows, total]:
        row.cells = [_value(row.figures.get(source), spec)
                     if source in answers else None
                     for _key, source, _label, spec in COLUMNS]
    columns = [{"key": key, "label": label, "source": source, "pair": len(spec) == 2,
                "rate": len(spec) == 3} for key, source, label, spec in COLUMNS]
    for row in [*rows, total]:
        row.pairs = list(zip(columns, row.cells, strict=True))
    missing = [label for key, _m, _n, _p, label in SOURCES if key not in functions]
    return Table(columns, rows, total if rows else None, missing)
