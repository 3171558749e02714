"""Serializers of the rules API."""

from rest_framework import serializers

from ..choices import Match, Period
from ..models import Firing, Rule, RuleRun


class ConditionSerializer(serializers.Serializer):
    fact = serializers.CharField(help_text="数据项代码,如 age、living_alone")
    op = serializers.CharField(help_text="=, !=, <, <=, >, >=, in, is empty, is not empty, "
                                         "has tag, not has tag(按数据项类型)")
    value = serializers.JSONField(required=False, allow_null=True,
                                  help_text="值;in 为列表;is empty / is not empty 不需要")


class RuleSerializer(serializers.ModelSerializer):
    conditions = ConditionSerializer(many=True, read_only=True)
    outcome_params = serializers.DictField(read_only=True)
    period_display = serializers.CharField(source="get_period_display", read_only=True)
    conditions_text = serializers.SerializerMethodField()

    class Meta:
        model = Rule
        fields = ["id", "name", "description", "subject", "conditions", "conditions_text",
                  "match", "outcome", "outcome_params", "period", "period_display",
                  "area_code", "is_active", "version", "created_at", "updated_at"]
        read_only_fields = fields

    def get_conditions_text(self, obj) -> list[str]:
        from ..conditions import describe_condition

        return [describe_condition(c, obj.subject) for c in obj.conditions]


class RuleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                        default="")
    subject = serializers.CharField(max_length=20)
    conditions = serializers.ListField(child=serializers.DictField(), max_length=20)
    match = serializers.ChoiceField(choices=Match.choices, default=Match.ALL)
    outcome = serializers.CharField(max_length=60)
    outcome_params = serializers.DictField(required=False, default=dict)
    period = serializers.ChoiceField(choices=Period.choices, default=Period.ONCE)
    area_code = serializers.CharField(required=False, allow_blank=True, max_length=15,
                                      default="")
    is_active = serializers.BooleanField(required=False, default=True)
    expected_version = serializers.IntegerField(required=False, min_value=1)


class RuleRetireInputSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(required=False, min_value=1)


class RuleConflictSerializer(serializers.Serializer):
    """409: the rule changed meanwhile; ``current`` is the stored rule."""

    errors = serializers.ListField(child=serializers.DictField())
    current = RuleSerializer()


class PreviewRowSerializer(serializers.Serializer):
    subject_id = serializers.CharField()
    label = serializers.CharField()
    area_code = serializers.CharField()
    facts = serializers.DictField()
    explanation = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    period_key = serializers.CharField()
    matching = serializers.IntegerField(help_text="符合条件的对象数(含本周期已触发的)")
    would_fire = serializers.IntegerField(help_text="现在运行会触发的对象数")
    facts = serializers.ListField(child=serializers.CharField())
    rows = PreviewRowSerializer(many=True)


class FiringSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    subject_label = serializers.SerializerMethodField()

    class Meta:
        model = Firing
        fields = ["id", "rule", "rule_name", "rule_version", "subject_type", "subject_id",
                  "subject_label", "period_key", "area_code", "fired_at", "facts",
                  "explanation", "outcome_type", "outcome_id", "updated_at"]
        read_only_fields = fields

    def get_subject_label(self, obj) -> str:
        from ..display import visible_label

        return visible_label(self.context["request"].user, obj)


class RuleRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = RuleRun
        fields = ["id", "evaluated_on", "started_at", "finished_at", "duration_ms", "status",
                  "rules_evaluated", "candidates", "fired", "skipped", "errors"]
        read_only_fields = fields
