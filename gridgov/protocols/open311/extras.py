"""Open311 extensions partner apps use beyond GeoReport v2 (docs/open311.md):

- request notes, the status history, in the shape of the widely used ``notes`` extension
  (Chicago's ``extensions=true``): a list of ``{datetime, summary, type, description}``
  with ``type`` ``opened``, ``activity`` or ``closed``. The steps are the resident's
  timeline (``events.public_links.steps``): only steps with a public label, a remark only
  where the tracking page shows one (the handler's account of the work), screened for
  phone and ID numbers unless the caller may read the event in full;
- media: the public copy of a photo sent with the request (re-encoded without metadata when
  it was taken in), served at ``media/{id}`` and linked as ``media_url``. Originals, audio
  and video have no public copy and are never served here.
"""

from django.db.models import OuterRef, Subquery
from django.http import FileResponse
from django.urls import reverse

from gridgov.events import public_links
from gridgov.events.models import EventAttachment

# The audit step of a report: its first record, where the request's own media are attached.
REPORT_STEP = 1


def report_media_subquery():
    """The id of an event's first public report photo (annotate as ``media_id``)."""
    return Subquery(
        EventAttachment.objects.filter(event=OuterRef("pk"), public=True, step=REPORT_STEP)
        .order_by("id").values("id")[:1])


def media_url(request, media_id) -> str:
    if not media_id:
        return ""
    return request.build_absolute_uri(reverse("open311:media", kwargs={"pk": media_id}))


def notes(event, *, closed: bool, screen) -> list[dict]:
    """The request's status history as the ``notes`` extension writes it."""
    from .formats import w3_datetime

    steps = public_links.steps(event)
    out = []
    for index, step in enumerate(steps):
        if index == 0:
            kind = "opened"
        elif closed and index == len(steps) - 1:
            kind = "closed"
        else:
            kind = "activity"
        out.append({"datetime": w3_datetime(step.at), "summary": step.label, "type": kind,
                    "description": screen(step.remark) if step.remark else ""})
    return out


def media_response(attachment) -> FileResponse:
    """The public copy as a file, cacheable by anyone (it is public)."""
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Cache-Control"] = "public, max-age=300"
    response["Content-Disposition"] = "inline"
    return response
