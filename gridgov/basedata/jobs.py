"""Background kinds of the basic data (``background.registry``): the import of an uploaded
file and the export of a large list.

- ``basedata.import``: reads the upload the import page stored (``background.files``), runs
  ``importers.run_import`` with progress, deletes the upload. The import is one transaction,
  as on the page before: all valid rows land, or (failed, cancelled) none. A file refused as
  a whole is a result (``errors``) the page shows on its form, not a failed job.
- ``basedata.export`` / ``basedata.export_people``: the list the person filtered, read on the
  replica (``reading_replica``, as the page's ``ReplicaReadsMixin``), written to storage and
  offered on the job's page; audited like the page's own export.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridgov.background import files, registry
from gridgov.core.routers import reading_replica

from . import exporters, importers
from .permissions import CHANGE, VIEW_OBJECTS, VIEW_PEOPLE


def import_file(progress, actor, kind, upload, filename):
    """导入基础数据: the stored upload through ``run_import``; the batch's figures."""
    return files.import_upload(upload, lambda data: importers.run_import(
        kind, data, filename, actor=actor, progress=progress))


registry.register("basedata.import", import_file, label=_("导入基础数据"), permission=CHANGE,
                  summary=files.import_summary, params=("kind", "upload", "filename"))


def export_list(progress, actor, kind, fmt, query=""):
    """导出基础数据: the list as the page filters it (``views.filtered``), masked, to a file."""
    from .views import filtered

    request = files.request_for(actor, query)
    with reading_replica():
        filterset = filtered(kind, request)
        if filterset.is_bound and not filterset.is_valid():
            raise ValidationError(dict(filterset.errors))
        queryset = filterset.qs
        progress(0, queryset.count(), _("正在导出"), force=True)
        data, rows = exporters.render(kind, queryset, user=actor, fmt=fmt, progress=progress,
                                      total=None)
    exporters.record_export(kind, user=actor, fmt=fmt, rows=rows,
                            filters=dict(request.GET.items()))
    return files.store_export(data, exporters.filename(kind, fmt),
                              exporters.CONTENT_TYPES[fmt], rows)


def export_summary(result: dict) -> list:
    """The rows the job's page shows."""
    return [(_("行数"), result.get("rows")), (_("文件"), result.get("filename"))]


EXPORT_PARAMS = ("kind", "fmt", "query")
registry.register("basedata.export", export_list, label=_("导出基础数据"),
                  permission=VIEW_OBJECTS, summary=export_summary, params=EXPORT_PARAMS)
registry.register("basedata.export_people", export_list, label=_("导出实有人口"),
                  permission=VIEW_PEOPLE, summary=export_summary, params=EXPORT_PARAMS)
