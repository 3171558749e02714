"""Field terminal: 联系户 — the households linked to the signed-in member, one household's
contacts, and the contact form (a ``data-outbox`` form posting to
``/api/v1/party/contact-logs/``, so a contact logged offline is sent when the network
returns). Only the member's own links (``member.user`` = the signed-in account) are shown;
nothing is written here."""

import datetime as dt

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from gridgov.core.access import require
from gridgov.field.auth import FieldLoginRequiredMixin
from gridgov.visits.choices import Need

from .choices import ContactWay
from .households import DUE_DAYS, due_links
from .models import ContactLink, ContactLog
from .permissions import CONTACT


def own_links(user):
    """The user's own active links (as a member), newest contact last (due first)."""
    return (ContactLink.objects.restrict(user, "change")
            .filter(member__user_id=user.pk, is_active=True)
            .select_related("household_head")
            .order_by(F("last_contact_at").asc(nulls_first=True), "pk"))


class _Page(FieldLoginRequiredMixin, TemplateView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.scope = require(request.user, CONTACT)
        return super().dispatch(request, *args, **kwargs)


class ContactsView(_Page):
    """我的联系户: each household with its last contact, the ones due flagged."""

    template_name = "partywork/field/contacts.html"

    def get_context_data(self, **kwargs):
        links = list(own_links(self.request.user))
        due = set(due_links(ContactLink.objects.filter(pk__in=[x.pk for x in links]))
                  .values_list("pk", flat=True))
        rows = [{"link": x, "due": x.pk in due,
                 "url": reverse("field:party-contact", args=[x.pk])} for x in links]
        return {**super().get_context_data(**kwargs), "rows": rows, "due_days": DUE_DAYS,
                "due": len(due)}


class ContactView(_Page):
    """One household: the last contacts, then 记录联系 (way, notes, needs; the device's
    time stamped on submit)."""

    template_name = "partywork/field/contact.html"

    def get_context_data(self, pk, **kwargs):
        link = get_object_or_404(own_links(self.request.user), pk=pk)
        logs = list(ContactLog.objects.filter(link=link)[:10])
        return {**super().get_context_data(**kwargs), "link": link, "logs": logs,
                "ways": ContactWay.choices, "needs": Need.choices,
                "post_url": reverse("party-contact-log-list"),
                "done_url": reverse("field:party-contact", args=[link.pk]),
                "now": timezone.localtime(),
                "min_time": timezone.localtime() - dt.timedelta(days=7)}
