"""Serializers of the needs API."""

from rest_framework import serializers

from ..models import NeedCategory, NeedCount


class NeedCategorySerializer(serializers.ModelSerializer):
    care_groups = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = NeedCategory
        fields = ["code", "name", "description", "keywords", "visit_needs", "care_groups",
                  "order", "is_active", "version", "updated_at"]


class NeedCountSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = NeedCount
        fields = ["id", "area_code", "month", "group", "category", "mentions", "people"]
