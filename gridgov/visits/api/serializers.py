"""Serializers of the visits API (input: multipart form fields as the outbox sends them)."""

from django.urls import reverse
from rest_framework import serializers

from ..choices import Need, VisitKind
from ..models import Visit, VisitPlan, VisitSchedule


class VisitPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return reverse("visits:photo", args=[obj.pk])


class VisitSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    need_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    photos = VisitPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "person", "person_name", "area_code", "visitor_name", "visited_at",
                  "kind", "kind_display", "notes", "needs", "need_labels", "needs_note",
                  "lng", "lat", "accuracy_m", "position_at", "client_id", "photos",
                  "version", "created_at", "updated_at"]
        read_only_fields = fields


class VisitInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    visited_at = serializers.DateTimeField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=VisitKind.choices, default=VisitKind.HOME)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                  trim_whitespace=True)
    needs = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices),
                                  required=False)
    needs_note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    photos = serializers.ListField(child=serializers.FileField(), required=False)
    lng = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    accuracy_m = serializers.FloatField(required=False, allow_null=True, min_value=0)
    position_at = serializers.DateTimeField(required=False, allow_null=True)
    client_id = serializers.UUIDField(required=False, allow_null=True)


class VisitPlanSerializer(serializers.ModelSerializer):
    tag_name = serializers.CharField(source="tag.name", read_only=True)

    class Meta:
        model = VisitPlan
        fields = ["id", "tag", "tag_name", "area_code", "interval_days", "note", "is_active",
                  "version", "updated_at"]
        read_only_fields = fields


class VisitPlanInputSerializer(serializers.Serializer):
    tag = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    area_code = serializers.CharField(required=False, allow_blank=True, max_length=15,
                                      default="")
    interval_days = serializers.IntegerField(min_value=1, max_value=366)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    is_active = serializers.BooleanField(required=False, default=True)
    expected_version = serializers.IntegerField(required=False, min_value=1)


class RetireInputSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(required=False, min_value=1)


class VisitScheduleSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    tag_name = serializers.CharField(source="plan.tag.name", read_only=True)
    days_overdue = serializers.SerializerMethodField()
    # Empty while the schedule is open (so not the choices' enum).
    closed_reason = serializers.CharField(read_only=True, help_text=(
        "deceased / moved_out / left_group / plan_retired / merged; empty while open"))
    closed_reason_display = serializers.CharField(source="get_closed_reason_display",
                                                  read_only=True)

    class Meta:
        model = VisitSchedule
        fields = ["id", "person", "person_name", "plan", "tag_name", "area_code",
                  "interval_days", "opened_on", "last_visit_at", "next_due", "days_overdue",
                  "governing", "closed_at", "closed_reason", "closed_reason_display",
                  "updated_at"]
        read_only_fields = fields

    def get_days_overdue(self, obj) -> int:
        return obj.days_overdue()


class VisitPlanConflictSerializer(serializers.Serializer):
    """409: the plan changed meanwhile; ``current`` is the stored plan."""

    errors = serializers.ListField(child=serializers.DictField())
    current = VisitPlanSerializer()
