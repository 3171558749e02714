"""The home page (my areas, 待办) and the grid map page.

Both read only through ``restrict()``: a grid worker's home page and map hold their own grid
and the areas above it as context, a leader's their whole area.
"""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Sum
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import RedirectView, TemplateView

from gridgov.accounts.models import Assignment
from gridgov.accounts.scope import role_names
from gridgov.areas.choices import CODE_LENGTH, Kind, Level
from gridgov.areas.models import Area
from gridgov.core.access import get_scope, grants
from gridgov.core.views import PermissionRequiredMixin

from . import worklist
from .basemap import basemap_config
from .menus import build_menu

LEVEL_ORDER = [Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID]
# A grid role's home page lists its grids; a community has a few dozen at most.
MAX_GRID_ROWS = 100
ROSTER = "areas.grid_roster"


def _bounds(geometries) -> list[list[float]] | None:
    """[[south, west], [north, east]] over GeoJSON geometries (Leaflet's order)."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for geom in geometries:
        if geom and "coordinates" in geom:
            walk(geom["coordinates"])
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


# The menu entries that are a role's main work, in order: the first three the person has
# become the buttons at the top of 首页 (the rest of the menu is listed below as shortcuts).
PRIMARY_MENU_KEYS = (
    "events_report", "events_mine", "events_command", "events_map", "events_department",
    "sharing_catalog", "sharing_requests", "basedata_people", "users", "locks", "audit",
    "events_catalog",
)
# Not repeated among the shortcuts: the page itself, and the account's own settings.
NOT_SHORTCUTS = {"home", "password"}
OVERVIEW = "web.area_overview"
STATS = "stats.view"


class HomeView(LoginRequiredMixin, TemplateView):
    """首页: what the person acts on first (待办 as number cards with the queue behind each;
    for a leader or the command room, this month's figures of their area first),
    their main pages, and the areas they work in. Counts of the areas (streets, grids,
    households) only for holders of "web.area_overview": people who govern an area, not a
    department handler whose role is district-wide only to reach the cases sent to it."""

    template_name = "web/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        scope = get_scope(user)
        assignments = list(
            Assignment.objects.filter(user=user)
            .select_related("area", "user__department")
            .order_by("area__code", "role")
        )
        ctx["assignments"] = assignments
        ctx["department"] = assignments[0].user.department if assignments else None
        ctx["overview"] = self.overview(scope) if scope and scope.can(OVERVIEW) else []
        ctx["grids"] = self.grids(user, scope)
        ctx["work"] = worklist.collect(user, scope)
        ctx["primary"], ctx["shortcuts"] = self.menu_split(scope)
        ctx["board"] = self.board(user, scope)
        return ctx

    @staticmethod
    def board(user, scope):
        """For holders of "stats.view" (leaders, the command room): this month's figures of
        their own area, the worst units one level down and the most overdue cases."""
        if scope is None or not scope.can(STATS):
            return None
        from gridgov.stats.views.dashboard import home_board

        return home_board(user, scope)

    @staticmethod
    def menu_split(scope):
        """(main actions, other shortcuts) from the person's own menu: only pages the role may
        open, never a link the menu would not offer."""
        entries = [e for e in build_menu(scope, "/") if e["key"] not in NOT_SHORTCUTS]
        by_key = {e["key"]: e for e in entries}
        primary = [by_key[k] for k in PRIMARY_MENU_KEYS if k in by_key][:3]
        chosen = {e["key"] for e in primary}
        return primary, [e for e in entries if e["key"] not in chosen]

    @staticmethod
    def overview(scope):
        """Counts of streets, communities and grids (and grid households) inside the areas."""
        if scope is None or not scope.area_codes:
            return []
        rows = (
            Area.objects.current()
            .filter(scope.area_q("code"))
            .values("level")
            .annotate(n=Count("id"), households=Sum("households"))
        )
        by_level = {row["level"]: row for row in rows}
        # Count only the levels below the person's own areas: "1 street" tells a street's
        # leader nothing.
        top = min(len(code) for code in scope.area_codes)
        out = []
        for level in LEVEL_ORDER:
            row = by_level.get(level)
            if row and CODE_LENGTH[level] > top:
                out.append({"level": level, "label": Level(level).label, "count": row["n"]})
        grid_row = by_level.get(Level.GRID)
        if grid_row and grid_row["households"] is not None:
            out.append({"level": "households", "label": _("户数"),
                        "count": grid_row["households"]})
        for stat in out:
            stat["display"] = f"{stat['count']:,}"
        return out

    @staticmethod
    def grids(user, scope):
        """For holders of "areas.grid_roster" (the grid roles): their grids with households
        and the staff assigned to each."""
        if scope is None or not scope.can(ROSTER):
            return []
        grids = list(
            Area.objects.restrict(user)
            .current()
            .filter(scope.area_q("code", ROSTER), level=Level.GRID)
            .select_related("parent")
            .order_by("code")[:MAX_GRID_ROWS]
        )
        if not grids:
            return []
        # Staff held on the grid itself or on its community (chief, instructor): the people
        # whose roles grant the roster too.
        roster_roles = [r for r, perms in grants.table().grants.items() if ROSTER in perms]
        area_ids = {g.id for g in grids} | {g.parent_id for g in grids if g.parent_id}
        staff: dict[int, list[Assignment]] = {}
        for a in (
            Assignment.objects.filter(area_id__in=area_ids, role__in=roster_roles)
            .select_related("user")
            .order_by("role", "user__real_name")
        ):
            staff.setdefault(a.area_id, []).append(a)
        rows = []
        for g in grids:
            members = staff.get(g.id, []) + staff.get(g.parent_id, [])
            rows.append({"area": g, "staff": members, "mine": scope.covers(g.code, ROSTER)})
        return rows


def _url(name: str, fallback: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return fallback


class MapView(PermissionRequiredMixin, TemplateView):
    """网格地图: Leaflet over the user's area; the polygons come from the areas GeoJSON API."""

    permission = "areas.view"
    template_name = "web/map.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        scope = get_scope(user)
        codes = scope.area_codes if scope else ()
        own = list(
            Area.objects.restrict(user).filter(code__in=codes).order_by("code")
            .values("code", "name", "level", "geometry")
        )
        bounds = _bounds([a["geometry"] for a in own])
        if bounds is None:
            # No assignment (or a system principal): frame whatever the user may see.
            top = (
                Area.objects.restrict(user).current().order_by("level", "code")
                .filter(level=Level.DISTRICT).values_list("geometry", flat=True)[:1]
            )
            bounds = _bounds(list(top))
        tiles_gcj02 = bool(settings.GRIDGOV_TILE_URL) and settings.GRIDGOV_TILE_CRS == "gcj02"
        ctx["map_config"] = {
            "geojsonUrl": _url("area-geojson", "/api/v1/areas/geojson/"),
            # The detail of area CODE is at <areasUrl>CODE/ (router convention).
            "areasUrl": _url("area-list", "/api/v1/areas/"),
            "crs": "gcj02" if tiles_gcj02 else "wgs84",
            "tileUrl": settings.GRIDGOV_TILE_URL,
            "tileAttribution": settings.GRIDGOV_TILE_ATTRIBUTION,
            "basemap": basemap_config(self.request),
            "bounds": bounds,
            "ownCodes": list(codes),
            "ownAreas": [{"code": a["code"], "name": a["name"], "level": a["level"]}
                         for a in own],
            "kindLabels": {k.value: str(k.label) for k in Kind},
            "levelLabels": {lv.value: str(lv.label) for lv in Level},
            "roleLabels": role_names(),
            # Grids load per community in view, only from this zoom on or when at most
            # gridMaxCommunities communities are in view: ~1,500 grids at once is too heavy
            # for a phone, and at district scale the communities give the overview.
            "gridMinZoom": 14,
            "gridMaxCommunities": 30,
            "text": {
                "code": _("编码"),
                "name": _("名称"),
                "level": _("层级"),
                "kind": _("类型"),
                "area": _("面积"),
                "households": _("户数"),
                "staff": _("工作人员"),
                "noStaff": _("暂无"),
                "generated": _("生成数据:演示用生成的区划,非官方测绘数据。"),
                "loading": _("正在加载…"),
                "zoomIn": _("放大地图以显示网格"),
                "gridsLoaded": _("已显示 %(n)s 个网格"),
                "loadFailed": _("加载失败,请稍后重试"),
                "km2": _("平方公里"),
                "m2": _("平方米"),
                "unknown": _("未登记"),
            },
        }
        ctx["layers"] = [
            {"level": Level.DISTRICT, "label": Level.DISTRICT.label, "color": "#1f4e8c",
             "checked": True},
            {"level": Level.STREET, "label": Level.STREET.label, "color": "#6b3fa0",
             "checked": True},
            {"level": Level.COMMUNITY, "label": Level.COMMUNITY.label, "color": "#1e6b3a",
             "checked": True},
            {"level": Level.GRID, "label": Level.GRID.label, "color": "#c05a00",
             "checked": True},
        ]
        ctx["own_areas"] = own
        return ctx




class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on their own: a permanent redirect to the icon in
    the static files (pages name the SVG icon in their <link rel="icon">)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("gridgov/img/favicon.ico")


# The colours shown on the examples page: token, what it is for.
SWATCHES = (
    ("--gg-primary", _lazy("主色:按钮、链接、当前导航")),
    ("--gg-primary-dark", _lazy("顶栏")),
    ("--gg-primary-soft", _lazy("主色浅底:选中、悬停")),
    ("--gg-danger", _lazy("危险:超期、删除、退回")),
    ("--gg-warn", _lazy("警示:即将到期、待处理")),
    ("--gg-ok", _lazy("正常:已办结、成功")),
    ("--gg-text", _lazy("正文")),
    ("--gg-muted", _lazy("次要文字")),
    ("--gg-border", _lazy("边框")),
    ("--gg-bg", _lazy("页面底色")),
)


class DesignExamplesView(LoginRequiredMixin, TemplateView):
    """/ui/: every component of the design system with the class names that draw it, for the
    people who build pages (docs/frontend.md describes the same classes)."""

    template_name = "web/ui.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["swatches"] = [{"token": token, "label": label} for token, label in SWATCHES]
        # Sample cases: number, minor category, place, state, badge kind, deadline.
        samples = (
            ("E2026120100000031", _("暴露垃圾"), _("鼓楼街道中山社区第1网格"), _("处置中"),
             "info", "12-02 17:30"),
            ("E2026120100000027", _("违章搭建"), _("南门街道尹江岸社区"), _("已超期"),
             "danger", "11-30 09:00"),
            ("E2026120100000019", _("道路破损"), _("高桥镇芦港村"), _("即将到期"),
             "warn", "12-01 20:00"),
            ("E2026120100000012", _("井盖缺失"), _("白云街道安丰社区"), _("已结案"), "ok", "–"),
        )
        ctx["rows"] = [
            dict(zip(("number", "category", "place", "state", "badge", "due"), row, strict=True))
            for row in samples
        ]
        return ctx
