"""Serializers of the 三会一课 API (input: JSON, or multipart form fields with photos)."""

from django.urls import reverse
from rest_framework import serializers

from ..choices import MeetingKind
from ..models import Meeting, MeetingAttendance


class MeetingPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return reverse("party_meetings:photo", args=[obj.pk])


class MeetingAttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    # Empty until the member is present (so not the choices' enum).
    way = serializers.CharField(read_only=True, help_text="on_site / by_secretary; empty "
                                                          "unless present")

    class Meta:
        model = MeetingAttendance
        fields = ["id", "member", "member_name", "status", "status_display", "reason",
                  "signed_at", "way", "updated_at"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting in a list: no minutes, no sheet (see the detail)."""

    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "organisation", "organisation_name", "area_code", "kind",
                  "kind_display", "title", "planned_at", "place", "state", "state_display",
                  "notice_sent_at", "held_at", "version", "updated_at"]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    attendance = MeetingAttendanceSerializer(many=True, read_only=True)
    photos = MeetingPhotoSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = MeetingSerializer.Meta.fields + [
            "notice", "agenda", "minutes", "cancel_reason", "attendance", "photos"]
        read_only_fields = fields


class MeetingInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    title = serializers.CharField(max_length=120)
    planned_at = serializers.DateTimeField()
    place = serializers.CharField(required=False, allow_blank=True, max_length=120)
    notice = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    agenda = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class MeetingLeaveSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.CharField(max_length=200)


class MeetingRecordInputSerializer(serializers.Serializer):
    held_at = serializers.DateTimeField()
    minutes = serializers.CharField(max_length=20000)
    present = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False)
    leave = MeetingLeaveSerializer(many=True, required=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False)


class MeetingSignInInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
        help_text="书记代签的党员;留空为本人签到")


class MeetingCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class MeetingOverdueRowSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation.pk")
    organisation_name = serializers.CharField(source="organisation.name")
    area_code = serializers.CharField(source="organisation.area_code")
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    kind_display = serializers.CharField(source="kind_label")
    every_months = serializers.IntegerField()
    last_held = serializers.DateField(allow_null=True)
    due = serializers.DateField()
    days_overdue = serializers.IntegerField()
