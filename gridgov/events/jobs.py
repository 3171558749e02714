"""Background kind of the events (``background.registry``): ``events.search_export``, the
search's export when it holds more cases than the request answers inline
(``views.search.SearchExportView``).

The job searches as the page does (``searched`` with a stand-in request holding the query
and the person), reads on the replica (``reading_replica``), writes the file to storage and
audits the export (``exports.record_export``) like the page; the job's page offers the
download to the person who started it.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridgov.background import files, registry
from gridgov.core.routers import reading_replica

from .views.search import PERMISSION, export_file, export_filename, searched


def search_export(progress, actor, query="", fmt="xlsx"):
    """导出案件: the person's search to a file, at most ``EXPORT_LIMIT`` cases."""
    request = files.request_for(actor, query)
    with reading_replica():
        filterset, queryset, _sort = searched(request)
        if filterset.errors:
            raise ValidationError(dict(filterset.errors))
        progress(0, None, _("正在导出"), force=True)
        data, content_type, rows = export_file(request, queryset, fmt, progress=progress)
    if isinstance(data, str):
        data = data.encode("utf-8")
    return files.store_export(data, export_filename(fmt), content_type, rows)


def export_summary(result: dict) -> list:
    """The rows the job's page shows."""
    return [(_("案件数"), result.get("rows")), (_("文件"), result.get("filename"))]


registry.register("events.search_export", search_export, label=_("导出案件"),
                  permission=PERMISSION, summary=export_summary, params=("query", "fmt"))
