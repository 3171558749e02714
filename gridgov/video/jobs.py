"""Background kind of the camera registry (``background.registry``): ``video.import``, a
department's camera file imported as a job (``actions.import_cameras``).

The upload the import page stored (``background.files``) is read, imported in one
transaction as before (valid rows land together; a cancel before the import commits keeps
nothing), then deleted. A file refused as a whole is a result (``errors``) the page shows on
its form. Running it again after a restart is harmless: the import is idempotent by camera
code (the same file again changes nothing).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridgov.background import files, registry

from .actions import import_cameras
from .permissions import MANAGE


def import_file(progress, actor, owner, upload, filename):
    """导入摄像头: the stored upload through ``import_cameras`` for department ``owner``."""
    from gridgov.accounts.models import Department

    try:
        department = Department.objects.get(pk=owner)
        data = files.read(upload)
        progress(0, None, _("正在校验并导入"), force=True)
        try:
            batch = import_cameras(data, filename, actor=actor, owner=department)
        except ValidationError as exc:
            return {"errors": exc.messages}
        return {"batch": batch.pk, "total": batch.total_rows, "created": batch.created_rows,
                "updated": batch.updated_rows, "unchanged": batch.unchanged_rows,
                "rejected": batch.rejected_rows}
    finally:
        files.delete(upload)


def import_summary(result: dict) -> list:
    """The rows the job's page shows."""
    if result.get("errors"):
        return [(_("文件被拒绝"), ";".join(result["errors"]))]
    return [(_("总行数"), result.get("total")), (_("新增"), result.get("created")),
            (_("更新"), result.get("updated")), (_("未变化"), result.get("unchanged")),
            (_("拒绝"), result.get("rejected"))]


registry.register("video.import", import_file, label=_("导入摄像头"), permission=MANAGE,
                  summary=import_summary, params=("owner", "upload", "filename"))
