"""The partywork API (/api/v1/party/): contact-links (link, unlink), contact-logs (log a
contact; the field outbox's ``client_id`` defaults to a UUID ``Idempotency-Key``) and
activities (publish, change, cancel, finish, sign up, cancel a sign-up, credit hours)."""

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.api import ActionViewSet
from gridgov.core.querysets import VIEW as READ

from .. import actions
from ..choices import HOLDING
from ..households import due_links
from ..models import ContactLink, ContactLog, VolunteerActivity, VolunteerSignup
from ..permissions import CONTACT, MANAGE, VIEW, VOLUNTEER
from .serializers import (
    ActivityDetailSerializer,
    ActivityInputSerializer,
    ActivitySerializer,
    CancelInputSerializer,
    ContactLinkInputSerializer,
    ContactLinkSerializer,
    ContactLogInputSerializer,
    ContactLogSerializer,
    CreditHoursInputSerializer,
    MemberInputSerializer,
    SignupSerializer,
    UnlinkInputSerializer,
)

TRUE = ("1", "true", "on", "yes")


def _int_param(value) -> int:
    return int(value) if value and value.isdigit() else 0


def _conflict(exc, serializer, request):
    return Response({"errors": [{"field": "expected_version", "code": "stale",
                                 "message": str(exc)}],
                     "current": serializer(exc.current, context={"request": request}).data},
                    status=status.HTTP_409_CONFLICT)


def _member(pk):
    from gridgov.party.models import PartyMember

    return get_object_or_404(PartyMember.objects.select_related("person"), pk=pk)


def _own_member(user):
    """The caller's own active membership (a party member's account)."""
    from gridgov.party.models import PartyMember

    member = (PartyMember.objects.filter(user_id=user.pk, status="active")
              .select_related("person").first())
    if member is None:
        raise ValidationError({"member": _("您的账号没有关联在册党员,请指定党员。")})
    return member


@extend_schema(parameters=[
    OpenApiParameter("member", int, required=False, description="一名党员的联系户"),
    OpenApiParameter("active", bool, required=False, description="只列有效的联系户"),
    OpenApiParameter("due", bool, required=False, description="只列 90 天未联系的有效联系户"),
    OpenApiParameter("area", str, required=False, description="区域编码(前缀)")])
class ContactLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """党员联系户: links of the caller's areas (a party member: their own); a party secretary
    links and unlinks."""

    queryset = ContactLink.objects.select_related("member__person", "household_head")
    serializer_class = ContactLinkSerializer
    input_serializer_class = ContactLinkInputSerializer
    required_permissions = {"list": (VIEW, CONTACT), "retrieve": (VIEW, CONTACT),
                            "create": MANAGE, "unlink": MANAGE}
    reads_narrowed_by_scope = True
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            return qs
        params = self.request.query_params
        if params.get("member"):
            qs = qs.filter(member_id=_int_param(params["member"]))
        if params.get("active", "").lower() in TRUE:
            qs = qs.filter(is_active=True)
        if params.get("due", "").lower() in TRUE:
            qs = due_links(qs)
        if params.get("area"):
            qs = qs.filter(area_code__startswith=params["area"][:15])
        return qs.order_by("area_code", "pk")

    @extend_schema(summary="建立党员联系户", request=ContactLinkInputSerializer,
                   responses={201: ContactLinkSerializer})
    def create(self, request, *args, **kwargs):
        from gridgov.basedata.models import Person

        data = self.read_input()
        member = _member(data.pop("member"))
        head = get_object_or_404(Person.objects.all(), pk=data.pop("household_head"))
        link = actions.link_household(member, head, actor=request.user, **data)
        return self.respond(self.queryset.get(pk=link.pk), status=status.HTTP_201_CREATED)

    @extend_schema(summary="解除党员联系户", request=UnlinkInputSerializer,
                   responses={200: ContactLinkSerializer})
    @action(detail=True, methods=["post"])
    def unlink(self, request, pk=None):
        link = self.get_object()
        serializer = UnlinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            link = actions.unlink_household(link, actor=request.user,
                                            **serializer.validated_data)
        except actions.StaleVersion as exc:
            return _conflict(exc, ContactLinkSerializer, request)
        return self.respond(self.queryset.get(pk=link.pk))


@extend_schema(parameters=[
    OpenApiParameter("link", int, required=False, description="一户的联系记录"),
    OpenApiParameter("member", int, required=False, description="一名党员的联系记录")])
class ContactLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """联系记录: contacts of the caller's areas (a party member: on their own links); create
    logs one (a member on their own link, a secretary on any link of the area)."""

    queryset = ContactLog.objects.select_related("link")
    serializer_class = ContactLogSerializer
    input_serializer_class = ContactLogInputSerializer
    required_permissions = {"list": (VIEW, CONTACT), "retrieve": (VIEW, CONTACT),
                            "create": (CONTACT, MANAGE)}
    reads_narrowed_by_scope = True
    http_method_names = ["get", "post", "head", "options"]  # a contact is never edited

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            return qs
        params = self.request.query_params
        if params.get("link"):
            qs = qs.filter(link_id=_int_param(params["link"]))
        if params.get("member"):
            qs = qs.filter(link__member_id=_int_param(params["member"]))
        return qs

    @extend_schema(summary="记录联系情况", request=ContactLogInputSerializer,
                   responses={201: ContactLogSerializer})
    def create(self, request, *args, **kwargs):
        data = self.read_input()
        link = get_object_or_404(ContactLink.objects.all(), pk=data.pop("link"))
        if data.get("client_id") is None:
            key = request.headers.get("Idempotency-Key", "")
            try:
                data["client_id"] = uuid.UUID(key) if key else None
            except ValueError:
                data["client_id"] = None
        log = actions.log_contact(link, **data, actor=request.user)
        return self.respond(self.queryset.get(pk=log.pk), status=status.HTTP_201_CREATED)


@extend_schema(parameters=[
    OpenApiParameter("state", str, required=False, description="open / finished / cancelled"),
    OpenApiParameter("organisation", int, required=False)])
class VolunteerActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               ActionViewSet):
    """志愿服务活动: the activities of the caller's areas (a party member: of their grid and
    the areas above it); a party secretary publishes, changes, cancels and finishes them and
    credits hours; members sign up (themselves) and cancel."""

    queryset = VolunteerActivity.objects.select_related("organisation")
    serializer_class = ActivitySerializer
    input_serializer_class = ActivityInputSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_permissions = {
        "list": (VIEW, VOLUNTEER), "retrieve": (VIEW, VOLUNTEER),
        "create": MANAGE, "partial_update": MANAGE, "cancel": MANAGE, "finish": MANAGE,
        "sign_up": (VOLUNTEER, MANAGE), "cancel_signup": (VOLUNTEER, MANAGE),
        "credit_hours": MANAGE}
    reads_narrowed_by_scope = True

    def scope_action(self):
        # A member signs up for an activity they may see (the action checks the rest).
        if self.action in ("sign_up", "cancel_signup"):
            return READ
        return super().scope_action()

    def get_serializer_class(self):
        if self.action == "list":
            return ActivitySerializer
        return ActivityDetailSerializer

    def get_queryset(self):
        qs = super().get_queryset().annotate(
            taken=Count("signups", filter=Q(signups__status__in=HOLDING)))
        if self.action == "retrieve":
            qs = qs.prefetch_related(self._signups())
        if self.action != "list":
            return qs
        params = self.request.query_params
        if params.get("state"):
            qs = qs.filter(state=params["state"][:10])
        if params.get("organisation"):
            qs = qs.filter(organisation_id=_int_param(params["organisation"]))
        return qs

    def _signups(self):
        return Prefetch("signups", to_attr="visible_signups",
                        queryset=VolunteerSignup.objects.restrict(self.request.user)
                        .select_related("member__person").order_by("signed_up_at", "pk"))

    def _fresh(self, activity):
        """The activity after a write, as the detail shows it."""
        return (VolunteerActivity.objects.select_related("organisation")
                .annotate(taken=Count("signups", filter=Q(signups__status__in=HOLDING)))
                .prefetch_related(self._signups()).get(pk=activity.pk))

    def _organisation(self, pk):
        from gridgov.party.models import PartyOrganisation

        org = PartyOrganisation.objects.filter(pk=pk).first()
        if org is None:
            raise ValidationError({"organisation": _("没有这个党组织。")})
        return org

    @extend_schema(summary="发布志愿服务活动", request=ActivityInputSerializer,
                   responses={201: ActivityDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = self.read_input()
        data.pop("expected_version", None)
        data["organisation"] = self._organisation(data["organisation"])
        activity = actions.save_activity(None, **data, actor=request.user)
        return self.respond(self._fresh(activity), status=status.HTTP_201_CREATED)

    @extend_schema(summary="修改志愿服务活动", request=ActivityInputSerializer,
                   responses={200: ActivityDetailSerializer})
    def partial_update(self, request, *args, **kwargs):
        activity = self.get_object()
        data = self.read_input(partial=True)
        values = {"organisation": activity.organisation, "title": activity.title,
                  "description": activity.description, "starts_at": activity.starts_at,
                  "ends_at": activity.ends_at, "place": activity.place,
                  "capacity": activity.capacity}
        if "organisation" in data:
            data["organisation"] = self._organisation(data["organisation"])
        values.update(data)
        try:
            saved = actions.save_activity(activity, **values, actor=request.user)
        except actions.StaleVersion as exc:
            return _conflict(exc, ActivitySerializer, request)
        return self.respond(self._fresh(saved))

    @extend_schema(summary="取消志愿服务活动", request=CancelInputSerializer,
                   responses={200: ActivityDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        activity = self.get_object()
        serializer = CancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity = actions.cancel_activity(activity, actor=request.user,
                                           **serializer.validated_data)
        return self.respond(self._fresh(activity))

    @extend_schema(summary="结束志愿服务活动", request=None,
                   responses={200: ActivityDetailSerializer})
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        activity = actions.finish_activity(self.get_object(), actor=request.user)
        return self.respond(self._fresh(activity))

    def _member_input(self, request):
        serializer = MemberInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pk = serializer.validated_data.get("member")
        return _member(pk) if pk else _own_member(request.user)

    @extend_schema(summary="报名志愿服务活动(本人或由书记代报)", request=MemberInputSerializer,
                   responses={201: SignupSerializer})
    @action(detail=True, methods=["post"], url_path="sign-up")
    def sign_up(self, request, pk=None):
        activity = self.get_object()
        signup = actions.sign_up(activity, self._member_input(request), actor=request.user)
        return self.respond(signup, status=status.HTTP_201_CREATED,
                            serializer_class=SignupSerializer)

    @extend_schema(summary="取消报名", request=MemberInputSerializer,
                   responses={200: SignupSerializer})
    @action(detail=True, methods=["post"], url_path="cancel-signup")
    def cancel_signup(self, request, pk=None):
        activity = self.get_object()
        member = self._member_input(request)
        signup = get_object_or_404(VolunteerSignup.objects.restrict(request.user, "change"),
                                   activity=activity, member=member)
        signup = actions.cancel_signup(signup, actor=request.user)
        return self.respond(signup, serializer_class=SignupSerializer)

    @extend_schema(summary="认定服务时长", request=CreditHoursInputSerializer,
                   responses={200: SignupSerializer})
    @action(detail=True, methods=["post"], url_path="credit-hours")
    def credit_hours(self, request, pk=None):
        activity = self.get_object()
        serializer = CreditHoursInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        signup = get_object_or_404(VolunteerSignup.objects.all(), activity=activity,
                                   member_id=data["member"])
        signup = actions.credit_hours(signup, hours=data["hours"], actor=request.user)
        return self.respond(signup, serializer_class=SignupSerializer)
