"""One FilterSet for events, shared by the API, the lists, the search page and its export.

Filters only narrow a queryset that has already been through ``restrict()``. Platform,
category, major class, department and area keep taking codes in the URL; on a page they are
drawn as pickers (``gridgov.web.pickers``) that show names, loaded only when the form is drawn.

``near=lng,lat,radius_m`` keeps the events within ``radius_m`` metres (at most
``NEAR_MAX_M``) of a WGS-84 point; ``near_crs=gcj02`` says the point was picked on a GCJ-02
map, converted here as intake converts its points. In SQL: a bounding box on ``lng``/``lat``,
then the haversine distance itself (same formula and radius as ``duplicates.haversine_m``).
"""

import math
import re
import time

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import ExpressionWrapper, F, FloatField, Q, Value
from django.db.models.functions import Cos, Power, Radians, Sin
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import Department
from gridgov.areas.datum import to_wgs84
from gridgov.areas.views_tree import area_name, area_options
from gridgov.core import personal_data
from gridgov.core.access import get_scope
from gridgov.web.pickers import ALL, PickerSelect, TriStateSelect

from .choices import FINAL_STATES, EventLevel, Nature, Source, State, Urgency
from .duplicates import EARTH_RADIUS_M
from .models import Event, MajorCategory, MinorCategory, Platform

# A mobile number, or a landline with its area code (what intake accepts as a contact).
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{9,11})$")
PHONE_NOISE = re.compile(r"[\s()()-]")
code_prefix = RegexValidator(r"^\d{6,15}$", _("区域编码应为 6–15 位数字。"))
DEADLINE_CHOICES = (("due_soon", _("即将到期")), ("overdue", _("已超期")))
# What a queue page's filter shows at once.
PRIMARY = ("q", "major", "category", "department", "within", "supervised", "deadline")
# A date picker in every browser; the value stays ISO (YYYY-MM-DD) as the API takes it.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Filters a queue page does not draw (the search page has its own control for them).
QUEUE_HIDDEN = ("near", "near_crs")
NEAR_MAX_M = 5000
NEAR_CRS_CHOICES = (("wgs84", "WGS-84"), ("gcj02", "GCJ-02"))
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


class Near(tuple):
    """``(lng, lat, radius_m)`` of the ``near`` filter."""

    @property
    def lng(self):
        return self[0]

    @property
    def lat(self):
        return self[1]

    @property
    def radius(self):
        return self[2]


class NearField(forms.CharField):
    """``lng,lat,radius_m``: a point and a radius in metres (1 to ``NEAR_MAX_M``)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        parts = [p.strip() for p in value.replace("，", ",").split(",")]
        if len(parts) != 3:
            raise ValidationError(_("应为“经度,纬度,半径(米)”三个数,如 121.55,29.87,500。"),
                                  code="format")
        try:
            lng, lat, radius = (float(p) for p in parts)
        except ValueError:
            raise ValidationError(_("经度、纬度和半径须为数字。"), code="number") from None
        if not all(math.isfinite(n) for n in (lng, lat, radius)):
            raise ValidationError(_("经度、纬度和半径须为数字。"), code="number")
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValidationError(_("经度须在 -180 到 180 之间,纬度须在 -90 到 90 之间。"),
                                  code="range")
        if not 0 < radius <= NEAR_MAX_M:
            raise ValidationError(_("半径须大于 0 且不超过 %(n)d 米。") % {"n": NEAR_MAX_M},
                                  code="radius")
        return Near((lng, lat, radius))


class NearFilter(django_filters.CharFilter):
    field_class = NearField


def within_metres(queryset, lng, lat, radius):
    """``queryset`` narrowed to events within ``radius`` metres of the WGS-84 point: a box
    the indexes on ``lng``/``lat`` can use, then the haversine distance (as
    ``sin²(d / 2R) ≥ h``, no square root or arcsine in SQL)."""
    dlat = radius / METRES_PER_DEGREE * 1.001  # a little wider: the circle is the test
    dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
    lat0, lng0 = math.radians(lat), math.radians(lng)
    half_lat = (Radians(F("lat")) - Value(lat0)) / Value(2.0)
    half_lng = (Radians(F("lng")) - Value(lng0)) / Value(2.0)
    h = (Power(Sin(half_lat), 2)
         + Value(math.cos(lat0)) * Cos(Radians(F("lat"))) * Power(Sin(half_lng), 2))
    limit = math.sin(radius / (2 * EARTH_RADIUS_M)) ** 2
    return (queryset.filter(lng__range=(lng - dlng, lng + dlng),
                            lat__range=(lat - dlat, lat + dlat))
            .alias(near_h=ExpressionWrapper(h, output_field=FloatField()))
            .filter(near_h__lte=limit))


# The pickers' options, kept per process for a short while: a queue page that shows the
# filter every 30 seconds should not read the catalogue, the departments and the person's
# areas each time. A class or department added shows within ``OPTIONS_TTL`` seconds; an area
# list a little stale is harmless (the events are still read through ``restrict()``).
OPTIONS_TTL = 60.0
OPTIONS_MAX = 1000
_options: dict = {}


def _cached(key, load):
    now = time.monotonic()
    hit = _options.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    if len(_options) >= OPTIONS_MAX:
        _options.clear()
    value = load()
    _options[key] = (now + OPTIONS_TTL, value)
    return value


def _catalog() -> tuple[list, list]:
    """``(majors, groups)`` of the active minor classes, in one query."""
    groups: dict = {}
    majors: dict = {}
    for code, name, major_code, major in (MinorCategory.objects.filter(is_active=True)
                                          .order_by("major__code", "code")
                                          .values_list("code", "name", "major__code",
                                                       "major__name")):
        majors[major_code] = major
        groups.setdefault(major, []).append((code, name))
    return list(majors.items()), list(groups.items())


def category_groups() -> list:
    """Active minor classes grouped by major class: ``[(major name, [(code, name)])]``."""
    return _cached("catalog", _catalog)[1]


def major_options() -> list:
    """Major classes that have active minor classes: ``[(code, name)]``."""
    return _cached("catalog", _catalog)[0]


def platform_options() -> list:
    return _cached("platforms", lambda: list(
        Platform.objects.filter(is_active=True).order_by("code").values_list("code", "name")))


def department_options() -> list:
    return _cached("departments", lambda: list(
        Department.objects.filter(is_active=True).order_by("code").values_list("code", "name")))


def scoped_area_options(user) -> list:
    return _cached(("areas", user.pk), lambda: area_options(user))


def _name_of(model, field="code"):
    """A resolver for a picker: the name of the row with that code (one query, only for a
    value the options left out)."""
    def resolve(value):
        return model.objects.filter(**{field: value}).values_list("name", flat=True).first()
    return resolve


def clear_options() -> None:
    """Forget the cached picker options (tests, and after a catalogue change)."""
    _options.clear()


class StateFilter(django_filters.MultipleChoiceFilter):
    """One or more states as ``state IN (…)``, without django-filter's ``DISTINCT``.

    ``MultipleChoiceFilter`` adds ``.distinct()`` by default because an OR over a many-valued
    relation can repeat rows; ``state`` is a column of the event itself, so nothing repeats,
    and ``SELECT DISTINCT`` of every column (then ``COUNT(*)`` over it) cost 0.8 s at 500,000
    events. One ``IN`` (``=`` for one state) lets the planner use the state indexes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        """Keep the events in any of the chosen states (all or none chosen: no filter)."""
        if not value or self.is_noop(qs, value):
            return qs
        chosen = sorted(set(value))
        if len(chosen) == 1:
            return qs.filter(**{self.field_name: chosen[0]})
        return qs.filter(**{f"{self.field_name}__in": chosen})


class EventFilterSet(django_filters.FilterSet):
    """Filters of the event lists: state, source, class, department, area, deadlines, text."""

    state = StateFilter(label=_("状态"), choices=State.choices)
    source = django_filters.ChoiceFilter(label=_("来源"), choices=Source.choices,
                                         empty_label=ALL)
    urgency = django_filters.ChoiceFilter(label=_("紧急程度"), choices=Urgency.choices,
                                          empty_label=ALL)
    level = django_filters.ChoiceFilter(label=_("处置层级"), choices=EventLevel.choices,
                                        empty_label=ALL)
    nature = django_filters.ChoiceFilter(label=_("性质"), choices=Nature.choices,
                                         empty_label=ALL)
    platform = django_filters.CharFilter(
        label=_("治理平台"), field_name="category__major__platform__code",
        widget=PickerSelect(platform_options, resolve=_name_of(Platform)))
    major = django_filters.CharFilter(
        label=_("事件大类"), field_name="category__major__code",
        widget=PickerSelect(major_options, resolve=_name_of(MajorCategory),
                            extra={"data-picker-part": "major"}))
    category = django_filters.CharFilter(
        label=_("事件小类"), field_name="category__code",
        widget=PickerSelect(category_groups, resolve=_name_of(MinorCategory), picker="category",
                            extra={"data-major-field": "major"}))
    department = django_filters.CharFilter(label=_("责任部门"), field_name="department__code",
                                           widget=PickerSelect(department_options,
                                                               resolve=_name_of(Department)))
    within = django_filters.CharFilter(label=_("所属区域"), method="filter_within",
                                       validators=[code_prefix])
    supervised = django_filters.BooleanFilter(label=_("督办"), widget=TriStateSelect)
    deadline = django_filters.ChoiceFilter(label=_("时限"), choices=DEADLINE_CHOICES,
                                           method="filter_deadline", empty_label=ALL)
    created_after = django_filters.DateFilter(label=_("上报日期起"), field_name="created_at",
                                              lookup_expr="date__gte", widget=DATE)
    created_before = django_filters.DateFilter(label=_("上报日期止"), field_name="created_at",
                                               lookup_expr="date__lte", widget=DATE)
    closed_after = django_filters.DateFilter(label=_("结案日期起"), field_name="closed_at",
                                             lookup_expr="date__gte", widget=DATE)
    closed_before = django_filters.DateFilter(label=_("结案日期止"), field_name="closed_at",
                                              lookup_expr="date__lte", widget=DATE)
    on_time = django_filters.BooleanFilter(label=_("按时办结"), method="filter_on_time",
                                           widget=TriStateSelect)
    near = NearFilter(label=_("附近"), method="filter_near",
                      help_text=format_lazy(_("经度,纬度,半径(米),半径不超过 {n} 米"),
                                            n=NEAR_MAX_M))
    near_crs = django_filters.ChoiceFilter(label=_("坐标系"), choices=NEAR_CRS_CHOICES,
                                           method="filter_nothing", empty_label=None)
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")

    class Meta:
        model = Event
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The area picker lists the areas this person sees; without a request (a caller
        # that did not pass one) it stays a code field.
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            self.filters["within"].extra["widget"] = PickerSelect(
                lambda: scoped_area_options(user), picker="area",
                resolve=lambda code: area_name(user, code),
                extra={"data-tree-url": _tree_url()})

    @property
    def form(self):
        form = super().form
        form.label_suffix = ""  # Chinese labels take no colon
        for field in form.fields.values():
            field.widget.attrs.setdefault("class", "gg-input")
        return form

    def primary_fields(self) -> list:
        """The fields a queue page shows at once (the rest go under "更多条件")."""
        return [self.form[name] for name in PRIMARY]

    def more_fields(self) -> list:
        return [self.form[name] for name in self.filters
                if name not in PRIMARY + QUEUE_HIDDEN + ("state",)]

    def more_open(self) -> bool:
        """Whether a field under "更多条件" is set or wrong (then the section starts open)."""
        return any(f.errors or f.value() not in (None, "", []) for f in self.more_fields())

    def filter_on_time(self, queryset, name, value):
        """True: closed no later than the handling deadline; false: closed after it, or
        still open past it."""
        closed_in_time = Q(closed_at__isnull=False, handle_deadline__isnull=False,
                           closed_at__lte=F("handle_deadline"))
        if value:
            return queryset.filter(closed_in_time)
        late = Q(closed_at__isnull=False, handle_deadline__isnull=False,
                 closed_at__gt=F("handle_deadline"))
        still_open_past = (Q(closed_at__isnull=True, handle_deadline__lt=timezone.now())
                           & ~Q(state__in=sorted(FINAL_STATES)))
        return queryset.filter(late | still_open_past)

    def filter_near(self, queryset, name, value):
        crs = self.form.cleaned_data.get("near_crs") or "wgs84"
        lng, lat = to_wgs84(value.lng, value.lat, crs)
        return within_metres(queryset, float(lng), float(lat), value.radius)

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_near

    def filter_within(self, queryset, name, value):
        return queryset.filter(area_code__startswith=value)

    def filter_deadline(self, queryset, name, value):
        now = timezone.now()
        if value == "overdue":
            return queryset.overdue(now)
        return queryset.due_soon(now)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        found = (Q(number__icontains=value) | Q(description__icontains=value)
                 | Q(address__icontains=value))
        phone = PHONE_NOISE.sub("", value).removeprefix("+86")
        if PHONE_RE.match(phone) and self._may_look_up_contacts():
            # A whole phone number finds its reporters' events by the keyed lookup hash
            # only (the number is stored encrypted), and only for those who may call
            # reporters back: to anyone else an exact match would confirm a guessed number.
            found |= Q(reporter_phone_hash=personal_data.phone_lookup_hash(phone))
        return queryset.filter(found)

    def _may_look_up_contacts(self) -> bool:
        scope = get_scope(getattr(self.request, "user", None))
        return scope is not None and scope.can("events.see_contact")


def _tree_url() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("areas:tree")
    except NoReverseMatch:
        return ""
