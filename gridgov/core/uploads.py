"""Limits every file import shares (basic-data imports, hotline uploads): the upload size, the
unpacked size of an XLSX, and how many rejected rows a report lists.

Each check raises the caller's own error class, so a basic-data import and a hotline upload
keep reporting in their own way.
"""

import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
DEFAULT_REPORT_MAX_ROWS = 1000


def max_upload_bytes() -> int:
    return int(getattr(settings, "GRIDGOV_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def max_uncompressed_bytes() -> int:
    return int(getattr(settings, "GRIDGOV_MAX_IMPORT_UNCOMPRESSED_BYTES",
                       DEFAULT_MAX_UNCOMPRESSED_BYTES))


def report_max_rows() -> int:
    return int(getattr(settings, "GRIDGOV_IMPORT_REPORT_MAX_ROWS", DEFAULT_REPORT_MAX_ROWS))


def human_size(n: int) -> str:
    """``n`` bytes as people write it: "20 MB", "512 KB", "900 字节"."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value.is_integer() else f"{value:.1f} {unit}"
    return _("%(n)d 字节") % {"n": n}


def too_large_message(limit: int | None = None) -> str:
    limit = max_upload_bytes() if limit is None else limit
    return _("文件超过大小上限:单个文件不能超过 %(size)s。") % {"size": human_size(limit)}


def check_size(size: int, error=ValueError) -> None:
    """Refuse a file of ``size`` bytes over GRIDGOV_MAX_UPLOAD_BYTES (before reading it)."""
    limit = max_upload_bytes()
    if size > limit:
        raise error(too_large_message(limit))


def check_zip(data: bytes, error=ValueError, *, unreadable: str = "") -> None:
    """Refuse an XLSX whose members declare more than the uncompressed limit in total.

    Checked on the zip's directory before anything is inflated; zipfile stops inflating a
    member at its declared size, so a member cannot lie its way past this check."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise error(unreadable or _("无法读取 Excel 文件。")) from None
    limit = max_uncompressed_bytes()
    if sum(m.file_size for m in members) > limit:
        raise error(_("Excel 文件解压后超过 %(size)s 上限,可能已损坏或是恶意文件,"
                      "请另存为 CSV 后再上传。") % {"size": human_size(limit)})
