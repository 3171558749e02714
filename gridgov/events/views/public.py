"""Residents' pages with no account: tracking, lookup by number and phone, the QR poster.

- ``/events/public/lookup/``: a resident types the case number and the phone they gave;
  a match (on the phone's lookup hash, never the plain number) shows the same progress as
  the tracking link, read-only. "No such number" and "phone does not match" answer alike, and
  failed attempts are limited per address (``GRIDGOV_RATE_PUBLIC_LOOKUP``) and per number
  (``GRIDGOV_RATE_PUBLIC_LOOKUP_NUMBER``), so neither numbers nor phones can be guessed.
- ``/events/public/poster/``: an A4 poster with the report page's address as a QR code
  (``GRIDGOV_PUBLIC_BASE_URL``, else the host the poster was asked from).

The tracking page: ``/events/public/track/<secret>/``.

Whoever holds the link secret (given once, on the page that confirms a public-page report)
reads the case's progress as ``public_links.progress`` builds it and, once the case is
closed, rates it once (``actions.evaluate_by_reporter_link``). An unknown secret answers 404
like a missing page. Evaluations are rate-limited per client address like public reports.

The secret is in the address, so these pages send no Referer to other sites, are never cached by
shared caches and ask search engines not to index them.
"""

import re

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core import personal_data, throttle

from .. import actions, public_links
from ..models import Event
from .intake import count_submission, error_messages

TEMPLATE = "events/intake/public_track.html"
LOOKUP_TEMPLATE = "events/intake/public_lookup.html"
POSTER_TEMPLATE = "events/intake/public_poster.html"
RATE_BUCKET = "public-evaluate"
# Case numbers are letters and digits (E2026120100000123; imported ones may hold dashes).
NUMBER_RE = re.compile(r"^[A-Za-z0-9-]{4,20}$")
PHONE_DIGITS_MIN = 7


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


class PublicLookupView(View):
    """A resident finds their case by its number and the phone they gave (read-only)."""

    def _page(self, request, *, values=None, errors=None, status=200, found=None):
        context = {"values": values or {}, "errors": errors or {}, "found": found is not None}
        if found is not None:
            context.update(public_links.progress(found))
            context["can_evaluate"] = False  # rating needs the private link, not a phone
        return _private(render(request, LOOKUP_TEMPLATE, context, status=status))

    def get(self, request):
        return self._page(request)

    def post(self, request):
        number = (request.POST.get("number") or "").strip().upper()
        phone = (request.POST.get("phone") or "").strip()
        # The phone is not sent back into the page: the answer may be shown on a shared screen.
        values = {"number": number}
        errors = {}
        if not NUMBER_RE.match(number):
            errors["number"] = [_("请输入事件编号(提交成功页面上显示的编号)。")]
        if len(re.sub(r"\D", "", phone)) < PHONE_DIGITS_MIN:
            errors["phone"] = [_("请输入反映时填写的手机号或电话。")]
        if errors:
            return self._page(request, values=values, errors=errors, status=400)
        address = throttle.client_address(request)
        for name, key in (("public-lookup", address), ("public-lookup-number", number)):
            decision = throttle.check(name, key)
            if not decision.allowed:
                response = self._page(request, values=values, status=429, errors={"form": [
                    _("查询过于频繁,请 %(m)d 分钟后再试。") % {"m": decision.retry_minutes}]})
                response["Retry-After"] = str(decision.retry_after)
                return response
        event = _match(number, phone)
        if event is None:
            # One answer for an unknown number and a phone that does not match.
            return self._page(request, values=values, status=404, errors={"form": [
                _("未找到与该编号和电话相符的反映,请核对后再试。")]})
        # A match gives its counts back: a resident looking up their own cases is not slowed.
        for name, key in (("public-lookup", address), ("public-lookup-number", number)):
            limits = throttle.rate(name)
            if limits is not None:
                throttle.refund(name, key, window=limits.window)
        return self._page(request, values=values, found=event)


def _match(number: str, phone: str):
    """The event with this number whose reporter gave this phone, or None (also when the
    event has no reporter phone: the hash of "" is "", never equal to a phone's)."""
    digest = personal_data.phone_lookup_hash(phone)
    if not digest:
        return None
    return (Event.objects.select_related("category", "merged_into__category")
            .filter(number=number, reporter_phone_hash=digest).first())


def public_report_url(request) -> str:
    """The absolute address of the public report page, as a poster prints it."""
    base = getattr(settings, "GRIDGOV_PUBLIC_BASE_URL", "")
    path_ = reverse("events:public_report")
    return base + path_ if base else request.build_absolute_uri(path_)


def qr_svg(text: str, title: str = "") -> str:
    """``text`` as an inline SVG QR code (error correction M: survives a scuffed poster),
    sized by its viewBox so CSS scales it."""
    return segno.make(text, error="m", micro=False).svg_inline(
        scale=1, border=4, omitsize=True, title=title or None, svgclass="gg-qr")


class PublicPosterView(View):
    """An A4 poster: the report page's address as a QR code, with short instructions."""

    def get(self, request):
        url = public_report_url(request)
        return render(request, POSTER_TEMPLATE, {
            "url": url, "qr": mark_safe(qr_svg(url, _("我要反映二维码"))),  # noqa: S308 (segno's own SVG)
            "lookup_url": reverse("events:public_lookup")})


urlpatterns = [
    path("public/lookup/", PublicLookupView.as_view(), name="public_lookup"),
    path("public/poster/", PublicPosterView.as_view(), name="public_poster"),
    path("public/track/<str:token>/", PublicTrackView.as_view(), name="public_track"),
    path("public/track/<str:token>/photo/<int:pk>/", PublicPhotoView.as_view(),
         name="public_track_photo"),
]
