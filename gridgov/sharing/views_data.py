"""Granted data on the web: the people of a consuming department who answer for its data
(``sharing.use_data``) preview, page by page, and download as CSV or Excel the rows their
department's grant covers, exactly as the exchange API would send them to the department's
system: the granted fields only, masked as granted (``exchange.granted_rows``). The provider
department reads its own resource the way CKAN's datastore lets it: every field, the
sensitive ones masked (``exchange.own_grant``).

Every page of rows shown and every file downloaded is an exchange: it is kept as evidence
(``actions.log_exchange``, channel ``web``) with the SHA-256 of the rows shown or the bytes
sent, the optional purpose and case number, and its audit record. Anyone else, a department
without an active grant included, gets 404: the page does not say whether the rows exist.
"""

import csv
import io
import re

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from gridgov.core.context import current_request_id
from gridgov.core.querysets import VIEW
from gridgov.core.spreadsheet import safe_row
from gridgov.core.views import PermissionRequiredMixin, error_text

from .choices import ExchangeChannel, FieldType
from .exchange import Evidence, active_grant, encode, granted_rows, own_grant
from .models import Resource, labelled_fields
from .permissions import USE_DATA
from .sources import RowSource, SourceUnavailable, decode_cursor, encode_cursor, parse_since

PAGE_ROWS = 50
CSV_BATCH = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DataForm(forms.Form):
    """What the person says about the use (kept with the evidence) and which rows to take."""

    purpose = forms.CharField(label=gettext_lazy("用途(可选)"), max_length=200, required=False)
    case_id = forms.CharField(label=gettext_lazy("所服务的案件编号(可选)"), max_length=100,
                              required=False)
    updated_since = forms.CharField(
        label=gettext_lazy("只取此时间之后更新的行(可选)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}))

    def clean_updated_since(self):
        try:
            return parse_since(self.cleaned_data.get("updated_since", ""))
        except ValidationError as exc:
            raise ValidationError(error_text(exc))


class Reading:
    """Whose rows, through which grant: ``grant`` decides fields and masks; ``evidence_grant``
    is None when the provider reads its own resource (``consumer_id`` is then itself)."""

    def __init__(self, resource, grant, evidence_grant, consumer_id):
        self.resource, self.grant = resource, grant
        self.evidence_grant, self.consumer_id = evidence_grant, consumer_id

    def evidence(self, request, form, params) -> Evidence:
        """The evidence of one exchange: what was asked (``params``; the purpose joins them,
        masked by ``evidence_params`` as any parameter is) and the case number served."""
        if form.data.get("updated_since"):
            params["updated_since"] = form.data["updated_since"]
        evidence = Evidence(
            actor=request.user, resource=self.resource, grant=self.evidence_grant,
            channel=ExchangeChannel.WEB, request_id=current_request_id(),
            case_id=form.cleaned_data.get("case_id", ""),
            params={**params, **({"purpose": form.cleaned_data["purpose"]}
                                 if form.cleaned_data.get("purpose") else {})})
        evidence.kwargs["consumer_id"] = self.consumer_id
        return evidence


class GrantedDataMixin(PermissionRequiredMixin):
    """Finds the resource and the grant the visitor's department reads it through, or 404."""

    permission = USE_DATA

    def reading(self, code) -> Reading:
        resource = get_object_or_404(
            Resource.objects.restrict(self.request.user, VIEW).select_related("provider"),
            code=code)
        department_id = self.scope.department_id
        if not department_id or not self.scope.department_can(USE_DATA):
            raise Http404
        if resource.provider_id == department_id:
            return Reading(resource, own_grant(resource), None, department_id)
        try:
            grant = active_grant(resource, department_id)
        except PermissionDenied:
            raise Http404 from None  # no grant: the same answer as no resource
        return Reading(resource, grant, grant, department_id)

    def source(self, resource):
        try:
            return RowSource(resource)
        except SourceUnavailable:
            raise Http404(_("该资源的数据源在本系统中不可用。"))


class DataPreviewView(GrantedDataMixin, View):
    """One page of the granted rows (keyset paging as the API pages), with the download
    form; each page shown is one exchange."""

    def get(self, request, code):
        reading = self.reading(code)
        form = DataForm(request.GET)
        status = 200
        rows, next_cursor = [], None
        after = None
        if request.GET.get("cursor"):
            try:
                after = decode_cursor(request.GET["cursor"])
            except ValidationError as exc:
                form.is_valid()
                form.add_error(None, error_text(exc))
        if form.is_valid():
            rows, next_cursor = self.page(request, reading, form, after)
        else:
            status = 400
        return render(request, "sharing/data.html", self.context(
            reading, form, rows, next_cursor), status=status)

    def page(self, request, reading, form, after):
        source = self.source(reading.resource)
        qs = source.walk(updated_since=form.cleaned_data["updated_since"], after=after)
        found = list(granted_rows(source, qs[: PAGE_ROWS + 1], reading.grant))
        shown = [row for _pk, _stamp, row in found[:PAGE_ROWS]]
        next_cursor = None
        if len(found) > PAGE_ROWS:
            _pk, stamp, _row = found[PAGE_ROWS - 1]
            next_cursor = encode_cursor(source.stamp(stamp), _pk)
        params = {"view": "preview"}
        if request.GET.get("cursor"):
            params["cursor"] = request.GET["cursor"]
        evidence = reading.evidence(request, form, params)
        # The evidence hash covers the rows shown, as the API's JSON would carry them.
        evidence.chunk(encode(shown))
        evidence.rows = len(shown)
        evidence.finish()
        return shown, next_cursor

    def context(self, reading, form, rows, next_cursor):
        grant = reading.grant
        items = labelled_fields(reading.resource, grant.fields, grant.masking)
        # Date-times read on a page in local time; the files keep the API's ISO text.
        stamps = set(reading.resource.fields.filter(type=FieldType.DATETIME)
                     .values_list("name", flat=True))
        return {
            "resource": reading.resource, "form": form, "items": items,
            "is_own": reading.evidence_grant is None,
            "rows": [[(f["label"], _shown(row.get(f["name"]), f["name"] in stamps))
                      for f in items] for row in rows],
            "next_cursor": next_cursor, "first_page": not self.request.GET.get(
                "cursor"), "page_rows": PAGE_ROWS,
            "max_rows": f"{settings.GRIDGOV_SHARING_DOWNLOAD_MAX_ROWS:,}",
        }


def _shown(value, is_stamp: bool):
    """A value for the page: a date-time field's ISO text in local time."""
    if is_stamp and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M:%S") \
                if timezone.is_aware(parsed) else parsed.strftime("%Y-%m-%d %H:%M:%S")
    return value


def _cell(value):
    """A value as the API's JSON gives it, for a spreadsheet cell: objects and lists as JSON
    text; numbers, text, booleans and empty cells as they are."""
    if isinstance(value, dict | list):
        return encode(value)
    return value


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class DataDownloadView(DataPreviewView):
    """The granted rows as CSV (UTF-8 with BOM, streamed) or Excel, at most
    ``GRIDGOV_SHARING_DOWNLOAD_MAX_ROWS`` rows; the header row is the fields' Chinese labels,
    every cell is written through ``safe_row`` so text that starts like a formula stays
    text."""

    def get(self, request, code):
        reading = self.reading(code)
        fmt = request.GET.get("fmt", "csv")
        form = DataForm(request.GET)
        if fmt not in ("csv", "xlsx"):
            form.is_valid()
            form.add_error(None, _("下载格式只能是 CSV 或 Excel(xlsx)。"))
        if not form.is_valid():
            return render(request, "sharing/data.html",
                          self.context(reading, form, [], None), status=400)
        source = self.source(reading.resource)
        since = form.cleaned_data["updated_since"]
        total = source.count(updated_since=since)
        cap = settings.GRIDGOV_SHARING_DOWNLOAD_MAX_ROWS
        if total > cap:
            message = _("符合条件的数据共 %(n)s 行,超过网页下载上限 %(cap)s 行。请填写"
                        "“只取此时间之后更新的行”缩小范围,或由本部门系统通过交换接口分页拉取。"
                        ) % {"n": f"{total:,}", "cap": f"{cap:,}"}
            form.add_error("updated_since", message)
            return render(request, "sharing/data.html", self.context(reading, form, [], None),
                          status=400)
        evidence = reading.evidence(request, form, {"view": "download", "format": fmt})
        rows = granted_rows(source, source.walk(updated_since=since), reading.grant)
        items = labelled_fields(reading.resource, reading.grant.fields, reading.grant.masking)
        names = [f["name"] for f in items]
        header = [f["label"] + (_("(脱敏)") if f["masked"] else "") for f in items]
        code_part = re.sub(r"[^A-Za-z0-9_-]", "_", reading.resource.code)
        filename = f"{code_part}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
        if fmt == "xlsx":
            response = self.xlsx(reading, rows, names, header, items, evidence)
        else:
            response = StreamingHttpResponse(self.csv_chunks(rows, names, header, evidence),
                                             content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @staticmethod
    def csv_chunks(rows, names, header, evidence):
        """The CSV body in batches, hashed as sent; the evidence is kept once it is done."""
        out = io.StringIO()
        writer = csv.writer(out)
        out.write("\ufeff")  # Excel and WPS open UTF-8 CSV correctly with a BOM
        writer.writerow(safe_row(header))
        count = 0
        try:
            for _pk, _stamp, row in rows:
                writer.writerow([_csv_text(v) for v in safe_row(
                    _cell(row.get(n)) for n in names)])
                count += 1
                if count % CSV_BATCH == 0:
                    yield evidence.chunk(out.getvalue())
                    out.seek(0)
                    out.truncate()
            yield evidence.chunk(out.getvalue())
        finally:
            evidence.rows = count
            evidence.finish()

    @staticmethod
    def xlsx(reading, rows, names, header, items, evidence):
        """The workbook (rows, then a sheet describing the fields), hashed and logged."""
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(_("数据"))
        sheet.append(safe_row(header))
        count = 0
        for _pk, _stamp, row in rows:
            sheet.append(safe_row(_cell(row.get(n)) for n in names))
            count += 1
        about = book.create_sheet(_("字段说明"))
        about.append([_("中文名"), _("字段名"), _("脱敏")])
        for f in items:
            about.append(safe_row([f["label"], f["name"], _("是") if f["masked"] else ""]))
        about.append([])
        about.append(safe_row([_("资源"), f"{reading.resource.name}({reading.resource.code})"]))
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
        evidence.hash.update(body)
        evidence.rows = count
        evidence.finish()
        return HttpResponse(body, content_type=XLSX_TYPE)
