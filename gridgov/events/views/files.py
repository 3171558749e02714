"""An event's attachments for signed-in staff: ``/events/<pk>/attachments/<attachment pk>/``.

``MEDIA_ROOT`` is never served as such (there is no ``/media/`` route); a stored file reaches a
browser only through this view, which

- reads the event through ``Event.objects.restrict(user, "view")``: outside the reader's scope
  answers 404 exactly like a missing event, and so does an attachment of another event;
- gives the private originals (evidence, with their EXIF and position) only to staff who hold
  the event in their scope by role (area or department), not to a reader who sees the event only
  as its reporter: such a reader gets the public copies made at upload (metadata stripped);
- streams the file with the type read again from its leading bytes (never the stored or claimed
  type alone), ``inline`` for photos and ``attachment`` for everything else, under the name it
  was uploaded with (made safe, with an RFC 5987 ``filename*`` for Chinese names), and with
  ``nosniff`` and ``Cache-Control: private, no-store`` so no shared cache keeps a copy.

The residents' tracking page keeps its own route to the public copies
(``views.public.PublicPhotoView``, by link secret, no account).
"""

import dataclasses
import re
import unicodedata
from urllib.parse import quote

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils import timezone
from django.views import View

from gridgov.core.access import get_scope
from gridgov.core.querysets import VIEW

from .. import attachments as attachment_files
from ..choices import AttachmentKind
from ..models import Event, EventAttachment

# Types shown in the browser; every other file is offered as a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
FALLBACK_TYPE = "application/octet-stream"
PUBLIC_PREFIX = "public-"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;%]+')
_NOT_ASCII_WORD = re.compile(r"[^A-Za-z0-9._ -]+")


def sees_originals(user, event) -> bool:
    """Whether ``user`` holds ``event`` in scope as staff (by an area or department role).

    The event's scope rule adds "what you reported yourself" for the principal's own user id;
    evaluated for the same roles without the user id, it keeps exactly what the roles reach."""
    scope = get_scope(user)
    if scope is None:
        return False
    staff = dataclasses.replace(scope, user_id=None, _axes={})
    q = Event.restrict_q(staff, VIEW)
    if q is None:
        return True
    return Event.objects.filter(q, pk=event.pk).exists()


def display_name(attachment) -> str:
    """The name the file was uploaded with (a public copy's without its ``public-`` prefix)."""
    name = (attachment.name or "").rsplit("/", 1)[-1]
    if attachment.public and name.startswith(PUBLIC_PREFIX):
        name = name[len(PUBLIC_PREFIX):]
    return name


def _content_type(head: bytes) -> str:
    """The type of the stored bytes, read again from them (uploads are checked the same way;
    a file that is none of the accepted types is served as opaque bytes, for download)."""
    return attachment_files.sniff(head) or FALLBACK_TYPE


def safe_filename(name: str, content_type: str, pk) -> str:
    """A file name without paths, control characters or quotes, ending in the extension of
    the type actually served (so a photo named ``x.html`` is saved as ``x.jpg``)."""
    name = unicodedata.normalize("NFC", str(name or "")).rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" ._")[:80] or f"attachment-{pk}"
    ext = attachment_files.EXTENSIONS.get(content_type, "bin")
    return f"{stem}.{ext}"


def content_disposition(disposition: str, filename: str, pk) -> str:
    """``inline``/``attachment`` with an ASCII ``filename`` and, for any other name, the
    UTF-8 ``filename*`` of RFC 5987/6266 (browsers prefer it; old ones take the fallback)."""
    ascii_name = _NOT_ASCII_WORD.sub("_", filename)
    stem, _, ext = ascii_name.rpartition(".")
    if not stem.strip("_ ."):
        ascii_name = f"attachment-{pk}.{ext}"
    value = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def attachment_url(event, attachment) -> str:
    return reverse("events:attachment", kwargs={"pk": event.pk, "attachment_pk": attachment.pk})


def thumbnail_url(event, attachment, size="m") -> str:
    return reverse("events:attachment_thumb", kwargs={
        "pk": event.pk, "attachment_pk": attachment.pk, "size": size})


def human_label(attachment, step_label, at) -> str:
    """What a person calls the file: its kind, the step that attached it and the local time
    (``照片 · 上报 · 12-01 09:30``), not the stored name with a hash after it."""
    kind = AttachmentKind(attachment.kind).label if attachment.kind in AttachmentKind.values \
        else ""
    when = timezone.localtime(at).strftime("%m-%d %H:%M") if at else ""
    return " · ".join(str(part) for part in (kind, step_label, when) if part)


def link_timeline(event, entries, user) -> bool | None:
    """Give each attachment of the timeline ``url`` (None when the reader may not open it or
    the file row is gone), ``display_name`` (the uploaded name), ``label`` (kind, step and
    time) and, for photos, ``thumb_url``. Returns whether the reader sees the originals (None
    when no private file made it worth asking)."""
    originals = None
    for entry in entries:
        for item in entry.attachments:
            stored = item.get("attachment")
            item["display_name"] = display_name(stored) if stored is not None else item.get(
                "name", "")
            item["url"] = item["thumb_url"] = None
            item["label"] = human_label(stored, entry.label, entry.at) if stored else (
                entry.label)
            if stored is None:
                continue
            if not stored.public:
                if originals is None:
                    originals = sees_originals(user, event)
                if not originals:
                    continue
            item["url"] = attachment_url(event, stored)
            if stored.kind == AttachmentKind.PHOTO:
                item["thumb_url"] = thumbnail_url(event, stored)
    return originals


def readable_attachment(request, pk, attachment_pk):
    """The attachment ``attachment_pk`` of event ``pk`` if the reader may open it, else 404:
    the event through ``restrict()``; originals only to staff holding the event by role."""
    event = Event.objects.restrict(request.user, VIEW).filter(pk=pk).first()
    if event is None:
        raise Http404
    attachment = EventAttachment.objects.filter(pk=attachment_pk, event=event).first()
    if attachment is None or (not attachment.public
                              and not sees_originals(request.user, event)):
        raise Http404
    return attachment


class EventAttachmentView(LoginRequiredMixin, View):
    """One stored file of an event the reader may see (anonymous visitors go to sign-in)."""

    http_method_names = ["get", "head"]

    def get(self, request, pk, attachment_pk):
        attachment = readable_attachment(request, pk, attachment_pk)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError, OSError):
            raise Http404 from None
        head = handle.read(16)
        handle.seek(0)
        content_type = _content_type(head)
        filename = safe_filename(display_name(attachment), content_type, attachment.pk)
        disposition = "inline" if content_type in INLINE_TYPES else "attachment"
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = content_disposition(disposition, filename,
                                                              attachment.pk)
        return _private(response)


class EventAttachmentThumbnailView(LoginRequiredMixin, View):
    """A small JPEG of a photo attachment, under exactly the file's own check (404 to anyone
    who may not open the file, and for files that are not photos). Made on the first
    request and kept under ``MEDIA_ROOT/thumbs`` (``attachments.thumbnail``)."""

    http_method_names = ["get", "head"]

    def get(self, request, pk, attachment_pk, size):
        attachment = readable_attachment(request, pk, attachment_pk)
        thumb = attachment_files.thumbnail(attachment, size)
        if thumb is None:
            raise Http404
        response = FileResponse(open(thumb, "rb"), content_type="image/jpeg")
        response["Content-Disposition"] = f'inline; filename="thumb-{attachment.pk}.jpg"'
        return _private(response)


def _private(response):
    """Headers every served file carries: no sniffing, no shared cache, no script."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    response["Referrer-Policy"] = "same-origin"
    return response


urlpatterns = [
    path("<int:pk>/attachments/<int:attachment_pk>/", EventAttachmentView.as_view(),
         name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/thumb/<str:size>/",
         EventAttachmentThumbnailView.as_view(), name="attachment_thumb"),
]
