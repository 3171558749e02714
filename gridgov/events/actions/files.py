"""Attachments of a workflow step: read, hash and check them, then store them with the step.

The checking of uploads themselves (type from the bytes, size limits, a public copy of a
photo without its metadata) is ``gridgov.events.attachments``; this module turns what it
prepared into ``EventAttachment`` rows tied to the step's audit record, whose sealed summary
(name, kind, SHA-256, size) lets the timeline tell an intact file from a changed one.
"""

import hashlib
import mimetypes

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .. import attachments as attachment_files
from ..choices import AttachmentKind
from ..models import EventAttachment

DEFAULT_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
KIND_PREFIX = {"image/": AttachmentKind.PHOTO, "audio/": AttachmentKind.AUDIO,
               "video/": AttachmentKind.VIDEO}


def prepare_attachments(attachments) -> list[dict]:
    """Read, hash and check attachments: ``File``/``UploadedFile`` objects or dicts with
    ``file`` and optional ``kind``, ``public``, ``name``, ``content_type``.

    Plain uploads (a department's completion photos, a grid worker's verification photos)
    go through ``attachments.prepare`` first, as intake's do: the type is read from the
    bytes, and a photo gets a public copy without its metadata, which is the one the
    resident's tracking page may show. Dicts come prepared already (intake)."""
    items = list(attachments or ())
    uploads = [item for item in items if not isinstance(item, dict)]
    specs = [dict(item) for item in items if isinstance(item, dict)]
    specs += [p.as_attachment() for p in attachment_files.prepare(uploads)]
    limit = getattr(settings, "GRIDGOV_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES)
    out = []
    for spec in specs:
        upload = spec["file"]
        name = spec.get("name") or getattr(upload, "name", "") or "attachment"
        name = str(name).rsplit("/", 1)[-1][:200]
        content_type = (spec.get("content_type") or getattr(upload, "content_type", None)
                        or mimetypes.guess_type(name)[0] or "application/octet-stream")
        kind = spec.get("kind") or next(
            (k for prefix, k in KIND_PREFIX.items() if content_type.startswith(prefix)), None)
        if kind not in AttachmentKind.values:
            raise ValidationError({"attachments": _("只能上传照片、录音或视频:%(name)s")
                                   % {"name": name}})
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read()
        if len(data) > limit:
            raise ValidationError({"attachments": _("文件过大:%(name)s") % {"name": name}})
        out.append({"name": name, "content_type": content_type, "kind": kind,
                    "public": bool(spec.get("public", False)), "data": data,
                    "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    return out


def save_attachments(event, prepared, step) -> None:
    """Store prepared attachments as rows of ``event`` tied to the step ``step`` (its seq)."""
    for item in prepared:
        attachment = EventAttachment(
            event=event, kind=item["kind"], name=item["name"], sha256=item["sha256"],
            content_type=item["content_type"], size=item["size"], public=item["public"],
            step=step,
        )
        attachment.file.save(item["name"], ContentFile(item["data"]), save=False)
        attachment.save()


def attachment_summary(prepared) -> list[dict]:
    """What the audit record seals of each attachment."""
    return [{"name": p["name"], "kind": p["kind"], "sha256": p["sha256"], "size": p["size"]}
            for p in prepared]
