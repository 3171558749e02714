"""The resident's tracking page: ``/events/public/track/<secret>/`` (no account).

Whoever holds the link secret (given once, on the page that confirms a public-page report)
reads the case's progress as ``public_links.progress`` builds it and, once the case is
closed, rates it once (``actions.evaluate_by_reporter_link``). An unknown secret answers 404
like a missing page. Evaluations are rate-limited per client address like public reports.

The secret is in the address, so these pages send no Referer to other sites, are never cached by
shared caches and ask search engines not to index them.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from .. import actions, public_links
from .intake import count_submission, error_messages

TEMPLATE = "events/intake/public_track.html"
RATE_BUCKET = "public-evaluate"


def _private(response):
    """Keep the secret address out of Referer headers, shared caches and search engines.

    "same-origin", not "no-referrer": under no-referrer the browser posts the rating form
    with ``Origin: null``, which Django's CSRF check refuses; same-origin still sends no
    Referer to any other site."""
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _event_or_404(token):
    event = public_links.find(token)
    if event is None:
        raise Http404
    return event


class PublicTrackView(View):
    """Progress of one public-page report, and its evaluation once closed."""

    def _page(self, request, event, token, *, errors=None, values=None, status=200):
        context = public_links.progress(event)
        context.update({"token": token, "errors": errors or {}, "values": values or {},
                        "scores": range(5, 0, -1),
                        "comment_max": actions.LINK_COMMENT_MAX})
        return _private(render(request, TEMPLATE, context, status=status))

    def get(self, request, token):
        return self._page(request, _event_or_404(token), token)

    def post(self, request, token):
        event = _event_or_404(token)
        values = {"score": request.POST.get("score", ""),
                  "comment": request.POST.get("comment", "")}
        decision = count_submission(request, RATE_BUCKET)
        if not decision.allowed:
            response = self._page(request, event, token, values=values, status=429, errors={
                "form": [_("提交过于频繁,请 %(m)d 分钟后再试。") % {"m": decision.retry_minutes}]})
            response["Retry-After"] = str(decision.retry_after)
            return response
        try:
            actions.evaluate_by_reporter_link(event, token=token, score=values["score"],
                                              comment=values["comment"])
        except PermissionDenied:
            raise Http404 from None
        except actions.Conflict as exc:
            return self._page(request, event, token, errors={"form": [str(exc)]}, status=400)
        except ValidationError as exc:
            return self._page(request, event, token, errors=error_messages(exc),
                              values=values, status=400)
        messages.success(request, _("感谢您的评价!"))
        return redirect("events:public_track", token=token)


class PublicPhotoView(View):
    """A public copy of a photo on the tracking page (location metadata already stripped)."""

    def get(self, request, token, pk):
        photo = public_links.public_photo(_event_or_404(token), pk)
        if photo is None:
            raise Http404
        try:
            handle = photo.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        return _private(FileResponse(handle, content_type=photo.content_type))


urlpatterns = [
    path("public/track/<str:token>/", PublicTrackView.as_view(), name="public_track"),
    path("public/track/<str:token>/photo/<int:pk>/", PublicPhotoView.as_view(),
         name="public_track_photo"),
]
