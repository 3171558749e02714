"""案件查询 (``/events/search/``): find any case the person may see, in any state.

One ``EventFilterSet`` serves this page, its Excel / CSV export and the events API list, so
the three always agree. Rows come from ``Event.objects.restrict(user, "view")`` (closed,
void and merged cases included); the page reads a constant number of queries whatever the
result size. A person saves the current search under a name (their own only) and exports
what they found, masked, capped and audited.
"""

import csv
import io
from urllib.parse import parse_qs, unquote_plus

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridgov.core import personal_data
from gridgov.core.routers import ReplicaReadsMixin
from gridgov.core.spreadsheet import safe_row
from gridgov.core.views import ActionView, PermissionRequiredMixin, refuse_export, safe_next
from gridgov.web.pickers import PickerSelect, flatten

from ..actions import exports, saved_filters
from ..choices import DeadlineStatus, State
from ..filtersets import NEAR_MAX_M, PHONE_NOISE, PHONE_RE, EventFilterSet
from ..models import Event, MinorCategory, SavedFilter
from .lists import LIST_FIELDS, LIST_RELATED, rows

PERMISSION = "events.view"
PAGE_SIZE = 30
EXPORT_LIMIT = 10_000
SORTS = {
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "deadline": (F("stage_deadline").asc(nulls_last=True), "-created_at", "-id"),
    "-deadline": (F("stage_deadline").desc(nulls_last=True), "-created_at", "-id"),
}
SORT_LABELS = {"-created": gettext_lazy("上报时间(新→旧)"),
               "created": gettext_lazy("上报时间(旧→新)"),
               "deadline": gettext_lazy("时限(先到期在前)"),
               "-deadline": gettext_lazy("时限(后到期在前)")}
# Filters tucked under "更多条件" (the search box, state and sort stay in view).
ADVANCED = ("source", "nature", "urgency", "level", "platform", "major", "category", "department",
            "within", "supervised", "deadline", "on_time", "created_after", "created_before",
            "closed_after", "closed_before")
STATE_BADGE = {State.CLOSED: "gg-badge-ok", State.HELD: "gg-badge-warn",
               State.VOID: "", State.NOT_FILED: "", State.MERGED: "",
               State.SUSPENDED: "gg-badge-warn"}
DEADLINE_BADGE = {DeadlineStatus.OVERDUE: "gg-badge-danger",
                  DeadlineStatus.DUE_SOON: "gg-badge-warn",
                  DeadlineStatus.ON_TIME: "gg-badge-ok"}


def filter_params() -> tuple:
    """The query parameters a search keeps (the filters' names)."""
    return tuple(EventFilterSet.base_filters)


def searched(request):
    """``(filterset, queryset)``: the person's cases filtered by the request; an invalid
    filter gives no rows (never a wider list)."""
    base = Event.objects.restrict(request.user, "view")
    filterset = EventFilterSet(request.GET, queryset=base, request=request)
    queryset = filterset.qs if filterset.is_valid() else base.none()
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "-created"
    return filterset, queryset.order_by(*SORTS[sort]), sort


def _current_query(request) -> str:
    return saved_filters.normalise_query(request.GET.urlencode(), filter_params())


class SearchView(PermissionRequiredMixin, TemplateView):
    """案件查询: search by number, text, phone, address, place, class, department, dates."""

    template_name = "events/search/search.html"
    permission = PERMISSION

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.filterset.errors:
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        request = self.request
        now = timezone.now()
        self.filterset, queryset, sort = searched(request)
        queryset = (queryset.select_related(*LIST_RELATED).only(*LIST_FIELDS, "closed_at")
                    .with_deadline_status(now))
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        found = rows(page.object_list, now)
        for row in found:
            row["state_badge"] = STATE_BADGE.get(row["event"].state, "gg-badge-info")
            row["deadline_badge"] = DEADLINE_BADGE.get(row["deadline"], "")
        form = self.filterset.form
        query = _current_query(request)
        ctx.update({
            "filter": self.filterset,
            "form": form,
            "advanced": [form[name] for name in ADVANCED],
            "advanced_open": any(request.GET.get(name) for name in ADVANCED),
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "rows": found,
            "total": page.paginator.count,
            "searched": bool(query),
            "sort": sort,
            "sorts": [{"key": key, "label": label,
                       "url": "?" + _with(request, sort=key), "active": key == sort}
                      for key, label in SORT_LABELS.items()],
            "query": query,
            "chips": [] if self.filterset.errors else chips(request, form),
            "saved": list(SavedFilter.objects.restrict(request.user, "view")
                          .only("id", "name", "query")),
            "export_limit": EXPORT_LIMIT,
            "export_capped": page.paginator.count > EXPORT_LIMIT,
            "export_query": _with(request, page=None),
            "near": near_context(request, form),
        })
        return ctx


# The radii offered beside the map (any other up to NEAR_MAX_M may be typed).
NEAR_RADII = (50, 100, 200, 500, 1000, 2000, NEAR_MAX_M)
NEAR_DEFAULT_RADIUS = 500


def near_context(request, form) -> dict:
    """The "附近" control: the point and radius in force, the radii offered, and with
    ``?pick=1`` the map to pick the point on (the intake's point picker, loaded only then)."""
    field = form["near"]
    value = field.value() or ""
    parts = [p.strip() for p in value.replace("，", ",").split(",")]
    point = {"lng": parts[0], "lat": parts[1]} if len(parts) == 3 else {"lng": "", "lat": ""}
    radius = parts[2] if len(parts) == 3 else ""
    crs = request.GET.get("near_crs") if request.GET.get("near_crs") == "gcj02" else "wgs84"
    picking = request.GET.get("pick") == "1"
    radii = list(NEAR_RADII)
    try:
        typed = float(radius)
    except ValueError:
        typed = None
    if typed is not None and 0 < typed <= NEAR_MAX_M and typed not in radii:
        radii = sorted([*radii, int(typed) if typed.is_integer() else typed])
    chosen = typed if typed in radii else NEAR_DEFAULT_RADIUS
    return {
        "field": field, "value": value, "crs": crs, "point": point,
        "radii": [{"value": f"{r:g}", "selected": r == chosen} for r in radii],
        "open": bool(value) or bool(field.errors) or picking,
        "picking": picking,
        "pick_url": "?" + _with(request, pick="1"),
        "close_url": "?" + _with(request),
        "tile_url": settings.GRIDGOV_TILE_URL, "tile_crs": settings.GRIDGOV_TILE_CRS,
        "tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
    }


def chips(request, form) -> list[dict]:
    """The conditions in force, by name (never a bare code), each with a link removing it."""
    out = []
    for name in ("q", "state", "near", *ADVANCED):
        values = [v for v in request.GET.getlist(name) if v.strip()]
        if not values:
            continue
        field = form[name]
        shown = (_near_shown(form) if name == "near"
                 else "、".join(_shown(field, v) for v in values))
        changes = {name: None, "near_crs": None} if name == "near" else {name: None}
        out.append({"name": name, "label": field.label, "value": shown,
                    "remove": "?" + _with(request, **changes)})
    return out


def _near_shown(form) -> str:
    near = form.cleaned_data.get("near")
    crs = _(",高德、腾讯地图坐标") if form.cleaned_data.get("near_crs") == "gcj02" else ""
    return _("%(r)s 米内(%(lng).5f, %(lat).5f%(crs)s)") % {
        "r": f"{near.radius:g}", "lng": near.lng, "lat": near.lat, "crs": crs}


def _shown(field, value) -> str:
    widget = field.field.widget
    if isinstance(widget, PickerSelect):
        return widget.label_of(value)
    choices = getattr(field.field, "choices", None) or getattr(widget, "choices", None)
    if choices:
        return str(dict(flatten(choices)).get(value, value))
    return value


def _with(request, **changes) -> str:
    params = request.GET.copy()
    params.pop("pick", None)  # the map to pick a point on opens only when asked
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    params.pop("page", None)  # another order or an export starts from the first page
    return params.urlencode()


# --- saved filters --------------------------------------------------------------------------


def _search_url(query="") -> str:
    return reverse("events:search") + (f"?{query}" if query else "")


def _holds_phone(query: str) -> bool:
    """Whether the search text holds a phone or ID number (personal data is never stored)."""
    text = parse_qs(query).get("q", [""])[0]
    return (bool(PHONE_RE.match(PHONE_NOISE.sub("", text).removeprefix("+86")))
            or personal_data.holds_number(text))


class SaveFilterView(ActionView):
    """保存查询: the current search under a name (the same name replaces it)."""

    permission = PERMISSION

    def run(self, request):
        query = request.POST.get("query", "")
        if _holds_phone(query):
            raise ValidationError({"q": _("按电话号码或身份证号的查询不能保存。")})
        saved = saved_filters.save_filter(actor=request.user, name=request.POST.get("name"),
                                          query=query, allowed=filter_params())
        self.saved = saved
        return _("已保存查询“%(name)s”。") % {"name": saved.name}

    def back_url(self, request, *args, **kwargs):
        saved = getattr(self, "saved", None)
        return _search_url(saved.query) if saved else safe_next(request, _search_url())


class RenameFilterView(ActionView):
    """重命名 one of the person's saved searches."""

    permission = PERMISSION
    model = SavedFilter

    def run(self, request, pk):
        saved = saved_filters.rename_filter(self.get_object(pk=pk), actor=request.user,
                                            name=request.POST.get("name"))
        return _("已重命名为“%(name)s”。") % {"name": saved.name}

    def back_url(self, request, *args, **kwargs):
        return safe_next(request, _search_url())


class DeleteFilterView(ActionView):
    """删除 one of the person's saved searches."""

    permission = PERMISSION
    model = SavedFilter

    def run(self, request, pk):
        saved = self.get_object(pk=pk)
        saved_filters.delete_filter(saved, actor=request.user)
        return _("已删除查询“%(name)s”。") % {"name": saved.name}

    def back_url(self, request, *args, **kwargs):
        return safe_next(request, _search_url())


# --- export ---------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    (gettext_lazy("事件编号"), lambda e: e.number),
    (gettext_lazy("状态"), lambda e: e.get_state_display()),
    (gettext_lazy("来源"), lambda e: e.get_source_display()),
    (gettext_lazy("性质"), lambda e: e.get_nature_display()),
    (gettext_lazy("紧急程度"), lambda e: e.get_urgency_display()),
    (gettext_lazy("事件大类"), lambda e: e.category.major.name if e.category_id else ""),
    (gettext_lazy("事件小类"), lambda e: e.category.name if e.category_id else ""),
    (gettext_lazy("问题描述"), lambda e: personal_data.mask_numbers(e.description)),
    (gettext_lazy("地址"), lambda e: e.address),
    (gettext_lazy("所属网格"), lambda e: e.grid.name),
    (gettext_lazy("网格编码"), lambda e: e.area_code),
    (gettext_lazy("责任部门"), lambda e: e.department.name if e.department_id else ""),
    (gettext_lazy("督办"), lambda e: _("是") if e.supervised else _("否")),
    (gettext_lazy("联系电话"), lambda e: e.reporter_phone_masked),
    (gettext_lazy("上报时间"), lambda e: _local(e.created_at)),
    (gettext_lazy("处置时限"), lambda e: _local(e.handle_deadline)),
    (gettext_lazy("结案时间"), lambda e: _local(e.closed_at)),
    (gettext_lazy("时限状态"), lambda e: str(DeadlineStatus(e.deadline_status_value).label)),
)


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class SearchExportView(ReplicaReadsMixin, PermissionRequiredMixin, View):
    """导出: the search's cases as Excel or CSV, masked, at most ``EXPORT_LIMIT`` rows,
    recorded in the audit log.

    Up to ``GRIDGOV_EXPORT_INLINE_ROWS`` cases (2,000) the file is the answer; more are
    written by a background job (``events.search_export``, ``events/jobs.py``) whose page
    offers the download."""

    permission = PERMISSION

    def get(self, request, fmt):
        from gridgov.background.actions import submit_job
        from gridgov.background.files import export_in_background, seal_query

        if fmt not in ("xlsx", "csv"):
            raise Http404(_("不支持的导出格式。"))
        refused = refuse_export(request)
        if refused is not None:
            return refused
        filterset, queryset, _sort = searched(request)
        if filterset.errors:
            return JsonResponse({"errors": [
                {"field": field, "code": "invalid", "message": " ".join(messages)}
                for field, messages in filterset.errors.items()]}, status=400)
        if export_in_background(queryset):
            job = submit_job("events.search_export", actor=request.user,
                             params={"query": seal_query(request), "fmt": fmt})
            return redirect("background:job", uid=job.uid)
        data, content_type, _rows = export_file(request, queryset, fmt)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{export_filename(fmt)}"'
        response["Cache-Control"] = "no-store"
        return response


def export_filename(fmt: str) -> str:
    return f"events-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{fmt}"


def export_file(request, queryset, fmt: str, progress=None) -> tuple:
    """``(bytes or text, content type, rows)`` of the search's export, audited: the same
    for the page and its background job (``request`` is the job's stand-in there)."""
    queryset = (queryset.select_related("category__major", "department", "grid")
                .with_deadline_status(timezone.now()))
    events = list(queryset[:EXPORT_LIMIT + 1])
    capped = len(events) > EXPORT_LIMIT
    events = events[:EXPORT_LIMIT]
    header = [str(label) for label, _fn in EXPORT_COLUMNS]

    def body():
        for i, event in enumerate(events):
            if progress is not None and i % 1000 == 0:
                progress(i, len(events), _("已导出 %(n)d 件") % {"n": i})
            yield safe_row(fn(event) for _label, fn in EXPORT_COLUMNS)

    data, content_type = (_xlsx(header, body(), capped) if fmt == "xlsx"
                          else _csv(header, body(), capped))
    # Decoded first: "%28" / "%29" / "%2B" around a landline or "+86" hide it from the mask.
    query = personal_data.scrub(unquote_plus(_current_query(request)))
    exports.record_export(actor=request.user, query=query, rows=len(events),
                          capped=capped, file_format=fmt, source="search")
    return data, content_type, len(events)


def _cap_note() -> str:
    return _("结果超过 %(n)d 件,仅导出前 %(n)d 件;请缩小查询范围。") % {"n": EXPORT_LIMIT}


def _xlsx(header, body, capped):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("案件"))
    if capped:
        sheet.append([_cap_note()])
    sheet.append(header)
    for row in body:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return (buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _csv(header, body, capped):
    out = io.StringIO()
    out.write("\ufeff")  # Excel and WPS read UTF-8 CSV with a BOM
    writer = csv.writer(out)
    if capped:
        writer.writerow([_cap_note()])
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue(), "text/csv; charset=utf-8"


# --- picker data ----------------------------------------------------------------------------


class CategoryTreeView(PermissionRequiredMixin, View):
    """The category picker's tree: active major classes with their minor classes."""

    permission = PERMISSION

    def get(self, request):
        tree: dict = {}
        for code, name, major_code, major_name in (
                MinorCategory.objects.filter(is_active=True).order_by("major__code", "code")
                .values_list("code", "name", "major__code", "major__name")):
            node = tree.setdefault(major_code, {"code": major_code, "name": major_name,
                                                "minors": []})
            node["minors"].append({"code": code, "name": name})
        return JsonResponse({"results": list(tree.values())})


urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
    path("search/export.<str:fmt>", SearchExportView.as_view(), name="search_export"),
    path("search/categories.json", CategoryTreeView.as_view(), name="search_categories"),
    path("search/saved/", SaveFilterView.as_view(), name="search_save"),
    path("search/saved/<int:pk>/rename/", RenameFilterView.as_view(), name="search_rename"),
    path("search/saved/<int:pk>/delete/", DeleteFilterView.as_view(), name="search_delete"),
]
