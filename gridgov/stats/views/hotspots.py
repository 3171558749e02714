"""热点分析 (``/stats/hotspots/``): grids coloured by the number of reports (choropleth), the
top grids, and places reported again and again; ``grids.geojson`` gives the map its grids.
``?export=xlsx`` gives both tables as one workbook."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.areas.models import Area
from gridgov.web.basemap import basemap_config

from .. import drill, export, tables
from ..aggregates import REPEAT_MIN, common_prefix
from ..dimensions import DIMENSIONS
from .base import StatsView

TOP_GRIDS = 20
PLACES = 20  # repeated places of each kind (same address, nearby)
MAP_LIMIT = 2000  # grids on the map (the district has about 1,500)
HEAT_CELLS = 500  # the heat layer: the busiest ~50 m cells


def place_rows(query) -> list[dict]:
    """Repeated places with the link to their cases (same address: the address searched
    in the grid(s); nearby: the grid(s) the points lie in)."""
    out = []
    for row in query.repeated_places(PLACES):
        within = common_prefix(row["lo"], row["hi"]) or query.area
        extra = {"within": within}
        if row["basis"] == "address":
            extra["q"] = row["address"]
        out.append({
            "address": row["address"] or _("(无地址)"), "count": row["n"],
            "basis": _("同一地址") if row["basis"] == "address" else _("约50米范围内"),
            "area": within, "lng": round(row["lng"], 6), "lat": round(row["lat"], 6),
            "url": drill.figure_url(query.area, query.period, "total", **extra),
        })
    return out


class HotspotsView(StatsView):
    """Where the reports concentrate: the grid map, top grids and repeated places."""

    template_name = "stats/hotspots.html"

    def respond(self, request, query):
        grid = DIMENSIONS["grid"]
        top = tables.compared_rows(query.breakdown(grid)[:TOP_GRIDS], grid, query,
                                   tables.RANKING_COLUMNS)
        places = place_rows(query)
        if export.wants_xlsx(request):
            header, body = tables.compared_sheet(top, grid.label, tables.RANKING_COLUMNS)
            place_header = [_("地点"), _("依据"), _("区域编码"), _("上报数"), _("经度"),
                            _("纬度")]
            place_body = [[p["address"], p["basis"], p["area"], p["count"], p["lng"],
                           p["lat"]] for p in places]
            return export.workbook_response(
                f"{_('热点分析')}-{query.area or 'all'}-{query.period.label()}.xlsx",
                [(_("网格排名"), header, body), (_("重复上报地点"), place_header, place_body)])
        params = self.selector_params()
        return render(request, self.template_name, {
            "form": self.form, "query": query, "period": query.period,
            "columns": tables.RANKING_COLUMNS, "rows": top, "places": places,
            "repeat_min": REPEAT_MIN, "params": params,
            "map_config": {
                "geojsonUrl": reverse("stats:grids_geojson") + "?" + params,
                # Outlines are WGS-84: tiles drawn in GCJ-02 would sit beside them.
                "tileUrl": ("" if settings.GRIDGOV_TILE_CRS == "gcj02"
                            else settings.GRIDGOV_TILE_URL),
                "tileAttribution": settings.GRIDGOV_TILE_ATTRIBUTION,
                "basemap": basemap_config(request, wgs84_only=True),
                "text": {"reports": _("上报数"), "grids": _("网格着色"), "heat": _("热力点"),
                         "open": _("查看案件"),
                         "loading": _("正在加载…"), "failed": _("加载失败,请稍后重试"),
                         "none": _("本周期没有上报")},
            },
        })


class GridsGeoJSONView(StatsView):
    """The grids with reports in the period (outline, name, count, the cases' link) and the
    heat layer's busiest ~50 m cells (``heat``: [lat, lng, reports])."""

    template_name = "stats/hotspots.html"

    def bad_request(self, request):
        return JsonResponse({"errors": self.form.errors.get_json_data()}, status=400)

    def respond(self, request, query):
        counts = (query.breakdown_counts(DIMENSIONS["grid"], MAP_LIMIT))
        areas = (Area.objects.filter(code__in=list(counts)).only("code", "name", "geometry"))
        features = [{
            "type": "Feature", "geometry": area.geometry,
            "properties": {"code": area.code, "name": area.name, "count": counts[area.code],
                           "url": drill.figure_url(query.area, query.period, "total",
                                                   within=area.code)},
        } for area in areas]
        heat = [[round(c["lat"], 6), round(c["lng"], 6), c["n"]]
                for c in query.hot_cells(HEAT_CELLS)]
        return JsonResponse({"type": "FeatureCollection", "features": features,
                             "max": max(counts.values(), default=0), "heat": heat})
