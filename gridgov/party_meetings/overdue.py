"""The requirement rule of 三会一课: which organisation is overdue which kind of meeting.

For each active organisation and each kind of meeting required of it (its own
``MeetingRequirement`` for that kind, else the default of its org kind), the meeting is due
N months after the last one held (the local date of ``held_at``); an organisation that never
held one this kind is due N months after 1 January of the current year. Overdue: today is
after the due date (days overdue = today - due).

Three queries whatever the number of organisations: the organisations, the requirements,
and one grouped query for the last held meeting per (organisation, kind).
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from .choices import MeetingKind, MeetingState
from .permissions import VIEW


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` + ``months`` calendar months (31 January + 1 month = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(last_held: dt.date | None, every_months: int, today: dt.date) -> dt.date:
    """The rule: the last held date + N months; never held: 1 January of this year + N."""
    start = last_held if last_held is not None else dt.date(today.year, 1, 1)
    return add_months(start, every_months)


@dataclass
class DueRow:
    """One organisation × one required kind of meeting, with its last held date and due date."""

    organisation: object
    kind: str
    every_months: int
    last_held: dt.date | None
    due: dt.date
    days_overdue: int

    @property
    def kind_label(self) -> str:
        return str(MeetingKind(self.kind).label)

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def requirement_table() -> tuple[dict, dict]:
    """The active requirements: (defaults by org kind → {kind: months}, own by org id → ...)."""
    from .models import MeetingRequirement

    defaults: dict[str, dict[str, int]] = {}
    own: dict[int, dict[str, int | None]] = {}
    for row in MeetingRequirement.objects.all().only(
            "kind", "org_kind", "every_months", "organisation_id", "is_active"):
        if row.organisation_id is None:
            if row.is_active:
                defaults.setdefault(row.org_kind, {})[row.kind] = row.every_months
        else:
            # An inactive own row exempts the organisation from that kind.
            own.setdefault(row.organisation_id, {})[row.kind] = (
                row.every_months if row.is_active else None)
    return defaults, own


def required_kinds(org, defaults, own) -> dict[str, int]:
    """{kind: every N months} required of ``org`` (its own rows win over the defaults)."""
    kinds = dict(defaults.get(org.kind, {}))
    for kind, months in own.get(org.pk, {}).items():
        if months is None:
            kinds.pop(kind, None)
        else:
            kinds[kind] = months
    return kinds


def organisations_for(user, area=""):
    """The active organisations inside the areas where ``user`` holds ``party_meetings.view``
    (``user=None``: every one)."""
    from gridgov.core.access import get_scope
    from gridgov.core.querysets import NOTHING
    from gridgov.party.models import PartyOrganisation

    qs = PartyOrganisation.objects.filter(is_active=True)
    if user is not None:
        scope = get_scope(user)
        qs = qs.filter(scope.area_q("area_code", VIEW) if scope is not None else NOTHING)
    if area:
        qs = qs.filter(area_code__startswith=area)
    return qs


def last_held(org_qs, *, until=None) -> dict[tuple[int, str], dt.datetime]:
    """The last held meeting per (organisation, kind): one grouped query."""
    from .models import Meeting

    qs = Meeting.objects.filter(state=MeetingState.HELD,
                                organisation_id__in=org_qs.values("pk"))
    if until is not None:
        qs = qs.filter(held_at__lt=until)
    return {(r["organisation_id"], r["kind"]): r["last"]
            for r in qs.order_by().values("organisation_id", "kind").annotate(last=Max("held_at"))}


def due_rows(user, *, today=None, area="", kind="", only_overdue=True) -> list[DueRow]:
    """The organisations × required kinds inside the user's areas, most overdue first."""
    today = today or timezone.localdate()
    org_qs = organisations_for(user, area)
    orgs = list(org_qs.order_by("area_code", "name", "pk").only("pk", "name", "kind",
                                                                 "area_code"))
    defaults, own = requirement_table()
    held = last_held(org_qs, until=start_of_day(today + dt.timedelta(days=1)))
    rows = []
    for org in orgs:
        for k, months in required_kinds(org, defaults, own).items():
            if kind and k != kind:
                continue
            last = held.get((org.pk, k))
            last_date = timezone.localdate(last) if last else None
            due = due_date(last_date, months, today)
            days = max((today - due).days, 0)
            if only_overdue and not days:
                continue
            rows.append(DueRow(org, k, months, last_date, due, days))
    rows.sort(key=lambda r: (-r.days_overdue, r.due, r.organisation.area_code, r.kind))
    return rows


def start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
