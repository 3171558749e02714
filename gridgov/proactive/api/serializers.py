"""Serializers of the proactive API."""

from django.utils import timezone
from rest_framework import serializers

from ..choices import Channel
from ..models import Benefit, Consent, ServiceTask


class ServiceTaskSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default="")
    assignee_name = serializers.SerializerMethodField()
    department_name = serializers.CharField(source="department.name", read_only=True,
                                            default="")
    overdue = serializers.SerializerMethodField()
    rule = serializers.SerializerMethodField()
    facts = serializers.SerializerMethodField()

    class Meta:
        model = ServiceTask
        fields = ["id", "kind", "kind_display", "title", "person", "person_name", "subject",
                  "area_code", "assignee", "assignee_name", "department", "department_name",
                  "due_at", "overdue", "state", "state_display", "reason", "rule", "facts",
                  "closed_at", "closed_by", "closing_visit", "close_note", "version",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def get_assignee_name(self, obj) -> str:
        return str(obj.assignee) if obj.assignee_id else ""

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(self.context.setdefault("now", timezone.now()))

    def get_rule(self, obj) -> str:
        """The name of the rule that raised the task (empty: opened otherwise)."""
        return obj.firing.rule.name if obj.firing_id and obj.firing else ""

    def get_facts(self, obj) -> dict:
        """The facts the rule saw when it fired ({fact code: value})."""
        return dict(obj.firing.facts or {}) if obj.firing_id and obj.firing else {}


class ServiceTaskCloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)
    visit = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                     max_value=2**63 - 1)


class BenefitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    tier_label = serializers.CharField(source="tier.label", read_only=True, default="")

    class Meta:
        model = Benefit
        fields = ["id", "person", "person_name", "kind", "kind_display", "tier", "tier_label",
                  "monthly_amount", "status", "status_display", "started_on", "stopped_on",
                  "stop_reason", "without_application", "reason", "next_certification_on",
                  "area_code", "version", "created_at", "updated_at"]
        read_only_fields = fields


class ConsentSerializer(serializers.ModelSerializer):
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = ["id", "person", "channel", "agreed", "area_code", "recorded_by",
                  "recorded_by_name", "recorded_at", "note", "updated_at"]
        read_only_fields = fields

    def get_recorded_by_name(self, obj) -> str:
        return str(obj.recorded_by) if obj.recorded_by_id else ""


class ConsentRecordSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    agreed = serializers.BooleanField()
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.SMS)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
