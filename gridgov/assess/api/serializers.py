"""Serializers of the assessment API."""

from rest_framework import serializers

from .. import indicators as ind
from ..models import Appeal, Snapshot


class SnapshotSerializer(serializers.ModelSerializer):
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)

    class Meta:
        model = Snapshot
        fields = ["id", "period_kind", "period_start", "period_end", "scheme", "scheme_name",
                  "scheme_items", "version", "as_of", "frozen_at", "case_count"]


class ResultSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    key = serializers.CharField()
    label = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    rates = serializers.DictField(child=serializers.FloatField(allow_null=True))
    hours = serializers.DictField(child=serializers.FloatField(allow_null=True))
    # counts (verifications, collected) and patrol totals (patrol_hours, patrol_km)
    workload = serializers.DictField()  # whole counts and the hours / kilometres as given
    parts = serializers.ListField(child=serializers.DictField())


def result_data(r) -> dict:
    return {"rank": r.rank, "key": r.key, "label": r.label, "score": r.score,
            "counts": r.counts, "rates": r.rates(), "workload": r.workload, "parts": r.parts,
            "hours": {h: r.mean_hours(h) for h in ("accept_hours", "handle_hours")}}


class RankingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    period = serializers.DictField()
    scheme = serializers.CharField()
    snapshot = serializers.IntegerField(allow_null=True)
    results = ResultSerializer(many=True)


class AppealSerializer(serializers.ModelSerializer):
    event_number = serializers.CharField(source="event.number", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Appeal
        fields = ["id", "event", "event_number", "department", "department_name",
                  "indicator", "reason", "status", "submitted_at", "decided_at",
                  "decision_reason"]


class AppealInputSerializer(serializers.Serializer):
    event = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    indicator = serializers.ChoiceField(choices=list(ind.WAIVABLE))
    reason = serializers.CharField(max_length=2000)


class DecisionInputSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000)
