"""Field terminal: 走访 — due and overdue visits of the worker's grid, a person's visits, and
the visit form (a ``data-outbox`` + ``data-geo`` form posting to ``/api/v1/visits/``).

Every page is a GET rendered by the server (the service worker keeps a copy for offline
use); people are read inside the areas where the worker holds ``visits.view`` (else 404)
and shown masked; nothing is written here.
"""

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from gridgov.core.access import require
from gridgov.field.auth import FieldLoginRequiredMixin

from .choices import Need, VisitKind
from .models import Visit, VisitSchedule
from .permissions import VIEW, VISIT
from .views import due_rows

PAGE_SIZE = 30
SOON_DAYS = 7


class _Page(FieldLoginRequiredMixin, TemplateView):
    permission = VIEW

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.scope = require(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)

    def person(self, pk, perm=VIEW):
        from gridgov.basedata.models import Person

        if self.scope is None:
            raise Http404
        return get_object_or_404(
            Person.objects.restrict(self.request.user, "view")
            .filter(self.scope.area_q("area_code", perm)), pk=pk)


class ListView(_Page):
    """Due within a week, overdue first (with days overdue), then the recent visits."""

    template_name = "visits/field/list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        user = self.request.user
        page = Paginator(due_rows(user, state="week", today=today), PAGE_SIZE).get_page(
            self.request.GET.get("page"))
        rows = [{"s": s, "days": s.days_overdue(today), "today": s.next_due == today,
                 "url": reverse("field:visits-person", args=[s.person_id])}
                for s in page.object_list]
        recent = list(Visit.objects.restrict(user, "view").select_related("person")[:10])
        return {**super().get_context_data(**kwargs), "rows": rows, "page_obj": page,
                "recent": recent, "today": today,
                "overdue": sum(1 for r in rows if r["days"])}


class PersonView(_Page):
    """The person (masked), the open schedules and the last visits; 记录走访 below."""

    template_name = "visits/field/person.html"

    def get_context_data(self, pk, **kwargs):
        person = self.person(pk)
        today = timezone.localdate()
        schedules = list(VisitSchedule.objects.restrict(self.request.user, "view")
                         .filter(person=person, closed_at__isnull=True)
                         .select_related("plan__tag").order_by("next_due"))
        governing = next((s for s in schedules if s.governing), None)
        visits = list(Visit.objects.restrict(self.request.user, "view").filter(person=person)
                      .prefetch_related("photos")[:10])
        return {**super().get_context_data(**kwargs), "person": person,
                "schedules": schedules, "governing": governing, "visits": visits,
                "today": today,
                "days": governing.days_overdue(today) if governing else 0,
                "tags": [t for t in person.tags.all() if not t.restricted],
                "can_visit": self.scope.covers(person.area_code, VISIT)
                and getattr(person, "status", "residing") == "residing"}


class NewView(_Page):
    """The visit form: kind, notes, needs, photos; the device's time and position."""

    template_name = "visits/field/new.html"
    permission = VISIT

    def get_context_data(self, pk, **kwargs):
        person = self.person(pk, VISIT)
        return {**super().get_context_data(**kwargs), "person": person,
                "kinds": VisitKind.choices, "needs": Need.choices,
                "post_url": reverse("visit-list"),
                "done_url": reverse("field:visits-person", args=[person.pk]),
                "now": timezone.localtime(),
                "min_time": timezone.localtime() - dt.timedelta(days=7)}
