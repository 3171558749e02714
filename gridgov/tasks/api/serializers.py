"""Serializers of the tasks API."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import TaskKind
from ..models import Task, TaskStep


class TaskStepSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    actor_name = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()

    class Meta:
        model = TaskStep
        fields = ["action", "action_display", "actor", "actor_name", "assignee",
                  "assignee_name", "from_state", "to_state", "note", "distance_m", "version",
                  "at"]

    def get_actor_name(self, step) -> str:
        return str(step.actor) if step.actor_id else ""

    def get_assignee_name(self, step) -> str:
        return str(step.assignee) if step.assignee_id else ""


class TaskSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    assign_mode_display = serializers.CharField(source="get_assign_mode_display",
                                                read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    event_number = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "kind", "kind_display", "title", "instructions", "area_code",
                  "grid_name", "event", "event_number", "person", "house", "lng", "lat",
                  "assignee", "assignee_name", "assigned_by", "assigned_at", "assign_mode",
                  "assign_mode_display", "assign_distance_m", "due_at", "overdue", "state",
                  "state_display", "accepted_at", "done_at", "result_note", "done_lng",
                  "done_lat", "done_accuracy_m", "done_position_at", "done_distance_m",
                  "cancel_reason", "photos", "version", "created_at", "updated_at"]

    def get_event_number(self, task) -> str:
        return task.event.number if task.event_id else ""

    def get_assignee_name(self, task) -> str:
        return str(task.assignee)

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_photos(self, task):
        return [{"id": a.pk, "name": a.name,
                 "url": reverse("tasks:photo", args=[task.pk, a.pk])}
                for a in task.attachments.all()]


class TaskDetailSerializer(TaskSerializer):
    steps = TaskStepSerializer(many=True, read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "steps"]


class VersionInput(serializers.Serializer):
    expected_version = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                                max_value=2**31 - 1)


class TaskCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TaskKind.choices)
    title = serializers.CharField(max_length=100)
    instructions = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                         default="")
    grid = serializers.CharField(max_length=15, required=False, allow_blank=True,
                                 help_text="网格编码(省略时取关联事件的网格)")
    event = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                  help_text="关联事件编号")
    person = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                      max_value=2**63 - 1)
    house = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                     max_value=2**63 - 1)
    lng = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    assignee = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                        max_value=2**63 - 1)
    nearest = serializers.BooleanField(required=False, default=False)


class AcceptInput(VersionInput):
    pass


class CompleteInput(VersionInput):
    note = serializers.CharField(max_length=2000)
    photos = serializers.ListField(child=serializers.FileField(), required=False,
                                   max_length=9, default=list)
    lng = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    accuracy_m = serializers.FloatField(required=False, allow_null=True, min_value=0)
    position_at = serializers.DateTimeField(required=False, allow_null=True)


class CancelInput(VersionInput):
    reason = serializers.CharField(max_length=500)


class ReassignInput(VersionInput):
    assignee = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                        max_value=2**63 - 1)
    nearest = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CandidateSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    grid_code = serializers.CharField()
    lng = serializers.FloatField()
    lat = serializers.FloatField()
    at = serializers.DateTimeField()
    distance_m = serializers.FloatField()
    fix_age_minutes = serializers.IntegerField()
