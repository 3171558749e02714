"""Desktop pages of patrols: the list with filters and monthly totals per worker, and one
patrol with its track on the map, time, distance and the events found on it."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import PermissionRequiredMixin

from . import queries
from .field_views import clock, map_base, map_crs, outline, track
from .forms import PatrolFilterForm
from .models import Patrol
from .permissions import PATROL, VIEW

PAGE = 50


def _to_map(lng, lat, crs):
    from gridgov.areas import datum

    lng, lat = datum.from_wgs84(lng, lat, crs)
    return [round(lat, 6), round(lng, 6)]


class PatrolListView(PermissionRequiredMixin, View):
    """巡查记录: the patrols the person may see, filtered; monthly totals per worker."""

    permission = (VIEW, PATROL)

    def get(self, request):
        visible = Patrol.objects.restrict(request.user, "view")
        workers = [(pk, real or name) for pk, real, name in
                   visible.order_by("worker__real_name").values_list(
                       "worker_id", "worker__real_name", "worker__username").distinct()]
        form = PatrolFilterForm(request.GET or None, workers=workers,
                                initial={"month": f"{timezone.localdate():%Y-%m}"})
        status = 200
        if request.GET and not form.is_valid():
            status = 400
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        month = data.get("month") or timezone.localdate().replace(day=1)
        start, end = queries.month_bounds(month)
        qs = visible.select_related("worker", "grid")
        if data.get("worker"):
            qs = qs.filter(worker_id=data["worker"])
        if data.get("area"):
            qs = qs.filter(area_code__startswith=data["area"])
        in_month = qs.filter(started_at__gte=start, started_at__lt=end)
        listed = in_month
        if data.get("day"):
            day_start, day_end = queries.day_bounds(data["day"])
            listed = in_month.filter(started_at__gte=day_start, started_at__lt=day_end)
        page = Paginator(listed.order_by("-started_at", "-id"), PAGE).get_page(
            request.GET.get("page"))
        rows = list(page.object_list)
        counts = queries.found_counts(rows, request.user)
        for p in rows:
            p.found = counts.get(p.pk, 0)
            p.km = f"{p.distance_m / 1000:.2f}"
            p.hours = f"{p.elapsed_s() / 3600:.2f}"
            p.clock = clock(p.elapsed_s())
        totals = queries.totals(qs, start, end)
        for t in totals:
            t["hours"] = f"{(t['seconds'] or 0) / 3600:.2f}"
            t["km"] = f"{(t['metres'] or 0) / 1000:.2f}"
            t["name"] = t["worker__real_name"] or t["worker__username"]
        params = {k: v for k, v in request.GET.items() if k != "page" and v}
        return render(request, "patrols/list.html", {
            "form": form, "page": page, "rows": rows, "totals": totals, "month": month,
            "filtered": bool(params), "page_params": urlencode(params),
        }, status=status)


class PatrolDetailView(PermissionRequiredMixin, View):
    """One patrol: figures, the track on the map, the events found (out of scope: 404)."""

    permission = (VIEW, PATROL)

    def get(self, request, pk):
        patrol = get_object_or_404(Patrol.objects.restrict(request.user, "view")
                                   .select_related("worker", "grid"), pk=pk)
        found = list(queries.events_found(patrol, request.user).select_related("category"))
        crs = map_crs()
        config = {
            **map_base(crs),
            "grid": outline(patrol.area_code, crs),
            "track": [_to_map(lng, lat, crs) for lng, lat in track(patrol)],
            "events": [{"point": _to_map(e.lng, e.lat, crs), "number": e.number,
                        "url": reverse("events:detail", args=[e.pk])} for e in found],
            "text": {"start": _("起点"), "end": _("终点"), "open": _("查看案卷")},
        }
        return render(request, "patrols/detail.html", {
            "patrol": patrol, "found": found, "config": config,
            "km": f"{patrol.distance_m / 1000:.2f}",
            "hours": f"{patrol.elapsed_s() / 3600:.2f}", "clock": clock(patrol.elapsed_s()),
        })
