"""Files of background jobs: the upload an import job reads, the file an export job writes.

Both live in the default storage (the media folder, or S3) under ``PREFIX``, a prefix no URL
serves: an upload is read by the job and deleted when the job ends; an export is offered by
the job's page through a signed link (``download_token``) that only the person who started
the job may use, for ``LINK_SECONDS``; the file itself is deleted by the ``purge`` scheduled
job (``purge_expired``) a day (``KEEP``) after the job ended.
"""

import datetime as dt
import posixpath
import re
import tempfile
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core import personal_data

from .models import BackgroundJob

PREFIX = "private/background"
# What an upload waiting for its import job is encrypted for (personal_data associated data).
UPLOAD_PURPOSE = "import_upload"
# What an export job's query is encrypted for: a search may be by ID number or phone.
QUERY_PURPOSE = "export_query"
# How long an export (and a forgotten upload) is kept after its job ended.
KEEP = dt.timedelta(days=1)
# How long a download link from the job's page works (a fresh page gives a fresh link).
LINK_SECONDS = 10 * 60
_SALT = "gridgov.background.download"
# An export of at most this many rows is answered in the request, as before; a larger one
# runs as a job (``GRIDGOV_EXPORT_INLINE_ROWS``).
DEFAULT_INLINE_ROWS = 2000


def _safe_name(filename: str) -> str:
    """The last part of ``filename``, without characters a storage or a header mishandles."""
    name = posixpath.basename((filename or "").replace("\\", "/"))
    name = re.sub(r"[^\w.\-]+", "_", name).strip("._")
    return (name or "file")[-100:]


def save_upload(data: bytes, filename: str) -> str:
    """Keep an uploaded file for the job that will read it; its storage path. The file holds
    people's ID numbers and phones as typed, so it is stored encrypted (``personal_data``,
    purpose ``import_upload``): a copy of the storage, or an upload a crash left behind,
    shows nothing."""
    sealed = personal_data.encrypt_bytes(data, UPLOAD_PURPOSE)
    return default_storage.save(f"{PREFIX}/uploads/{uuid.uuid4().hex}/{_safe_name(filename)}",
                                ContentFile(sealed))


def read_upload(path: str) -> bytes:
    """The plain bytes of an upload ``save_upload`` stored."""
    with default_storage.open(path, "rb") as handle:
        return personal_data.decrypt_bytes(handle.read(), UPLOAD_PURPOSE)


def delete(path: str) -> None:
    """Delete a stored job file (already gone is fine: a job may run twice)."""
    if path and path.startswith(PREFIX + "/") and default_storage.exists(path):
        default_storage.delete(path)


# The figures of an import batch a job reports (those the batch has).
BATCH_FIGURES = ("total_rows", "created_rows", "updated_rows", "unchanged_rows",
                 "rejected_rows")


def import_upload(upload: str, run) -> dict:
    """An import job's body: ``run(data)`` on the stored upload's bytes, returning the import
    batch; the batch's figures, or ``errors`` for a file refused as a whole (a result the page
    shows on its form, not a failed job). The upload is deleted whatever happens."""
    try:
        data = read_upload(upload)
        try:
            batch = run(data)
        except ValidationError as exc:
            return {"errors": exc.messages}
        figures = {name.removesuffix("_rows"): getattr(batch, name)
                   for name in BATCH_FIGURES if hasattr(batch, name)}
        return {"batch": batch.pk, **figures}
    finally:
        delete(upload)


def import_summary(result: dict) -> list:
    """The rows an import job's page shows."""
    if result.get("errors"):
        return [(_("文件被拒绝"), ";".join(result["errors"]))]
    labels = (("total", _("总行数")), ("created", _("新增")), ("updated", _("更新")),
              ("unchanged", _("未变化")), ("rejected", _("拒绝")))
    return [(label, result[key]) for key, label in labels if key in result]


def store_export(data, filename: str, content_type: str, rows: int) -> dict:
    """Write an export job's file (``bytes``, or a binary file object for a large one); the
    job's result that its page turns into a download."""
    content = ContentFile(data) if isinstance(data, bytes) else File(data)
    path = default_storage.save(
        f"{PREFIX}/exports/{uuid.uuid4().hex}/{_safe_name(filename)}", content)
    return {"file": path, "filename": _safe_name(filename), "content_type": content_type,
            "rows": rows, "bytes": default_storage.size(path)}


def spool():
    """A temporary binary file for a large export: in memory up to 8 MB, then on disk."""
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)


def inline_rows() -> int:
    return int(getattr(settings, "GRIDGOV_EXPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


def export_in_background(queryset) -> bool:
    """Whether an export of ``queryset`` is large enough to run as a job: counted only up to
    the limit (``LIMIT n + 1`` under the count), so deciding costs little on a big table."""
    limit = inline_rows()
    return queryset.order_by()[:limit + 1].count() > limit


def seal_query(request) -> str:
    """The page's query for an export job's parameters, encrypted: a search by ID number or
    phone (``?q=…``) must not reach the job's row in plain (docs/personal-data.md)."""
    return personal_data.encrypt(request.GET.urlencode(), QUERY_PURPOSE)


def request_for(user, sealed_query: str = "") -> HttpRequest:
    """A stand-in for the request that started a job, for the code that filters a list the
    way its page does (a FilterSet reads ``request.GET`` and ``request.user``);
    ``sealed_query`` is what ``seal_query`` made of the page's query."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(personal_data.decrypt(sealed_query or "", QUERY_PURPOSE))
    request.user = user
    return request


def download_token(job: BackgroundJob) -> str:
    """A signed, dated token for the job's file, bound to the job and its owner."""
    return signing.TimestampSigner(salt=_SALT).sign(f"{job.uid}:{job.created_by_id}")


def token_ok(token: str, job: BackgroundJob, user) -> bool:
    """Whether ``token`` opens ``job``'s file for ``user``: signed by us, not older than
    ``LINK_SECONDS``, made for this job and for the person who started it."""
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(token or "", max_age=LINK_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return False
    return (value == f"{job.uid}:{job.created_by_id}" and user.is_authenticated
            and job.created_by_id == user.pk)


def download_available(job: BackgroundJob) -> bool:
    """A finished export whose file has not been purged yet."""
    result = job.result or {}
    return job.status == "done" and bool(result.get("file")) and not result.get("purged")


def purge_expired(now=None) -> int:
    """Delete the files of jobs that ended more than ``KEEP`` ago (exports, and uploads a
    job could not delete itself); the job keeps its row, marked ``purged``. How many."""
    now = now or timezone.now()
    count = 0
    ended = BackgroundJob.objects.filter(finished_at__lt=now - KEEP)
    for job in ended.filter(result__has_key="file").iterator():
        if job.result.get("purged"):
            continue
        delete(job.result["file"])
        job.result = {**job.result, "purged": True}
        job.save(update_fields=["result", "updated_at"])
        count += 1
    # An upload is deleted by its job; only the few whose server died are left: a week back.
    recent = ended.filter(finished_at__gte=now - 7 * KEEP)
    for job in recent.filter(params__has_key="upload").iterator():
        if default_storage.exists(job.params["upload"]):
            delete(job.params["upload"])
            count += 1
    return count
