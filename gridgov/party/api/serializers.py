"""Serializers of the party API (/api/v1/party/)."""

from rest_framework import serializers

from ..choices import MemberKind, MemberStatus, OrgKind, PostKind, TransferKind
from ..models import PartyMember, PartyOrganisation, PartyPost, PartyTransfer

ID = {"min_value": 1, "max_value": 2**63 - 1}


class PartyOrganisationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = PartyOrganisation
        fields = ["id", "name", "kind", "kind_display", "parent", "area_code", "area_name",
                  "is_active", "term_started_on", "term_ends_on", "version", "updated_at"]
        read_only_fields = fields


class PartyOrganisationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    parent = serializers.IntegerField(required=False, allow_null=True, **ID)
    area_code = serializers.CharField(max_length=15)
    is_active = serializers.BooleanField(required=False, default=True)
    expected_version = serializers.IntegerField(required=False, min_value=1)


class PartyTermInputSerializer(serializers.Serializer):
    started_on = serializers.DateField()
    ends_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    expected_version = serializers.IntegerField(required=False, min_value=1)


class PartyMemberSerializer(serializers.ModelSerializer):
    """A member: the person's name and masked ID number only (the rest stays on the
    basic-data person, ``person``)."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    id_masked = serializers.CharField(source="person.id_masked", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = PartyMember
        fields = ["id", "person", "person_name", "id_masked", "organisation",
                  "organisation_name", "area_code", "user", "kind", "kind_display",
                  "joined_on", "status", "status_display", "status_changed_on", "in_service",
                  "work_unit", "checked_in_to", "checked_in_on", "version", "updated_at"]
        read_only_fields = fields


class PartyMemberInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(**ID)
    organisation = serializers.IntegerField(**ID)
    kind = serializers.ChoiceField(choices=MemberKind.choices, default=MemberKind.FULL)
    joined_on = serializers.DateField(required=False, allow_null=True)
    in_service = serializers.BooleanField(required=False, default=False)
    work_unit = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                      default="")
    user = serializers.IntegerField(required=False, allow_null=True, **ID)


class PartyMemberUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MemberKind.choices)
    joined_on = serializers.DateField(required=False, allow_null=True)
    in_service = serializers.BooleanField(required=False)
    work_unit = serializers.CharField(required=False, allow_blank=True, max_length=100)
    user = serializers.IntegerField(required=False, allow_null=True, **ID)
    expected_version = serializers.IntegerField(required=False, min_value=1)


class PartyStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[MemberStatus.ACTIVE, MemberStatus.DECEASED,
                                              MemberStatus.LEFT])
    on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    expected_version = serializers.IntegerField(required=False, min_value=1)


class PartyCheckInInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(**ID)
    on = serializers.DateField(required=False, allow_null=True)


class PartyEmptyInputSerializer(serializers.Serializer):
    pass


class PartyPostSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    post_display = serializers.CharField(source="get_post_display", read_only=True)

    class Meta:
        model = PartyPost
        fields = ["id", "organisation", "member", "member_name", "area_code", "post",
                  "post_display", "started_on", "ended_on", "version", "updated_at"]
        read_only_fields = fields


class PartyPostInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(**ID)
    member = serializers.IntegerField(**ID)
    post = serializers.ChoiceField(choices=PostKind.choices)
    started_on = serializers.DateField(required=False, allow_null=True)


class PartyEndPostInputSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True)


class PartyTransferSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    # Empty when the transfer leaves the system.
    to_area_code = serializers.CharField(read_only=True)

    class Meta:
        model = PartyTransfer
        fields = ["id", "member", "member_name", "kind", "from_organisation",
                  "from_area_code", "to_organisation", "to_area_code", "destination",
                  "reason", "status", "status_display", "requested_at", "decided_at",
                  "decision_note", "version", "updated_at"]
        read_only_fields = fields


class PartyTransferInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(**ID)
    kind = serializers.ChoiceField(choices=TransferKind.choices, default=TransferKind.INTERNAL)
    to_organisation = serializers.IntegerField(required=False, allow_null=True, **ID)
    destination = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                        default="")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   default="")


class PartyDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class PartyConflictSerializer(serializers.Serializer):
    """409: the record changed meanwhile; ``current_version`` is the stored version."""

    errors = serializers.ListField(child=serializers.DictField())
    current_version = serializers.IntegerField()
