"""Checking and preparing uploaded attachments (photo, audio, video) before they are stored.

- The type is decided by the file's leading bytes (magic numbers), never by its name or the
  client's Content-Type: JPEG, PNG, WebP (photos), MP4 (video), M4A, AMR, MP3 (audio).
- Sizes are limited per kind by ``settings.GRIDGOV_ATTACHMENT_MAX_BYTES`` (a dict by kind;
  defaults below) and the number per report by ``GRIDGOV_ATTACHMENT_MAX_COUNT``.
- A photo is kept twice: the original, private (evidence, with its EXIF), and a public copy
  re-encoded by Pillow without any metadata (EXIF, GPS, XMP, text chunks), turned upright
  first so dropping the orientation tag does not turn it sideways. Audio and video are kept
  private only: stripping location atoms from MP4/M4A safely is beyond what we can verify,
  so no public copy is made rather than a copy that might still carry a position.

A bad file raises ``ValidationError({field: reason})`` naming the file.
"""

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .choices import AttachmentKind

MB = 1024 * 1024
DEFAULT_MAX_BYTES = {
    AttachmentKind.PHOTO: 10 * MB,
    AttachmentKind.AUDIO: 20 * MB,
    AttachmentKind.VIDEO: 50 * MB,
}
DEFAULT_MAX_COUNT = 9
# Refuse absurd pixel counts before decoding (decompression bombs): 50 megapixels.
MAX_PIXELS = 50_000_000

EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "video/mp4": "mp4",
    "audio/mp4": "m4a", "audio/amr": "amr", "audio/mpeg": "mp3",
}
KIND_OF = {
    "image/jpeg": AttachmentKind.PHOTO, "image/png": AttachmentKind.PHOTO,
    "image/webp": AttachmentKind.PHOTO, "video/mp4": AttachmentKind.VIDEO,
    "audio/mp4": AttachmentKind.AUDIO, "audio/amr": AttachmentKind.AUDIO,
    "audio/mpeg": AttachmentKind.AUDIO,
}
ACCEPT = ",".join(sorted({".jpg", ".jpeg", ".png", ".webp", ".mp4", ".m4a", ".amr", ".mp3",
                          "image/*", "audio/*", "video/*"}))
# ISO base media "ftyp" brands that mean audio only.
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes, or None when not an accepted type."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:12] in _AUDIO_BRANDS else "video/mp4"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    # An MP3 frame header: 11 sync bits, a valid version/layer (layer III), bitrate not "bad".
    if (len(head) >= 3 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0
            and (head[1] & 0x06) == 0x02 and (head[2] & 0xF0) != 0xF0):
        return "audio/mpeg"
    return None


def max_bytes(kind) -> int:
    limits = {**DEFAULT_MAX_BYTES, **getattr(settings, "GRIDGOV_ATTACHMENT_MAX_BYTES", {})}
    return int(limits[kind])


def max_count() -> int:
    return int(getattr(settings, "GRIDGOV_ATTACHMENT_MAX_COUNT", DEFAULT_MAX_COUNT))


@dataclass
class Prepared:
    """One stored file: the bytes and what the attachment row records about them."""

    kind: str
    name: str
    content_type: str
    data: bytes
    public: bool

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def as_attachment(self) -> dict:
        """The form ``actions.report_event(attachments=...)`` takes."""
        return {"file": ContentFile(self.data, name=self.name), "name": self.name,
                "kind": self.kind, "public": self.public, "content_type": self.content_type}


def _read(upload) -> tuple[str, bytes]:
    """(name, bytes) of an UploadedFile, a (name, bytes) pair or a file object."""
    if isinstance(upload, tuple | list):
        name, data = upload
        return str(name), bytes(data)
    name = getattr(upload, "name", "") or "file"
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read()
    return str(name).rsplit("/", 1)[-1], data


def _fmt_mb(n: int) -> str:
    return f"{n / MB:g}"


def check_file(upload, *, field: str = "attachments") -> tuple[str, str, bytes]:
    """(content type, safe name, bytes) of an acceptable upload; ValidationError if not."""
    name, data = _read(upload)
    label = name[:80]
    if not data:
        raise ValidationError({field: _("文件“%(name)s”是空文件。") % {"name": label}})
    ctype = sniff(data[:16])
    if ctype is None:
        raise ValidationError({field: _(
            "文件“%(name)s”的类型不受支持:仅接受 JPEG、PNG、WebP 照片,MP4 视频,"
            "M4A、AMR、MP3 录音。") % {"name": label}})
    kind = KIND_OF[ctype]
    limit = max_bytes(kind)
    if len(data) > limit:
        raise ValidationError({field: _(
            "文件“%(name)s”过大(%(size)s MB),%(kind)s不能超过 %(limit)s MB。") % {
            "name": label, "size": f"{len(data) / MB:.1f}", "kind": AttachmentKind(kind).label,
            "limit": _fmt_mb(limit)}})
    stem = name.rsplit(".", 1)[0][:60] or "file"
    return ctype, f"{stem}.{EXTENSIONS[ctype]}", data


def strip_metadata(data: bytes, content_type: str) -> bytes:
    """A re-encoded copy of an image without EXIF/GPS/XMP/ICC text or PNG text chunks."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise ValueError("too many pixels")
            img.load()
            upright = ImageOps.exif_transpose(img)
            fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[content_type]
            keep = ("RGB", "L") if fmt == "JPEG" else ("RGB", "RGBA", "L")
            if upright.mode not in keep:
                upright = upright.convert("RGB" if fmt == "JPEG" else "RGBA")
            # A fresh image from the raw pixels: no info dict, so no metadata is carried over.
            clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            out = io.BytesIO()
            options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
            clean.save(out, fmt, **options)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(_("图片无法解码。")) from None


def prepare(uploads, *, field: str = "attachments") -> list[Prepared]:
    """Check every upload and return the files to store (originals private, public copies).

    Raises ``ValidationError({field: reason})`` for the first bad file or too many files.
    """
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > max_count():
        raise ValidationError({field: _("附件不能超过 %(n)d 个。") % {"n": max_count()}})
    out: list[Prepared] = []
    for upload in uploads:
        ctype, name, data = check_file(upload, field=field)
        kind = KIND_OF[ctype]
        out.append(Prepared(kind=kind, name=name, content_type=ctype, data=data, public=False))
        if kind == AttachmentKind.PHOTO:
            try:
                clean = strip_metadata(data, ctype)
            except ValidationError:
                raise ValidationError({field: _("图片“%(name)s”无法解码,请重新拍摄或选择。")
                                       % {"name": name}}) from None
            out.append(Prepared(kind=kind, name=f"public-{name}", content_type=ctype,
                                data=clean, public=True))
    return out


# --- thumbnails (the case file's photo grid) --------------------------------------------------

# Longest side in pixels of each thumbnail size the pages ask for.
THUMB_SIZES = {"s": 160, "m": 480}
THUMB_DIR = "thumbs"
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def thumbnail_path(attachment, size: str):
    """Where the thumbnail of ``attachment`` is kept: under ``MEDIA_ROOT/thumbs``, named by the
    row and the stored file's hash (a replaced file gets a new thumbnail, never a stale one)."""
    from pathlib import Path

    digest = (attachment.sha256 or "0" * 16)[:16]
    return (Path(settings.MEDIA_ROOT) / THUMB_DIR / digest[:2]
            / f"{attachment.pk}-{digest}-{THUMB_SIZES[size]}.jpg")


def _render_thumbnail(data: bytes, px: int) -> bytes:
    """A JPEG no larger than ``px`` on its longest side, upright, built from the pixels alone
    (no EXIF, GPS or other metadata of the original is carried over)."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as img:
        if img.width * img.height > MAX_PIXELS:
            raise ValueError("too many pixels")
        img.draft("RGB", (px * 2, px * 2))  # JPEG: decode at a reduced scale, much faster
        img.load()
        upright = ImageOps.exif_transpose(img)
        if upright.mode != "RGB":
            upright = upright.convert("RGB")
        upright.thumbnail((px, px), Image.Resampling.LANCZOS)
        clean = Image.frombytes("RGB", upright.size, upright.tobytes())
        out = io.BytesIO()
        clean.save(out, "JPEG", quality=82, optimize=True)
        return out.getvalue()


def thumbnail(attachment, size: str = "m"):
    """The path of a JPEG thumbnail of a photo attachment, made on the first request and kept
    on disk; None when the attachment is not a decodable photo or its file is gone.

    Written to a temporary name and renamed, so a reader never sees half a file when two
    requests make the same thumbnail at once."""
    import os
    import tempfile

    from PIL import Image

    if size not in THUMB_SIZES or attachment.kind != AttachmentKind.PHOTO:
        return None
    path = thumbnail_path(attachment, size)
    if path.exists():
        return path
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError, OSError):
        return None
    if sniff(data[:16]) not in PHOTO_TYPES:
        return None
    try:
        body = _render_thumbnail(data, THUMB_SIZES[size])
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        os.replace(tmp, path)
    except OSError:
        if os.path.exists(tmp):
            os.unlink(tmp)
        return None
    return path
