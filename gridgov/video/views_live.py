"""Live view and video patrol pages, and the signed HLS relay.

- ``video:live`` ``/video/cameras/<code>/live/``: GET asks why (and for which event:
  ``?event=<id>`` fills it in); POST opens the view (``actions.live.open_live_view``: logged
  and audited) and shows the player with who, why and until when. The page carries the
  signed link, so it is never cached; a re-sent form (same ``idempotency_key``) gets the
  same page back from the idempotency middleware, not a second view.
- ``video:stream`` ``/video/stream/<token>/<name>``: the link itself (``live``). Whoever
  holds it may play it until it expires, like any signed link; each playlist request checks
  again that the view's user may still use the camera, so a revoked grant stops the playback
  at the player's next playlist refresh. Every request counts on the view's row (one UPDATE).
- ``video:report`` ``/video/cameras/<code>/report/``: 视频巡查, an event from the camera with
  a snapshot (``actions.patrol.report_from_camera``), then the new event's page.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.db.models.functions import Coalesce
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.middleware import content_security_policy
from gridgov.core.views import PermissionRequiredMixin
from gridgov.events.actions.intake import IdempotencyMismatch
from gridgov.events.choices import Urgency
from gridgov.events.models import MinorCategory
from gridgov.events.views.lists import detail_url

from . import live
from .actions.live import NO_STREAM, open_live_view, usable_camera, visible_event
from .actions.patrol import report_from_camera
from .models import Camera, CameraView
from .permissions import USE

log = logging.getLogger("gridgov.video")
REPORT_PERMISSION = "events.report_video"


def _errors(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"form": exc.messages}


def _private(response):
    # The live page holds a signed link and the report page a snapshot: never kept by a
    # shared cache nor by the browser's back-forward cache on a shared desk.
    response["Cache-Control"] = "private, no-store"
    return response


def _player_policy() -> str:
    # hls.js feeds the <video> through Media Source Extensions (a blob: URL), which the
    # site's policy (media from this site only, by default-src) would refuse.
    return content_security_policy() + "; media-src 'self' blob:"


# --- the live page ---------------------------------------------------------------------------


class LiveView(PermissionRequiredMixin, View):
    """Ask the reason (GET); open the view (POST), then play it (GET ``?view=<id>``: the
    viewer's own view of this camera while its link lasts; a reload plays on, a form sent
    again is answered with the same redirect by the idempotency middleware)."""

    permission = USE
    template_name = "video/live.html"

    def _context(self, camera, **extra) -> dict:
        return {"camera": camera, "values": {}, "errors": {}, "no_stream": NO_STREAM,
                "can_report": self.scope.can(REPORT_PERMISSION), **extra}

    def _event(self, request, value):
        try:
            return visible_event(request.user, value or None)
        except ValidationError:
            return None  # a stale or foreign id is just not filled in

    def get(self, request, code):
        camera = usable_camera(request.user, code)
        if request.GET.get("view"):
            return self._player(request, camera, request.GET["view"])
        event = self._event(request, request.GET.get("event"))
        values = {"event": event.pk} if event is not None else {}
        return _private(render(request, self.template_name,
                               self._context(camera, values=values, event=event)))

    def _player(self, request, camera, view_id):
        view = None
        if view_id.isdigit() and len(view_id) < 19:
            view = (CameraView.objects.select_related("event", "department", "user")
                    .filter(pk=int(view_id), user=request.user, camera=camera).first())
        if view is None or timezone.now() >= view.expires_at:
            # Ended (or not this person's): ask again, which is a new, logged view.
            event = view.event if view is not None else None
            return _private(render(request, self.template_name, self._context(
                camera, values={"event": event.pk} if event else {}, event=event,
                errors={"form": [_("本次调阅已结束,请重新填写事由调阅。")]})))
        response = render(request, self.template_name, self._context(
            camera, view=view, stream_url=live.stream_url(view), event=view.event,
            seconds=live.link_seconds()))
        response["Content-Security-Policy"] = _player_policy()
        return _private(response)

    def post(self, request, code):
        camera = usable_camera(request.user, code)
        post = request.POST
        try:
            view = open_live_view(camera, actor=request.user, reason=post.get("reason"),
                                  event=post.get("event") or None,
                                  client_ip=live.client_ip(request))
        except ValidationError as exc:
            return _private(render(request, self.template_name, self._context(
                camera, values=post, errors=_errors(exc),
                event=self._event(request, post.get("event"))), status=400))
        return redirect(f"{request.path}?view={view.pk}")


# --- the signed relay ------------------------------------------------------------------------


def _refuse(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _still_usable(view) -> bool:
    user = view.user
    if not user.is_active:
        return False
    return Camera.objects.restrict(user, "view").filter(pk=view.camera_id).exists()


class StreamView(View):
    """One file of a signed live view: the playlist (rewritten) or a segment (streamed)."""

    http_method_names = ["get", "head"]

    def get(self, request, token, name):
        token_id = live.unsign(token)
        if token_id is None:
            log.warning("live view: forged or altered link refused (%s)", live.client_ip(request))
            return _refuse(403, _("调阅链接无效。"))
        view = (CameraView.objects.select_related("camera", "user")
                .filter(token_id=token_id).first())
        if view is None:
            log.warning("live view: link of no view refused")
            return _refuse(403, _("调阅链接无效。"))
        now = timezone.now()
        if now >= view.expires_at:
            log.info("live view %s: expired link refused", view.pk)
            return _refuse(403, _("调阅链接已过期,请重新调阅。"))
        clean = live.clean_name(name)
        if clean is None:
            log.warning("live view %s: bad name refused: %r", view.pk, name[:100])
            return _refuse(404, _("没有这个视频文件。"))
        playlist = live.is_playlist(clean)
        if playlist and not _still_usable(view):
            log.info("live view %s: camera no longer usable by %s", view.pk, view.user_id)
            return _refuse(403, _("您已无权调阅该摄像头,播放已停止。"))
        CameraView.objects.filter(pk=view.pk).update(
            requests=F("requests") + 1, last_used_at=now,
            first_used_at=Coalesce(F("first_used_at"), now))
        try:
            source = live.Source(view.camera.hls_url)
            if playlist:
                body = live.playlist_body(source, clean, live.stream_prefix(token))
                response = HttpResponse(body, content_type=live.content_type(clean))
            else:
                chunks, length = source.stream(clean)
                response = StreamingHttpResponse(chunks, content_type=live.content_type(clean))
                if length is not None:
                    response["Content-Length"] = str(length)
        except live.SourceError as exc:
            return _refuse(exc.status, exc.message)
        # Nobody between us and the viewer keeps a copy: the link is the permission.
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- video patrol ----------------------------------------------------------------------------


def _categories():
    return (MinorCategory.objects.filter(is_active=True, major__is_active=True)
            .select_related("major").order_by("major__code", "code"))


class ReportView(PermissionRequiredMixin, View):
    """视频巡查: describe what the camera shows, attach the snapshot, file the event."""

    permission = USE
    template_name = "video/patrol.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not isinstance(request.user, get_user_model()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _check(self):
        if not self.scope.can(REPORT_PERMISSION):
            raise PermissionDenied(_("只有指挥中心人员可以上报视频巡查事件。"))

    def _render(self, request, camera, values=None, errors=None, status=200):
        return _private(render(request, self.template_name, {
            "camera": camera, "values": values or {}, "errors": errors or {},
            "categories": _categories(), "urgencies": Urgency.choices,
        }, status=status))

    def get(self, request, code):
        self._check()
        return self._render(request, usable_camera(request.user, code))

    def post(self, request, code):
        self._check()
        camera = usable_camera(request.user, code)
        post = request.POST
        try:
            result = report_from_camera(
                camera, actor=request.user, description=post.get("description"),
                snapshot=request.FILES.get("snapshot") or post.get("snapshot_data") or None,
                category=post.get("category") or None, urgency=post.get("urgency") or None,
                idempotency_key=post.get("idempotency_key") or None)
        except ValidationError as exc:
            return self._render(request, camera, post, _errors(exc), status=400)
        except IdempotencyMismatch:
            return self._render(request, camera, post, {"form": [
                _("该表单已提交过,请重新填写。")]}, status=400)
        return redirect(detail_url(result.event) or request.path)
