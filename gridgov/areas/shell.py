"""What the areas app adds to the page shell: its menu entry and its waiting work.

Registered from ``AreasConfig.ready()`` (the convention of ``gridgov.web.menus`` and
``gridgov.web.worklist``).
"""

from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.choices import Role
from gridgov.web.menus import MenuItem
from gridgov.web.menus import register as register_menu
from gridgov.web.worklist import SAMPLE_SIZE, WARN, WorkItem, url_or_none
from gridgov.web.worklist import register as register_work

from .choices import Level
from .models import Area

# A community whose grids cover less than this share of it leaves a gap worth looking at.
COVERAGE_TOLERANCE = 0.001


def communities_with_gaps(user, scope):
    """Communities (villages) whose grids do not cover them (for whoever maintains areas).

    Cheap: grids may not overlap (checked on every write), so the grids cover the whole
    community exactly when their areas add up to the community's. One aggregate query; the
    exact gap polygons are on the area's own check page.
    """
    today = timezone.localdate()
    current = Q(children__valid_to__isnull=True) | Q(children__valid_to__gt=today)
    rows = list(
        Area.objects.restrict(user)
        .current()
        .filter(level=Level.COMMUNITY)
        .annotate(
            covered=Coalesce(
                Sum("children__area_m2", filter=current), 0.0, output_field=FloatField()
            ),
        )
        .filter(covered__lt=F("area_m2") * (1 - COVERAGE_TOLERANCE))
        .order_by("code")
        .values_list("code", "name", "area_m2", "covered")
    )
    yield WorkItem(
        key="areas.gaps",
        title=_("网格未覆盖全域的社区(村)"),
        count=len(rows),
        url=url_or_none("areas:list", "?level=community"),
        severity=WARN,
        note=_("网格应无缝覆盖所在社区(村);差额为未划入网格的面积。"),
        samples=[
            _("%(name)s(%(code)s):未覆盖 %(gap).1f 万平方米")
            % {"name": name, "code": code, "gap": (total - covered) / 10_000}
            for code, name, total, covered in rows[:SAMPLE_SIZE]
        ],
    )


def grids_without_worker(user, scope):
    """Grids, in the areas where "areas.watch_staffing" is held (a grid chief's or
    instructor's community), with no grid worker assigned."""
    codes = scope.codes_for("areas.watch_staffing")
    rows = list(
        Area.objects.restrict(user)
        .current()
        .filter(scope.area_q("code", "areas.watch_staffing"))
        .filter(level=Level.GRID)
        # The built-in grid worker is who staffs a grid (a fact of the data, not an access
        # rule).
        .annotate(workers=Count("assignments", filter=Q(assignments__role=Role.GRID_WORKER)))
        .filter(workers=0)
        .order_by("code")
        .values_list("code", "name")
    ) if codes else []
    yield WorkItem(
        key="areas.unstaffed",
        title=_("未配备网格员的网格"),
        count=len(rows),
        url=url_or_none("web:map"),
        severity=WARN,
        note=_("每个网格应至少配备一名专职网格员。"),
        samples=[f"{name}({code})" for code, name in rows[:SAMPLE_SIZE]],
    )


def register() -> None:
    """The area list's menu entry and the area reminders."""
    register_menu(MenuItem("areas", pgettext_lazy("navigation", "区域"), ("areas:list",),
                           permission="areas.view", order=30))
    register_work("areas.gaps", permission="areas.manage", order=30)(communities_with_gaps)
    register_work("areas.unstaffed", permission="areas.watch_staffing", order=40)(
        grids_without_worker)
