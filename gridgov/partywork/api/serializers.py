"""Serializers of the partywork API (input serializers check types; the actions decide)."""

from rest_framework import serializers

from gridgov.visits.choices import Need

from ..choices import ContactWay
from ..models import ContactLink, ContactLog, VolunteerActivity, VolunteerSignup

ID = {"min_value": 1, "max_value": 2**63 - 1}


class ContactLinkSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    household_name = serializers.CharField(source="household_head.name", read_only=True)
    household_address = serializers.CharField(source="household_head.address",
                                              read_only=True)

    class Meta:
        model = ContactLink
        fields = ["id", "member", "member_name", "household_head", "household_name",
                  "household_address", "area_code", "since", "until", "is_active", "note",
                  "last_contact_at", "version", "updated_at"]
        read_only_fields = fields


class ContactLinkInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(**ID)
    household_head = serializers.IntegerField(**ID)
    since = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class UnlinkInputSerializer(serializers.Serializer):
    until = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    expected_version = serializers.IntegerField(required=False, min_value=1)


class ContactLogSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="link.member_id", read_only=True)
    household_head = serializers.IntegerField(source="link.household_head_id", read_only=True)
    way_display = serializers.CharField(source="get_way_display", read_only=True)
    need_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    needs = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ContactLog
        fields = ["id", "link", "member", "household_head", "area_code", "contacted_at", "way",
                  "way_display", "notes", "needs", "need_labels", "needs_note", "client_id",
                  "created_at", "updated_at"]
        read_only_fields = fields


class ContactLogInputSerializer(serializers.Serializer):
    link = serializers.IntegerField(**ID)
    contacted_at = serializers.DateTimeField(required=False, allow_null=True)
    way = serializers.ChoiceField(choices=ContactWay.choices, default=ContactWay.VISIT)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                  default="")
    needs = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices),
                                  required=False, default=list)
    needs_note = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                       default="")
    client_id = serializers.UUIDField(required=False, allow_null=True)


class SignupSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True,
                                     coerce_to_string=False)

    class Meta:
        model = VolunteerSignup
        fields = ["id", "activity", "member", "member_name", "area_code", "signed_up_at",
                  "status", "status_display", "hours", "credited_at", "version",
                  "updated_at"]
        read_only_fields = fields


class ActivitySerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    taken = serializers.IntegerField(read_only=True, help_text="已报名(含已参加)人数")

    class Meta:
        model = VolunteerActivity
        fields = ["id", "organisation", "organisation_name", "area_code", "title",
                  "description", "starts_at", "ends_at", "place", "capacity", "taken",
                  "state", "state_display", "version", "updated_at"]
        read_only_fields = fields


class ActivityDetailSerializer(ActivitySerializer):
    signups = serializers.SerializerMethodField()

    class Meta(ActivitySerializer.Meta):
        fields = ActivitySerializer.Meta.fields + ["signups"]
        read_only_fields = fields

    def get_signups(self, obj) -> list[dict]:
        rows = getattr(obj, "visible_signups", None)
        if rows is None:
            rows = obj.signups.select_related("member__person")
        return SignupSerializer(rows, many=True).data


class ActivityInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(**ID)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                        default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    capacity = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                        max_value=10000, default=None)
    expected_version = serializers.IntegerField(required=False, min_value=1)


class MemberInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(required=False, allow_null=True, help_text=(
        "党员编号;留空为调用者本人(在册党员账号)"), **ID)


class CreditHoursInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(**ID)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0,
                                     max_value=24)


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   default="")
