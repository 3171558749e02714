"""Background kind of the camera registry (``background.registry``): ``video.import``, a
department's camera file imported as a job (``actions.import_cameras``).

The upload the import page stored (``background.files``) is read, imported in one
transaction as before (valid rows land together; a cancel before the import commits keeps
nothing), then deleted. A file refused as a whole is a result (``errors``) the page shows on
its form. Running it again after a restart is harmless: the import is idempotent by camera
code (the same file again changes nothing).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.background import files, registry

from .actions import import_cameras
from .permissions import MANAGE


def import_file(progress, actor, owner, upload, filename):
    """导入摄像头: the stored upload through ``import_cameras`` for department ``owner``."""
    from gridgov.accounts.models import Department

    def run(data):
        department = Department.objects.get(pk=owner)
        progress(0, None, _("正在校验并导入"), force=True)
        return import_cameras(data, filename, actor=actor, owner=department)

    return files.import_upload(upload, run)


registry.register("video.import", import_file, label=_("导入摄像头"), permission=MANAGE,
                  summary=files.import_summary, params=("owner", "upload", "filename"))
