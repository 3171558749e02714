"""Opening a camera's live view (调阅): one logged, audited, short-lived signed link.

Who: holders of ``video.use``, for the cameras the registry lets them use
(``Camera.objects.restrict(actor, "view")``; any other camera is "not found", so nobody learns
which cameras exist outside their share). Why: a reason is required, and the event the view
is for may be named (one the actor may see). What it writes: one ``CameraView`` (the log
the owner's managers and the audit administrator read) and one audit record
``video.open_live_view``, in one transaction. The link itself is ``live.stream_url(view)``.

A retried request with the same idempotency key is answered by the middleware with the first
answer (the same link): no second row, no second record.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gridgov.audit.recorder import record
from gridgov.core.access import require
from gridgov.events.models import Event

from .. import live
from ..models import Camera, CameraView
from ..permissions import USE

REASON_MAX = 200
NO_STREAM = _lazy("该摄像头未接入视频流(未配置 HLS 地址),暂不能调阅。")


def usable_camera(actor, camera) -> Camera:
    """``camera`` (an instance or its code) when ``actor`` may use it, else 404."""
    code = camera.code if isinstance(camera, Camera) else str(camera or "")
    found = Camera.objects.restrict(actor, "view").filter(code=code).first()
    if found is None:
        raise Http404(_("没有这个摄像头,或您无权调阅。"))
    return found


def clean_reason(reason) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) or reason is None else str(reason)
    if not reason:
        raise ValidationError({"reason": _("请填写调阅事由。")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("调阅事由不能超过 %(n)d 个字符。") % {"n": REASON_MAX}})
    return reason


def visible_event(actor, event) -> Event | None:
    """The event (an instance or its id) when ``actor`` may see it; None when none given."""
    if event in (None, ""):
        return None
    pk = event.pk if isinstance(event, Event) else event
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ValidationError({"event": _("事件编号格式不正确。")}) from None
    if not 0 < pk < 2**63:  # beyond any id (and beyond what the database can compare)
        raise ValidationError({"event": _("没有这个事件,或您无权查看。")})
    found = Event.objects.restrict(actor, "view").filter(pk=pk).first()
    if found is None:
        raise ValidationError({"event": _("没有这个事件,或您无权查看。")})
    return found


def open_live_view(camera, *, actor, reason, event=None, client_ip=None) -> CameraView:
    """Log and audit one live view of ``camera`` by ``actor``; the view's signed link lasts
    ``GRIDGOV_VIDEO_LINK_SECONDS`` (see the module docstring)."""
    scope = require(actor, USE, allow_system=False,
                    message=_("您的角色无权调阅摄像头。"))
    if not isinstance(actor, get_user_model()):
        # The log names a person: a department's system key cannot open a view.
        raise PermissionDenied(_("调阅摄像头须以个人账号登录。"))
    camera = usable_camera(actor, camera)
    if not camera.hls_url:
        raise ValidationError({"camera": NO_STREAM})
    reason = clean_reason(reason)
    event = visible_event(actor, event)
    now = timezone.now()
    with transaction.atomic():
        view = CameraView.objects.create(
            camera=camera, user=actor, department_id=scope.department_id, reason=reason,
            event=event, issued_at=now,
            expires_at=now + dt.timedelta(seconds=live.link_seconds()),
            client_ip=client_ip or None)
        record("video.open_live_view", actor=actor, obj=view, new_chain=True,
               object_repr=str(camera)[:200],
               after={"camera": camera.code, "reason": reason,
                      "event": event.number if event else "",
                      "expires_at": view.expires_at.isoformat()})
    return view
