"""The subjects and facts the rule engine itself offers (basic data, visits, events).

Subjects
- ``person``: the current people living in the district (``Person.objects.residing()``: not
  merged, status 在住), by their grid code ``area_code``; subject id = the person's id.
- ``hotspot``: the reports (``events.Event``, not void, with a category) of the last 30 days
  (the evaluation day and the 29 before it) grouped by minor category, grid and a cell of
  0.0005° × 0.0005° (about 55 m north–south, 48 m east–west at Ningbo's latitude): one
  hotspot per (category, grid, cell) with at least one report. Its stable subject id is
  ``"<category code>:<grid code>:<cell x>:<cell y>"`` (cell x/y = floor(lng or lat / 0.0005)),
  so the same place and problem is the same subject in every run. Each row is a dict with
  ``area_code`` (grid), ``cell_x``, ``cell_y``, ``category_code``, ``category_name``,
  ``grid_name``, ``reports``, ``center_lng``, ``center_lat``, ``latest_event`` (the newest
  event's id), ``first_reported_at``, ``last_reported_at`` — what an outcome handler gets.

Facts (all SQL annotations, no Python per row)
- person: ``age`` (full years on the evaluation date), ``reaches_age_this_month`` (the age
  reached in the evaluation month, else empty), ``birth_date``, ``sex``, ``status``,
  ``registration_type``, ``tag`` (has a care-group tag by name: only 关爱人群 tags that are not
  restricted are offered, so a rule never reveals a special group to whoever reads its
  firings), ``living_alone`` (carries the care tag 独居老人), ``days_since_contact`` (days
  since the last visit of any kind (``visits.Visit.visited_at``, local date); never contacted:
  days since the person's record was created or the person moved in, whichever is later).
- hotspot: ``reports`` (reports in the 30 days), ``category`` (minor category code),
  ``grid`` (grid code).
"""

import datetime as dt

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, ExtractYear, Floor, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .registry import FactSpec, SubjectSpec

LIVING_ALONE_TAG = "独居老人"
HOTSPOT_DAYS = 30
CELL_DEGREES = 0.0005


class DaysBetween(Func):
    """Whole days from the date expression ``earlier`` to the date ``later`` (SQL)."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: date - date = integer
        return super().as_sql(compiler, connection,
                              template="(%(expressions)s::date)", arg_joiner="::date - ", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(", **extra)


def _date_value(day: dt.date):
    return Value(day, output_field=DateField())


# --- person -----------------------------------------------------------------------------------


def people(today):
    from gridgov.basedata.models import Person

    return Person.objects.residing()


def _person_name(person) -> str:
    return person.name


def _age(qs, today):
    later_this_year = (Q(birth_date__month__gt=today.month)
                       | Q(birth_date__month=today.month, birth_date__day__gt=today.day))
    return qs.annotate(rule_age=Value(today.year) - ExtractYear("birth_date") - Case(
        When(later_this_year, then=Value(1)), default=Value(0), output_field=IntegerField()))


def _reaches_age(qs, today):
    return qs.annotate(reaches_age_this_month=Case(
        When(birth_date__month=today.month, then=Value(today.year) - ExtractYear("birth_date")),
        default=None, output_field=IntegerField()))


def _same(qs, today):
    """A fact that is a field of the subject: nothing to add."""
    return qs


def _tags_through():
    from gridgov.basedata.models import Person

    return Person.tags.through.objects


def _tag_q(value, today):
    names = value if isinstance(value, list) else [value]
    return Q(Exists(_tags_through().filter(person_id=OuterRef("pk"), tag__name__in=names)))


def _care_tags():
    from gridgov.basedata.choices import Sensitivity, TagKind
    from gridgov.basedata.models import Tag

    return [(name, name) for name in Tag.objects.filter(
        kind=TagKind.CARE, sensitivity__lt=Sensitivity.SECRET).values_list("name", flat=True)]


def _living_alone(qs, today):
    return qs.annotate(living_alone=Exists(_tags_through().filter(
        person_id=OuterRef("pk"), tag__name=LIVING_ALONE_TAG)))


def _days_since_contact(qs, today):
    from gridgov.visits.models import Visit

    last_visit = Subquery(Visit.objects.filter(person_id=OuterRef("pk"))
                          .order_by("-visited_at").values("visited_at")[:1])
    created = TruncDate("created_at")
    known_since = Case(When(moved_in_on__gt=created, then=F("moved_in_on")), default=created)
    return qs.annotate(days_since_contact=DaysBetween(
        _date_value(today), Coalesce(TruncDate(last_visit), known_since)))


def _choices(enum_path):
    def load():
        from importlib import import_module

        module, name = enum_path.rsplit(".", 1)
        return list(getattr(import_module(module), name).choices)
    return load


def _explain_reaches(value, facts):
    born = facts.get("birth_date") or ""
    return _("本月年满 %(n)s 周岁 (出生 %(b)s)") % {"n": value, "b": born}


def _explain_age(value, facts):
    born = facts.get("birth_date") or ""
    return _("年龄 %(n)s 周岁 (出生 %(b)s)") % {"n": value, "b": born}


def _explain_days(value, facts):
    return _("已 %(n)s 天未联系") % {"n": value}


def _explain_alone(value, facts):
    return _("独居老人") if value else _("非独居")


# --- hotspot ----------------------------------------------------------------------------------


def hotspots(today):
    """The report groups of the 30 days up to ``today`` (one row per category, grid, cell)."""
    from gridgov.events.choices import State
    from gridgov.events.models import Event

    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(today - dt.timedelta(days=HOTSPOT_DAYS - 1), dt.time(),
                                tzinfo=zone)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return (Event.objects.filter(created_at__gte=start, created_at__lt=end,
                                 category__isnull=False)
            .exclude(state=State.VOID)
            .annotate(cell_x=Cast(Floor(F("lng") / CELL_DEGREES), IntegerField()),
                      cell_y=Cast(Floor(F("lat") / CELL_DEGREES), IntegerField()))
            .values("area_code", "cell_x", "cell_y", category_code=F("category__code"),
                    category_name=F("category__name"))
            .annotate(reports=Count("pk"), grid_name=Max("grid__name"),
                      center_lng=Avg("lng"), center_lat=Avg("lat"), latest_event=Max("pk"),
                      first_reported_at=Min("created_at"), last_reported_at=Max("created_at"))
            .order_by())


def hotspot_key():
    return Concat(F("category_code"), Value(":"), F("area_code"), Value(":"),
                  Cast("cell_x", CharField()), Value(":"), Cast("cell_y", CharField()),
                  output_field=CharField())


def _hotspot_name(row) -> str:
    return _("%(c)s · %(g)s (%(n)s 次)") % {"c": row.get("category_name") or "",
                                           "g": row.get("grid_name") or row["area_code"],
                                           "n": row.get("reports")}


def _categories():
    from gridgov.events.models import MinorCategory

    return list(MinorCategory.objects.filter(is_active=True).order_by("code")
                .values_list("code", "name"))


def _grids():
    from gridgov.areas.models import Area

    return list(Area.objects.filter(level="grid").order_by("code").values_list("code", "name"))


SUBJECTS = [
    SubjectSpec("person", _("人员"), queryset=people, area_field="area_code",
                describe=_person_name, privacy_permission="basedata.view_people",
                description=_("在住的实有人口")),
    SubjectSpec("hotspot", _("问题热点"), queryset=hotspots, area_field="area_code",
                describe=_hotspot_name, subject_key=hotspot_key, batch_field="",
                description=_("近 30 天同一网格、同一位置(约 50 米)同类问题的上报")),
]

FACTS = [
    # Annotated as ``rule_age``: ``Person.age`` is a property.
    FactSpec("age", _("年龄"), "person", "int", _age, unit=_("周岁"), explain=_explain_age,
             explain_with=("birth_date",), field="rule_age"),
    FactSpec("reaches_age_this_month", _("本月年满周岁"), "person", "int", _reaches_age,
             unit=_("周岁"), explain=_explain_reaches, explain_with=("birth_date",),
             description=_("评估当月的生日所满的周岁;不在当月过生日为空")),
    FactSpec("birth_date", _("出生日期"), "person", "date", _same),
    FactSpec("sex", _("性别"), "person", "choice", _same,
             choices=_choices("gridgov.basedata.choices.Sex")),
    FactSpec("status", _("人员状态"), "person", "choice", _same,
             choices=_choices("gridgov.basedata.choices.PersonStatus")),
    FactSpec("registration_type", _("户籍类型"), "person", "choice", _same,
             choices=_choices("gridgov.basedata.choices.RegistrationType")),
    FactSpec("tag", _("关爱人群标签"), "person", "tag", None, choices=_care_tags,
             condition=_tag_q, description=_("只提供非涉密的关爱人群标签")),
    FactSpec("living_alone", _("独居老人"), "person", "bool", _living_alone,
             explain=_explain_alone),
    FactSpec("days_since_contact", _("距上次联系天数"), "person", "int", _days_since_contact,
             unit=_("天"), explain=_explain_days,
             description=_("距最近一次走访(任何方式)的天数;从未走访则自登记或迁入起算")),
    FactSpec("reports", _("上报次数"), "hotspot", "int", _same, unit=_("次")),
    FactSpec("category", _("问题类别"), "hotspot", "choice", _same, choices=_categories,
             field="category_code"),
    FactSpec("grid", _("网格"), "hotspot", "choice", _same, choices=_grids, field="area_code"),
]
