"""Background kind of the audit log (``background.registry``): ``audit.export``, the CSV of
the filtered log when it is too long for the request (``views.AuditRecordExportView``).

The records are read on the replica (``reading_replica``) in chunks and written to a
temporary file, then to storage; the job's page offers the download to the person who
started it. The export is audited by the page that started it (``record_export``), as
before.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridgov.background import files, registry
from gridgov.core.routers import reading_replica

from .export import CHUNK, csv_lines
from .filtersets import AuditRecordFilterSet
from .models import AuditRecord

CONTENT_TYPE = "text/csv; charset=utf-8"


def export_log(progress, actor, query="", filename="audit.csv"):
    """导出审计记录: the log as the page filters it, CSV with BOM, progress per chunk."""
    request = files.request_for(actor, query)
    with reading_replica():
        filterset = AuditRecordFilterSet(request.GET or None,
                                         queryset=AuditRecord.objects.restrict(actor))
        if filterset.is_bound and not filterset.is_valid():
            raise ValidationError(dict(filterset.errors))
        queryset = filterset.qs
        total = queryset.count()
        progress(0, total, _("正在导出"), force=True)
        out = files.spool()
        rows = -2  # the BOM and the header are lines too
        for line in csv_lines(queryset, bom=True):
            out.write(line.encode("utf-8"))
            rows += 1
            if rows > 0 and rows % CHUNK == 0:
                progress(rows, total, _("已导出 %(n)d 条") % {"n": rows})
    out.seek(0)
    try:
        return files.store_export(out, filename, CONTENT_TYPE, rows)
    finally:
        out.close()


def export_summary(result: dict) -> list:
    """The rows the job's page shows."""
    return [(_("记录数"), result.get("rows")), (_("文件"), result.get("filename"))]


registry.register("audit.export", export_log, label=_("导出审计记录"),
                  permission="audit.export_log", summary=export_summary,
                  params=("query", "filename"))
