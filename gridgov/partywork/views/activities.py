"""Pages of volunteer service: the activities of the principal's areas, the editor (a party
secretary's), one activity with its sign-ups (sign up, cancel, credit hours, cancel or finish
the activity)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import PermissionRequiredMixin, error_text

from .. import actions
from ..choices import HOLDING, ActivityState, SignupStatus
from ..forms import ActivityForm, CreditForm, SignUpMemberForm
from ..models import VolunteerActivity, VolunteerSignup
from ..permissions import MANAGE, VIEW, VOLUNTEER
from .common import add_errors, own_member, with_labels

TAKEN = Count("signups", filter=Q(signups__status__in=HOLDING))


def _activities(user, action="view"):
    return (VolunteerActivity.objects.restrict(user, action).select_related("organisation")
            .annotate(taken=TAKEN))


class ActivityListView(PermissionRequiredMixin, View):
    """志愿服务: coming activities first (``?when=past`` the earlier ones)."""

    permission = (VIEW, VOLUNTEER)

    def get(self, request):
        now = timezone.now()
        when = "past" if request.GET.get("when") == "past" else "coming"
        qs = _activities(request.user)
        if when == "past":
            qs = qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
        else:
            qs = qs.filter(ends_at__gte=now).order_by("starts_at", "pk")
        page = Paginator(qs, 30).get_page(request.GET.get("page"))
        member = own_member(request.user) if self.scope.can(VOLUNTEER) else None
        mine = set()
        if member is not None:
            mine = set(VolunteerSignup.objects.filter(
                member=member, status__in=HOLDING,
                activity_id__in=[a.pk for a in page.object_list])
                .values_list("activity_id", flat=True))
        return render(request, "partywork/activities.html", {
            "page_obj": page, "when": when, "mine": mine, "member": member,
            "query": "when=past" if when == "past" else "",
            "can_manage": self.scope.can(MANAGE)})


def _organisations(scope):
    from gridgov.party.models import PartyOrganisation

    return list(PartyOrganisation.objects.filter(scope.area_q("area_code", MANAGE),
                                                 is_active=True).order_by("area_code", "pk"))


class ActivityEditView(PermissionRequiredMixin, View):
    """发布或修改志愿服务活动 (``actions.save_activity``, audited)."""

    permission = MANAGE

    def activity(self, pk):
        if pk is None:
            return None
        return get_object_or_404(_activities(self.request.user, "change"), pk=pk)

    def show(self, request, activity, form, status=200):
        return render(request, "partywork/activity_form.html",
                      {"activity": activity, "form": form}, status=status)

    def get(self, request, pk=None):
        activity = self.activity(pk)
        initial = {}
        if activity is not None:
            initial = {"organisation": activity.organisation_id, "title": activity.title,
                       "place": activity.place,
                       "starts_at": timezone.localtime(activity.starts_at),
                       "ends_at": timezone.localtime(activity.ends_at),
                       "capacity": activity.capacity, "description": activity.description,
                       "expected_version": activity.version}
        form = ActivityForm(initial=initial, organisations=_organisations(self.scope))
        return self.show(request, activity, form)

    def post(self, request, pk=None):
        from gridgov.party.models import PartyOrganisation

        activity = self.activity(pk)
        form = ActivityForm(request.POST, organisations=_organisations(self.scope))
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = actions.save_activity(
                    activity, organisation=PartyOrganisation.objects.get(
                        pk=data["organisation"]),
                    title=data["title"], place=data["place"], starts_at=data["starts_at"],
                    ends_at=data["ends_at"], capacity=data["capacity"],
                    description=data["description"],
                    expected_version=data["expected_version"], actor=request.user)
            except actions.StaleVersion as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("志愿服务活动已保存。"))
                return redirect("partywork:activity", pk=saved.pk)
        return self.show(request, activity, form, status=400)


def _members_to_sign_up(user, activity, taken_ids):
    from gridgov.party.models import PartyMember

    qs = (PartyMember.objects.restrict(user).filter(status="active")
          .filter(Q(area_code__startswith=activity.area_code)
                  | Q(checked_in_to__area_code__startswith=activity.area_code))
          .exclude(pk__in=taken_ids).select_related("person", "organisation")
          .order_by("person__name", "pk"))
    return with_labels(list(qs[:300]))


class ActivityView(PermissionRequiredMixin, View):
    """One activity: what, when, where, the places taken, the sign-ups and hours; the member
    signs up or cancels, the secretary signs members up, credits hours, cancels or finishes."""

    permission = (VIEW, VOLUNTEER)

    def get(self, request, pk):
        activity = get_object_or_404(_activities(request.user), pk=pk)
        signups = list(VolunteerSignup.objects.restrict(request.user)
                       .filter(activity=activity).select_related("member__person")
                       .order_by("signed_up_at", "pk"))
        now = timezone.now()
        can_manage = self.scope.covers(activity.area_code, MANAGE)
        member = own_member(request.user) if self.scope.can(VOLUNTEER) else None
        mine = next((s for s in signups if member is not None and s.member_id == member.pk),
                    None)
        is_open = activity.state == ActivityState.OPEN and activity.starts_at > now
        full = activity.capacity is not None and activity.taken >= activity.capacity
        sign_up_form = None
        if can_manage and is_open and not full:
            taken = [s.member_id for s in signups if s.status in HOLDING]
            sign_up_form = SignUpMemberForm(
                members=_members_to_sign_up(request.user, activity, taken))
        return render(request, "partywork/activity.html", {
            "activity": activity, "signups": signups, "can_manage": can_manage,
            "member": member, "mine": mine, "is_open": is_open, "full": full,
            "sign_up_form": sign_up_form, "credit_form": CreditForm(),
            "can_credit": can_manage and activity.starts_at <= now
            and activity.state != ActivityState.CANCELLED,
            "can_finish": can_manage and activity.state == ActivityState.OPEN
            and activity.ends_at <= now,
            "can_cancel": can_manage and activity.state == ActivityState.OPEN,
            "holding": HOLDING, "signed_up": SignupStatus.SIGNED_UP})


class ActivityOpView(PermissionRequiredMixin, View):
    """The activity's buttons (POST ``op``): sign-up, cancel-signup, credit, cancel, finish.
    Each calls one action; its refusal becomes an error message."""

    permission = (VOLUNTEER, MANAGE)
    OPS = ("sign-up", "cancel-signup", "credit", "cancel", "finish")

    def post(self, request, pk, op):
        from gridgov.party.models import PartyMember

        if op not in self.OPS:
            raise Http404
        activity = get_object_or_404(VolunteerActivity.objects.restrict(request.user), pk=pk)
        try:
            if op == "sign-up":
                member_id = request.POST.get("member", "")
                if member_id.isdigit():
                    member = get_object_or_404(PartyMember.objects.all(), pk=member_id)
                else:
                    member = own_member(request.user)
                    if member is None:
                        raise ValidationError(_("您的账号没有关联在册党员。"))
                actions.sign_up(activity, member, actor=request.user)
                text = _("已报名。")
            elif op == "cancel-signup":
                signup = self._signup(request, activity)
                actions.cancel_signup(signup, actor=request.user)
                text = _("已取消报名。")
            elif op == "credit":
                signup = self._signup(request, activity)
                form = CreditForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors["hours"])
                actions.credit_hours(signup, hours=form.cleaned_data["hours"],
                                     actor=request.user)
                text = _("服务时长已认定。")
            elif op == "cancel":
                actions.cancel_activity(activity, actor=request.user,
                                        reason=request.POST.get("reason", ""))
                text = _("活动已取消。")
            else:
                actions.finish_activity(activity, actor=request.user)
                text = _("活动已结束。")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, text)
        return redirect("partywork:activity", pk=activity.pk)

    def _signup(self, request, activity):
        pk = request.POST.get("signup", "")
        return get_object_or_404(VolunteerSignup.objects.restrict(request.user),
                                 activity=activity, pk=pk if pk.isdigit() else 0)
