"""Pages of 党员联系户: the list of the principal's areas (links, uncovered households,
contacts due), a member's own households, linking a household, one link with its contacts
(log a contact, unlink)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import ActionView, PermissionRequiredMixin, error_text

from .. import actions
from ..forms import ContactForm, LinkForm, UnlinkForm, WorkFilterForm
from ..households import DUE_DAYS, due_links, households, uncovered
from ..models import ContactLink, ContactLog
from ..permissions import CONTACT, MANAGE, VIEW
from .common import PAGE_SIZE, add_errors, members_for_household, own_member, work_areas


def _links(user):
    return (ContactLink.objects.restrict(user)
            .select_related("member__person", "member__organisation", "household_head"))


class WorkView(PermissionRequiredMixin, View):
    """党员联系户: coverage of the principal's areas, then the links, the households nobody
    is linked to, or the links without a contact in 90 days. A party member sees their own
    households."""

    permission = (VIEW, CONTACT)

    def get(self, request):
        if not self.scope.can(VIEW):
            return self.mine(request)
        areas = work_areas(self.scope)
        form = WorkFilterForm(request.GET or None, areas=areas)
        tab, area, q, status = "links", "", "", 200
        if form.is_bound:
            if form.is_valid():
                tab = form.cleaned_data["tab"] or "links"
                area, q = form.cleaned_data["area"], form.cleaned_data["q"].strip()
            else:
                status = 400
        area_q = self.scope.area_q("area_code", VIEW)
        if area:
            area_q &= Q(area_code__startswith=area)
        homes = households(area_q)
        total = homes.count()
        linked = _links(request.user).filter(area_q, is_active=True).filter(
            household_head__in=homes.values("pk")).count()
        if tab == "uncovered":
            qs = uncovered(area_q)
            if q:
                qs = qs.filter(name__contains=q)
        else:
            qs = _links(request.user).filter(area_q, is_active=True)
            if tab == "due":
                qs = due_links(qs).order_by(F("last_contact_at").asc(nulls_first=True), "pk")
            if q:
                qs = qs.filter(Q(household_head__name__contains=q)
                               | Q(member__person__name__contains=q))
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "partywork/work.html", {
            "form": form, "tab": tab, "page_obj": page, "query": query.urlencode(),
            "total": total, "linked": linked,
            "coverage": round(linked * 100 / total, 1) if total else None,
            "due_days": DUE_DAYS, "can_manage": self.scope.can(MANAGE),
            "today": timezone.localdate()}, status=status)

    def mine(self, request):
        member = own_member(request.user)
        links = list(_links(request.user).filter(member__user_id=request.user.pk,
                                                 is_active=True).order_by("pk"))
        due = set(due_links(ContactLink.objects.filter(pk__in=[x.pk for x in links]))
                  .values_list("pk", flat=True))
        for link in links:
            link.due = link.pk in due
        return render(request, "partywork/mine.html", {
            "member": member, "links": links, "due_days": DUE_DAYS})


class LinkNewView(PermissionRequiredMixin, View):
    """Link one household (``?household=<person id>``) to a member of its areas."""

    permission = MANAGE

    def household(self, request):
        from gridgov.basedata.models import Person

        pk = request.GET.get("household") or request.POST.get("household") or ""
        if not pk.isdigit():
            raise Http404(_("没有这一户。"))
        return get_object_or_404(Person.objects.filter(self.scope.area_q("area_code", MANAGE))
                                 .select_related("house"), pk=pk)

    def show(self, request, head, form, status=200):
        return render(request, "partywork/link_form.html", {"head": head, "form": form},
                      status=status)

    def get(self, request):
        head = self.household(request)
        form = LinkForm(members=members_for_household(request.user, head),
                        initial={"since": timezone.localdate()})
        return self.show(request, head, form)

    def post(self, request):
        from gridgov.party.models import PartyMember

        head = self.household(request)
        form = LinkForm(request.POST, members=members_for_household(request.user, head))
        if form.is_valid():
            data = form.cleaned_data
            try:
                link = actions.link_household(
                    PartyMember.objects.get(pk=data["member"]), head, since=data["since"],
                    note=data["note"], actor=request.user)
            except ValidationError as exc:
                add_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("已安排党员联系该户。"))
                return redirect("partywork:link", pk=link.pk)
        return self.show(request, head, form, status=400)


class LinkView(PermissionRequiredMixin, View):
    """One link: the household, the member, the contacts; log a contact (the member, a
    secretary of the area) or unlink (a secretary)."""

    permission = (VIEW, CONTACT)

    def show(self, request, link, form, status=200):
        logs = Paginator(ContactLog.objects.restrict(request.user).filter(link=link)
                         .select_related("recorded_by"), 30).get_page(request.GET.get("page"))
        can_log = (link.is_active and self.scope.can(CONTACT, MANAGE)
                   and ContactLink.objects.restrict(request.user, "change")
                   .filter(pk=link.pk).exists())
        return render(request, "partywork/link.html", {
            "link": link, "logs": logs, "form": form if can_log else None,
            "unlink_form": UnlinkForm(initial={"expected_version": link.version})
            if link.is_active and self.scope.covers(link.area_code, MANAGE) else None,
            "due_days": DUE_DAYS}, status=status)

    def get(self, request, pk):
        link = get_object_or_404(_links(request.user), pk=pk)
        return self.show(request, link, ContactForm())

    def post(self, request, pk):
        link = get_object_or_404(ContactLink.objects.restrict(request.user, "change")
                                 .select_related("member__person", "member__organisation",
                                                 "household_head"), pk=pk)
        form = ContactForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.log_contact(link, contacted_at=data["contacted_at"], way=data["way"],
                                    notes=data["notes"], needs=data["needs"],
                                    needs_note=data["needs_note"], actor=request.user)
            except ValidationError as exc:
                add_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("联系情况已记录。"))
                return redirect("partywork:link", pk=link.pk)
        link.refresh_from_db()
        return self.show(request, link, form, status=400)


class UnlinkView(ActionView):
    """解除联系户 (POST): the link and its contacts stay on record."""

    permission = MANAGE
    model = ContactLink

    def run(self, request, pk):
        link = self.get_object()
        form = UnlinkForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        try:
            actions.unlink_household(link, until=form.cleaned_data["until"],
                                     note=form.cleaned_data["note"],
                                     expected_version=form.cleaned_data["expected_version"],
                                     actor=request.user)
        except actions.StaleVersion as exc:
            raise ValidationError(str(exc)) from None
        return _("已解除联系户。")

    def back_url(self, request, pk):
        return reverse("partywork:link", args=[pk])
