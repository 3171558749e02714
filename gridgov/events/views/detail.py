"""The event detail page as a case file: facts, deadlines, a map of the place and what is near
it, the photos before and after, the timeline, and the actions open to the reader for the
current state as buttons that say what they will do (plain POST, one form per action; the
case-file parts are built in ``views.casefile``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core import personal_data
from gridgov.core.access import get_scope
from gridgov.core.querysets import VIEW
from gridgov.core.views import PermissionRequiredMixin, ScopedDetailView

from .. import actions, duplicates, trace
from ..forms import TransitionForm
from ..models import Event, EventRequest
from ..workflow import TRANSITIONS, available_actions
from . import casefile
from .files import link_timeline


def _likely_duplicates(request, event) -> int | None:
    """How many likely duplicates the command staff could merge into this event (None when
    the reader cannot merge or the event is past merging), so the page links to them."""
    scope = get_scope(request.user)
    if (scope is None or not scope.can("events.find_duplicates")
            or event.state not in TRANSITIONS["merge"].sources):
        return None
    return len(duplicates.suggest(event, user=request.user))


def _context(request, event, forms_by_action=None) -> dict:
    forms_by_action = dict(forms_by_action or {})
    for transition in available_actions(event, request.user):
        forms_by_action.setdefault(transition.action, TransitionForm(
            transition.action, initial={"version": event.version},
            prefix=transition.action, event=event))
    entries = trace.timeline(event)
    originals = link_timeline(event, entries, request.user)  # files open through views.files
    photos = casefile.photo_groups(entries, originals)
    nearby = casefile.nearby(event, request.user)
    forms = list(forms_by_action.values())
    return {
        "event": event,
        "object": event,
        "timeline": entries,
        "trace_ok": all(e.consistent for e in entries),
        "action_forms": forms,
        "next_steps": casefile.next_steps(event, forms),
        "photos": photos,
        "has_photos": any(photos.values()),
        "nearby": nearby,
        "case_map": casefile.map_config(event, nearby),
        "pending_requests": EventRequest.objects.filter(event=event, status="pending"),
        "attachments": event.attachments.all(),
        "deadline_status": event.deadline_status(),
        "duplicates": event.duplicates.all().only("pk", "number"),
        "likely_duplicates": _likely_duplicates(request, event),
        "can_reveal_contact": bool(event.reporter_phone_masked) and _can(
            request, "events.see_contact"),
    }


def _can(request, permission) -> bool:
    scope = get_scope(request.user)
    return scope is not None and scope.can(permission)


class EventDetailView(ScopedDetailView):
    """One event; out of scope answers 404 like a missing one."""

    model = Event
    template_name = "events/event_detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return super().get_queryset().select_related(
            "category__major", "category__default_department", "department", "grid",
            "assignee", "merged_into")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_context(self.request, self.object))
        return context


class EventActionView(PermissionRequiredMixin, View):
    """POST one workflow action from the detail page; errors re-render the page (400/409).

    Any signed-in principal may post: the action checks the transition's permission
    (``events.<action>``) and scope itself, and a reporter evaluates without a role. Not an
    ``ActionView``: a refused form is shown again with its errors, not as a message.
    """

    http_method_names = ["post"]
    permission = ()

    def post(self, request, pk, action):
        if action not in actions.PERFORMABLE:
            raise Http404
        event = (Event.objects.restrict(request.user, VIEW)
                 .select_related("category__major", "department", "grid", "assignee")
                 .filter(pk=pk).first())
        if event is None:
            raise Http404
        form = TransitionForm(action, request.POST, request.FILES, prefix=action, event=event)
        status = 400
        if form.is_valid():
            try:
                actions.perform(action, event, actor=request.user, data=form.action_data(),
                                attachments=form.cleaned_data.get("attachments") or [],
                                expected_version=form.cleaned_data.get("version"))
            except actions.Conflict as exc:
                messages.error(request, str(exc))
                event = Event.objects.get(pk=event.pk)
                form = None
                status = 409
            except PermissionDenied:
                raise
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("已完成“%(a)s”。") % {"a": form.transition.label})
                return redirect("events:detail", pk=event.pk)
        forms = {action: form} if form is not None else {}
        # Rebuild forms for the other actions against the event as it stands.
        event = (Event.objects.select_related(
            "category__major", "category__default_department", "department", "grid",
            "assignee", "merged_into").get(pk=event.pk))
        return render(request, "events/event_detail.html", _context(request, event, forms),
                      status=status)


class EventRevealContactView(PermissionRequiredMixin, View):
    """POST: the reporter's full phone, shown once for a call back, with a reason; audited
    (``personal_data.reveal``, on the chain ``events.event.reveal:<pk>``), never cached."""

    http_method_names = ["post"]
    permission = "events.see_contact"

    def post(self, request, pk):
        event = Event.objects.restrict(request.user, VIEW).filter(pk=pk).first()
        if event is None:
            raise Http404
        try:
            value = personal_data.reveal(event, "reporter_phone", actor=request.user,
                                         reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("events:detail", pk=pk)
        response = render(request, "events/reveal_contact.html",
                          {"event": event, "value": value})
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [
    path("<int:pk>/", EventDetailView.as_view(), name="detail"),
    path("<int:pk>/reveal-contact/", EventRevealContactView.as_view(), name="reveal_contact"),
    path("<int:pk>/act/<str:action>/", EventActionView.as_view(), name="act"),
]
