"""Read-only representation of audit records."""

from rest_framework import serializers

from ..models import AuditRecord


class AuditRecordSerializer(serializers.ModelSerializer):
    """Every field of a record, including its place in the chain; nothing is writable."""

    class Meta:
        model = AuditRecord
        fields = ["id", "at", "actor", "actor_name", "role", "action", "object_type",
                  "object_id", "object_repr", "changes", "remark", "request_id", "client_ip",
                  "chain_key", "seq", "prev_hash", "hash"]
        read_only_fields = fields
