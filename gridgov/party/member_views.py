"""Desktop pages of party members (/party/members/) and transfers (/party/transfers/):
the list and a member's page, registering a member by ID number, the member forms (edit,
status, transfer, check-in) and deciding transfers, all through ``actions``."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import PermissionRequiredMixin, error_text

from . import actions
from .choices import TransferKind, TransferStatus
from .forms import (
    CheckInForm,
    DecisionForm,
    MemberAddForm,
    MemberEditForm,
    StatusForm,
    TransferForm,
)
from .models import PartyMember, PartyOrganisation, PartyTransfer
from .permissions import MANAGE, VIEW
from .views import PAGE_SIZE, _apply_errors

# --- members -----------------------------------------------------------------------------------


class MemberListView(PermissionRequiredMixin, View):
    """党员: the members of the user's areas (and those checked in to an organisation of
    them), by organisation (with its sub-organisations), status, in-service and name; the
    name search runs only over those rows (``PartyMemberFilterSet``, as the API)."""

    permission = VIEW

    def get(self, request):
        from .filtersets import PartyMemberFilterSet

        qs = (PartyMember.objects.restrict(request.user, "view")
              .select_related("person", "organisation", "checked_in_to")
              .order_by("area_code", "person__name", "pk"))
        filterset = PartyMemberFilterSet(request.GET or None, queryset=qs, request=request)
        status_code = 400 if filterset.is_bound and not filterset.is_valid() else 200
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "party/members.html", {
            "form": filterset.form, "page_obj": page, "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1,
            "can_manage": self.scope.can(MANAGE)}, status=status_code)


def visible_member(user, pk, action="view"):
    return get_object_or_404(
        PartyMember.objects.restrict(user, action)
        .select_related("person", "organisation", "checked_in_to", "user"), pk=pk)


class MemberDetailView(PermissionRequiredMixin, View):
    """One member: the person's name and masked ID (nothing else is copied), organisation,
    posts, transfers and check-in."""

    permission = VIEW

    def get(self, request, pk):
        from gridgov.basedata.access import birth_date_shown

        member = visible_member(request.user, pk)
        return render(request, "party/member.html", {
            "member": member,
            # As basic data shows it: the year only unless the user may reveal the ID number
            # (the full date beside the masked number would rebuild it).
            "birth_date": birth_date_shown(member.person, request.user),
            "posts": member.posts.select_related("organisation").order_by("-started_on"),
            "transfers": member.transfers.select_related("from_organisation",
                                                         "to_organisation"),
            "can_manage": self.scope.covers(member.area_code, MANAGE),
            "today": timezone.localdate()})


def people_in_scope(scope):
    from gridgov.basedata.models import Person

    return Person.objects.filter(scope.area_q("area_code", MANAGE))


class MemberAddView(PermissionRequiredMixin, View):
    """Register a member: a basic-data person of the user's areas, by ID number or from the
    person's page (``?person=<id>``)."""

    permission = MANAGE

    def orgs(self):
        return list(PartyOrganisation.objects.restrict(self.request.user, "change")
                    .filter(is_active=True).order_by("area_code", "kind", "name")[:2000])

    def show(self, request, form, person=None, status=200):
        return render(request, "party/member_add.html", {"form": form, "person": person},
                      status=status)

    def person(self, pk):
        if not pk:
            return None
        return people_in_scope(self.scope).filter(pk=pk).first()

    def get(self, request):
        person = self.person(request.GET.get("person", "") if
                             request.GET.get("person", "").isdigit() else None)
        initial = {"person": person.pk if person else None}
        if request.GET.get("organisation", "").isdigit():
            initial["organisation"] = int(request.GET["organisation"])
        return self.show(request, MemberAddForm(initial=initial, orgs=self.orgs()), person)

    def post(self, request):
        form = MemberAddForm(request.POST, orgs=self.orgs())
        person = None
        if form.is_valid():
            data = form.cleaned_data
            person = self.person(data["person"])
            if person is None and data["id_number"].strip():
                person = (people_in_scope(self.scope)
                          .by_id_number(data["id_number"].strip().upper()).first())
            if person is None:
                form.add_error("id_number",
                               _("在您负责的区域内没有找到这个人员,请先在实有人口中登记。"))
            else:
                org = PartyOrganisation.objects.restrict(request.user, "change").filter(
                    pk=data["organisation"]).first()
                try:
                    member = actions.add_member(
                        person=person, organisation=org, kind=data["kind"],
                        joined_on=data["joined_on"], in_service=data["in_service"],
                        work_unit=data["work_unit"], actor=request.user)
                except (ValidationError, PermissionDenied, Http404) as exc:
                    _apply_errors(form, exc if not isinstance(exc, Http404) else
                                  ValidationError({"organisation": _("没有这个党组织。")}))
                else:
                    messages.success(request, _("党员已登记。"))
                    return redirect("party:member", member.pk)
        return self.show(request, form, person, status=400)


class _MemberFormView(PermissionRequiredMixin, View):
    """A form on one member the user manages (edit, status, transfer, check-in)."""

    permission = MANAGE
    form_class = None
    title = ""
    done = ""
    action = "change"

    def get_member(self, pk):
        return visible_member(self.request.user, pk, self.action)

    def form_kwargs(self, member):
        return {}

    def initial(self, member):
        return {}

    def show(self, request, member, form, status=200):
        return render(request, "party/form.html", {
            "title": self.title, "subject": member.person.name, "form": form,
            "back": reverse("party:member", args=[member.pk])}, status=status)

    def get(self, request, pk):
        member = self.get_member(pk)
        return self.show(request, member, self.form_class(initial=self.initial(member),
                                                          **self.form_kwargs(member)))

    def post(self, request, pk):
        member = self.get_member(pk)
        form = self.form_class(request.POST, **self.form_kwargs(member))
        if form.is_valid():
            try:
                self.act(member, form.cleaned_data)
            except (ValidationError, PermissionDenied, actions.StaleVersion) as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, self.done)
                return redirect("party:member", member.pk)
        return self.show(request, member, form, status=400)


class MemberEditView(_MemberFormView):
    form_class = MemberEditForm
    title = _("修改党员信息")
    done = _("党员信息已保存。")

    def initial(self, m):
        return {"kind": m.kind, "joined_on": m.joined_on, "in_service": m.in_service,
                "work_unit": m.work_unit, "expected_version": m.version}

    def act(self, member, data):
        actions.update_member(member, kind=data["kind"], joined_on=data["joined_on"],
                              in_service=data["in_service"], work_unit=data["work_unit"],
                              user=member.user, expected_version=data["expected_version"],
                              actor=self.request.user)


class MemberStatusView(_MemberFormView):
    form_class = StatusForm
    title = _("变更党员状态")
    done = _("党员状态已变更。")

    def initial(self, m):
        return {"status": m.status, "on": timezone.localdate(), "expected_version": m.version}

    def act(self, member, data):
        actions.change_member_status(member, status=data["status"], on=data["on"],
                                     note=data["note"], expected_version=data["expected_version"],
                                     actor=self.request.user)


def all_active_orgs():
    """Every active organisation of the system: a transfer or a check-in may go anywhere
    (names only; nothing of their members is shown)."""
    return (PartyOrganisation.objects.filter(is_active=True)
            .order_by("area_code", "kind", "name").only("pk", "name", "kind")[:5000])


class TransferView(_MemberFormView):
    """组织关系转接 out of the member's organisation."""

    form_class = TransferForm
    title = _("组织关系转接")
    done = _("转接已发起。")

    def form_kwargs(self, member):
        return {"orgs": all_active_orgs()}

    def act(self, member, data):
        to = None
        if data["kind"] == TransferKind.INTERNAL and data["to_organisation"]:
            to = PartyOrganisation.objects.filter(pk=data["to_organisation"]).first()
        actions.request_transfer(member, kind=data["kind"], to_organisation=to,
                                 destination=data["destination"], reason=data["reason"],
                                 actor=self.request.user)


class MemberCheckInView(_MemberFormView):
    """双报到 from the member's side: the home community organisation."""

    form_class = CheckInForm
    title = _("在职党员到社区报到")
    done = _("报到已登记。")

    def form_kwargs(self, member):
        return {"orgs": all_active_orgs().filter(kind__in=actions.CHECK_IN_KINDS,
                                                 area__level__in=("community", "grid"))}

    def initial(self, m):
        return {"on": timezone.localdate()}

    def act(self, member, data):
        org = PartyOrganisation.objects.filter(pk=data["organisation"]).first()
        actions.check_in(member, organisation=org, on=data["on"], actor=self.request.user)


class MemberCheckOutView(PermissionRequiredMixin, View):
    permission = MANAGE

    def post(self, request, pk):
        member = visible_member(request.user, pk)
        try:
            actions.check_out(member, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已取消报到。"))
        return redirect("party:member", member.pk)


# --- transfers ---------------------------------------------------------------------------------


class TransferListView(PermissionRequiredMixin, View):
    """组织关系转接: pending transfers to receive and sent, then the recent ones."""

    permission = VIEW

    def get(self, request):
        qs = (PartyTransfer.objects.restrict(request.user, "view")
              .select_related("member__person", "from_organisation", "to_organisation"))
        pending = list(qs.filter(status=TransferStatus.PENDING))
        for t in pending:
            t.can_receive = self.scope.covers(t.to_area_code or "-", MANAGE)
            t.can_cancel = self.scope.covers(t.from_area_code, MANAGE)
        recent = qs.exclude(status=TransferStatus.PENDING).filter(
            requested_at__gte=timezone.now() - dt.timedelta(days=365))[:100]
        return render(request, "party/transfers.html", {
            "incoming": [t for t in pending if t.can_receive],
            "outgoing": [t for t in pending if not t.can_receive],
            "recent": recent, "form": DecisionForm()})


class TransferDecideView(PermissionRequiredMixin, View):
    permission = MANAGE
    verbs = {"accept": (actions.accept_transfer, _("已接收,该党员已转入。")),
             "reject": (actions.reject_transfer, _("已退回。")),
             "cancel": (actions.cancel_transfer, _("已撤回。"))}

    def post(self, request, pk, verb):
        transfer = get_object_or_404(PartyTransfer.objects.restrict(request.user, "view"),
                                     pk=pk)
        if verb not in self.verbs:
            raise Http404
        call, done = self.verbs[verb]
        form = DecisionForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            call(transfer, note=note, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, done)
        return redirect("party:transfers")
