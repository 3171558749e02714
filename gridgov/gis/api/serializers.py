from rest_framework import serializers

from ..models import Layer


class LayerSerializer(serializers.ModelSerializer):
    """A published layer's description; its features are read through the OGC API
    (``collection_url``)."""

    owner_code = serializers.CharField(source="owner.code", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    collection_id = serializers.CharField(read_only=True)
    collection_url = serializers.SerializerMethodField()
    bbox = serializers.ListField(child=serializers.FloatField(), read_only=True, allow_null=True)

    class Meta:
        model = Layer
        fields = ["id", "code", "name", "owner_code", "owner_name", "description",
                  "geometry_type", "sharing_type", "sharing_condition", "legal_basis",
                  "is_public", "is_published", "version", "feature_count", "bbox",
                  "source_crs", "collection_id", "collection_url", "updated_at"]
        read_only_fields = fields

    def get_collection_url(self, layer) -> str:
        from django.urls import reverse

        request = self.context.get("request")
        path = reverse("ogcapi:items", args=[layer.collection_id])
        return request.build_absolute_uri(path) if request else path
