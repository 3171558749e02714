"""Desktop pages of 三会一课 (/party/meetings/): the list with filters, plan a meeting,
the meeting (notice, agenda, sign-in sheet and attendance rate, minutes, photos), record it
with the sign-in sheet, cancel it, sign in, the overdue organisations, the required
frequencies (the administrator's) and the photos (served to who may see the meeting)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import ActionView, PermissionRequiredMixin, error_text

from . import actions
from .choices import AttendanceStatus, MeetingState
from .filtersets import MeetingFilterSet
from .forms import FilterForm, OverdueFilterForm, PlanForm, RecordForm, RequirementForm
from .models import Meeting, MeetingAttendance, MeetingPhoto, MeetingRequirement
from .overdue import due_rows
from .permissions import MANAGE, MANAGE_REQUIREMENTS, SIGN_IN, VIEW

PAGE_SIZE = 50
MAX_ORGS = 500


def organisations(scope, perm=VIEW):
    """The active organisations of the areas where ``perm`` is held (for the choosers)."""
    from gridgov.party.models import PartyOrganisation

    return list(PartyOrganisation.objects.filter(is_active=True)
                .filter(scope.area_q("area_code", perm))
                .order_by("area_code", "name").only("pk", "name", "kind", "area_code")[:MAX_ORGS])


def _render(view, request, template, context, status=200):
    """Render with the sub-navigation's links the user may open."""
    scope = view.scope
    nav = [(tab, reverse(f"party_meetings:{tab}"), label) for tab, label, perms in (
        ("list", _("会议"), (VIEW, SIGN_IN)), ("overdue", _("逾期未开会"), (VIEW,)),
        ("requirements", _("频次要求"), (VIEW, MANAGE, MANAGE_REQUIREMENTS)))
        if scope.can(*perms)]
    return render(request, template, {**context, "nav": nav}, status=status)


def _form_errors(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def with_counts(qs):
    """Meetings with their sign-in counts (one query for a page)."""
    return qs.annotate(
        n_present=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT)),
        n_sheet=Count("attendance"))


class ListView(PermissionRequiredMixin, View):
    """三会一课: the meetings of the user's areas, newest first, with filters."""

    permission = (VIEW, SIGN_IN)

    def get(self, request):
        orgs = organisations(self.scope) if self.scope.can(VIEW) else []
        form = FilterForm(request.GET or None, organisations=orgs,
                          states=MeetingState.choices)
        qs = Meeting.objects.restrict(request.user, "view").select_related("organisation")
        filterset = MeetingFilterSet(request.GET or None, queryset=qs)
        status = 200
        if form.is_bound and not (form.is_valid() and filterset.is_valid()):
            status, qs = 400, qs.none()
        elif form.is_bound:
            qs = filterset.qs
        page = Paginator(with_counts(qs).order_by("-planned_at", "-pk"), PAGE_SIZE).get_page(
            request.GET.get("page"))
        return _render(self, request, "party_meetings/list.html", {
            "form": form, "page_obj": page, "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1,
            "can_plan": self.scope.can(MANAGE)},
            status=status)


class PlanView(PermissionRequiredMixin, View):
    """GET the form, POST through ``actions.plan_meeting`` (the notice goes out)."""

    permission = MANAGE

    def show(self, request, form, status=200):
        return _render(self, request, "party_meetings/plan_form.html", {"form": form},
                      status=status)

    def get(self, request):
        initial = {"organisation": request.GET.get("organisation"),
                   "kind": request.GET.get("kind")}
        return self.show(request, PlanForm(initial=initial,
                                           organisations=organisations(self.scope, MANAGE)))

    def post(self, request):
        from gridgov.party.models import PartyOrganisation

        form = PlanForm(request.POST, organisations=organisations(self.scope, MANAGE))
        if form.is_valid():
            data = form.cleaned_data
            org = get_object_or_404(PartyOrganisation.objects.restrict(request.user, "view"),
                                    pk=data.pop("organisation"))
            try:
                meeting = actions.plan_meeting(org, **data, actor=request.user)
            except ValidationError as exc:
                _form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("会议已创建,通知已发送给本组织有账号的党员。"))
                return redirect("party_meetings:detail", pk=meeting.pk)
        return self.show(request, form, status=400)


def _own_member(user, meeting):
    from gridgov.party.models import PartyMember

    return (PartyMember.objects.filter(user=user, status="active",
                                       organisation_id=meeting.organisation_id).first())


class DetailView(PermissionRequiredMixin, View):
    """A meeting: notice, agenda, the sign-in sheet with the attendance rate, minutes, photos."""

    permission = (VIEW, SIGN_IN)

    def get(self, request, pk):
        meeting = get_object_or_404(Meeting.objects.restrict(request.user, "view")
                                    .select_related("organisation", "recorded_by"), pk=pk)
        order = {s: n for n, s in enumerate(AttendanceStatus.values)}  # present first
        sheet = sorted(MeetingAttendance.objects.filter(meeting=meeting)
                       .select_related("member__person").order_by("member__person__name"),
                       key=lambda r: order.get(r.status, 9))
        present = sum(1 for r in sheet if r.status == AttendanceStatus.PRESENT)
        rate = round(100 * present / len(sheet)) if sheet else None
        own = _own_member(request.user, meeting) if self.scope.can(SIGN_IN) else None
        signed = own is not None and any(
            r.member_id == own.pk and r.status == AttendanceStatus.PRESENT for r in sheet)
        return _render(self, request, "party_meetings/detail.html", {
            "meeting": meeting, "sheet": sheet, "present": present, "rate": rate,
            "photos": list(meeting.photos.all()),
            "can_manage": self.scope.covers(meeting.area_code, MANAGE),
            "can_sign_in": own is not None and not signed
            and meeting.state != MeetingState.CANCELLED})


class RecordView(PermissionRequiredMixin, View):
    """The record form: held at, minutes, photos and the sign-in sheet (a checkbox per member
    of the organisation, or a leave reason)."""

    permission = MANAGE

    def meeting(self, pk):
        return get_object_or_404(Meeting.objects.restrict(self.request.user, "change")
                                 .select_related("organisation"), pk=pk)

    def members(self, meeting):
        rows = {r.member_id: r for r in MeetingAttendance.objects.filter(meeting=meeting)}
        members = list(actions.active_members(meeting.organisation))
        return [{"m": m, "row": rows.get(m.pk)} for m in members]

    def show(self, request, meeting, form, *, present=None, leave=None, status=200):
        lines = self.members(meeting)
        for line in lines:
            row = line["row"]
            if present is None:
                line["present"] = bool(row and row.status == AttendanceStatus.PRESENT)
                line["reason"] = row.reason if row and row.status == AttendanceStatus.LEAVE else ""
            else:
                line["present"] = line["m"].pk in present
                line["reason"] = leave.get(line["m"].pk, "")
            line["self_signed"] = bool(row and row.way == "on_site"
                                       and row.status == AttendanceStatus.PRESENT)
        return _render(self, request, "party_meetings/record_form.html", {
            "meeting": meeting, "form": form, "lines": lines}, status=status)

    def get(self, request, pk):
        meeting = self.meeting(pk)
        initial = {"held_at": timezone.localtime(meeting.held_at or min(
            meeting.planned_at, timezone.now())), "minutes": meeting.minutes}
        return self.show(request, meeting, RecordForm(initial=initial))

    def post(self, request, pk):
        meeting = self.meeting(pk)
        form = RecordForm(request.POST, request.FILES)
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        leave = {}
        for key, value in request.POST.items():
            if key.startswith("leave_") and key[6:].isdigit() and value.strip():
                if int(key[6:]) not in present:
                    leave[int(key[6:])] = value.strip()
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.record_meeting(meeting, held_at=data["held_at"],
                                       minutes=data["minutes"], present=present, leave=leave,
                                       photos=data["photos"], actor=request.user)
            except ValidationError as exc:
                _form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("会议记录已保存。"))
                return redirect("party_meetings:detail", pk=meeting.pk)
        return self.show(request, meeting, form, present=present, leave=leave, status=400)


class CancelView(ActionView):
    permission = MANAGE
    model = Meeting

    def run(self, request, pk):
        actions.cancel_meeting(self.get_object(), reason=request.POST.get("reason", ""),
                               actor=request.user)
        return _("会议已取消,已通知本组织党员。")

    def back_url(self, request, pk):
        return reverse("party_meetings:detail", args=[pk])


class SignInView(ActionView):
    """本人签到 (a member of the meeting's organisation)."""

    permission = (SIGN_IN, MANAGE)
    model = Meeting
    scope_action = "view"

    def run(self, request, pk):
        actions.sign_in(self.get_object(), actor=request.user)
        return _("签到成功。")

    def back_url(self, request, pk):
        return reverse("party_meetings:detail", args=[pk])


class OverdueView(PermissionRequiredMixin, View):
    """The organisations overdue a required meeting, most overdue first, by kind."""

    permission = VIEW

    def get(self, request):
        from gridgov.areas.models import Area

        areas = list(Area.objects.filter(level__in=("community", "grid"))
                     .filter(self.scope.area_q("code", VIEW))
                     .order_by("code").only("code", "name", "level")[:MAX_ORGS])
        form = OverdueFilterForm(request.GET or None, areas=areas)
        area, kind, status = "", "", 200
        if form.is_bound:
            if form.is_valid():
                area, kind = form.cleaned_data["area"], form.cleaned_data["kind"]
            else:
                status = 400
        rows = due_rows(request.user, area=area, kind=kind)
        names = {a.code: a.name for a in areas}
        for row in rows:
            row.area_name = names.get(row.organisation.area_code, row.organisation.area_code)
        return _render(self, request, "party_meetings/overdue.html", {
            "form": form, "rows": rows, "today": timezone.localdate(),
            "orgs": len({r.organisation.pk for r in rows}),
            "can_plan": self.scope.can(MANAGE)}, status=status)


class RequirementListView(PermissionRequiredMixin, View):
    permission = (VIEW, MANAGE, MANAGE_REQUIREMENTS)

    def get(self, request):
        rows = list(MeetingRequirement.objects.restrict(request.user, "view")
                    .select_related("organisation"))
        return _render(self, request, "party_meetings/requirements.html", {
            "rows": rows, "can_edit": self.scope.can(MANAGE_REQUIREMENTS)})


class RequirementEditView(PermissionRequiredMixin, View):
    """GET the form, POST through ``actions.save_requirement`` (audited)."""

    permission = MANAGE_REQUIREMENTS

    def row(self, pk):
        if pk is None:
            return None
        return get_object_or_404(MeetingRequirement.objects.restrict(self.request.user,
                                                                     "change"), pk=pk)

    def orgs(self):
        from gridgov.party.models import PartyOrganisation

        return list(PartyOrganisation.objects.filter(is_active=True)
                    .order_by("area_code", "name").only("pk", "name")[:2000])

    def show(self, request, row, form, status=200):
        return _render(self, request, "party_meetings/requirement_form.html",
                      {"row": row, "form": form}, status=status)

    def get(self, request, pk=None):
        row = self.row(pk)
        initial = {"is_active": True}
        if row is not None:
            initial = {"kind": row.kind, "org_kind": row.org_kind,
                       "organisation": row.organisation_id, "every_months": row.every_months,
                       "note": row.note, "is_active": row.is_active}
        return self.show(request, row, RequirementForm(initial=initial,
                                                       organisations=self.orgs()))

    def post(self, request, pk=None):
        from gridgov.party.models import PartyOrganisation

        row = self.row(pk)
        form = RequirementForm(request.POST, organisations=self.orgs())
        if form.is_valid():
            data = form.cleaned_data
            org = (PartyOrganisation.objects.get(pk=data["organisation"])
                   if data["organisation"] else None)
            try:
                actions.save_requirement(row, kind=data["kind"], org_kind=data["org_kind"],
                                         every_months=data["every_months"], organisation=org,
                                         is_active=data["is_active"], note=data["note"],
                                         actor=request.user)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("频次要求已保存,逾期名单按新要求计算。"))
                return redirect("party_meetings:requirements")
        return self.show(request, row, form, status=400)


class PhotoView(PermissionRequiredMixin, View):
    """A meeting photo, to who may see the meeting (never cached by shared caches)."""

    permission = (VIEW, SIGN_IN)

    def get(self, request, pk):
        photo = get_object_or_404(MeetingPhoto.objects.restrict(request.user, "view"), pk=pk)
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=86400"
        return response


app_name = "party_meetings"
urlpatterns = [
    path("", ListView.as_view(), name="list"),
    path("new/", PlanView.as_view(), name="new"),
    path("overdue/", OverdueView.as_view(), name="overdue"),
    path("requirements/", RequirementListView.as_view(), name="requirements"),
    path("requirements/new/", RequirementEditView.as_view(), name="requirement_new"),
    path("requirements/<int:pk>/", RequirementEditView.as_view(), name="requirement_edit"),
    path("photos/<int:pk>/", PhotoView.as_view(), name="photo"),
    path("<int:pk>/", DetailView.as_view(), name="detail"),
    path("<int:pk>/record/", RecordView.as_view(), name="record"),
    path("<int:pk>/cancel/", CancelView.as_view(), name="cancel"),
    path("<int:pk>/sign-in/", SignInView.as_view(), name="sign_in"),
]
