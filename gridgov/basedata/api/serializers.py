"""Serializers of the basic-data API. Output shows ID numbers and phones masked only; input
serializers check types, ``basedata.actions`` decides the rules."""

from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridgov.areas.models import Area

from .. import access
from ..models import House, Person


class GridCodeField(serializers.CharField):
    """A grid's code in, the grid (``Area``) out; blank is ``None`` (the action then finds
    the grid from the house or the point)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 15)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        code = super().run_validation(data)
        if not code:
            return None
        try:
            return Area.objects.get(code=code, level="grid")
        except Area.DoesNotExist:
            raise serializers.ValidationError("网格编码不存在。") from None


class TagSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    sensitivity = serializers.IntegerField()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(source="id_masked", help_text="330203********1234")
    birth_date = serializers.SerializerMethodField(
        help_text="null unless the caller may reveal the ID number (the date is part of it)")
    sex = serializers.CharField()
    age = serializers.IntegerField(allow_null=True)
    registration_type = serializers.CharField()
    phone = serializers.CharField(source="phone_masked", help_text="138****5678")
    address = serializers.CharField()
    grid = serializers.CharField(source="area_code")
    house = serializers.IntegerField(source="house_id", allow_null=True)
    household_head = serializers.IntegerField(source="household_head_id", allow_null=True)
    relation_to_head = serializers.CharField()
    status = serializers.CharField(help_text="residing 在住 / moved_out 已迁出 / deceased 已死亡")
    status_display = serializers.CharField(source="get_status_display")
    status_on = serializers.DateField(allow_null=True, help_text="迁入、迁出或死亡的日期")
    moved_in_on = serializers.DateField(allow_null=True)
    moved_out_to = serializers.CharField()
    version = serializers.IntegerField(help_text="修改时作为 expected_version 回传")
    tags = serializers.SerializerMethodField()
    source = serializers.CharField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_birth_date(self, obj):
        reveal = self.context.get("reveal")
        if reveal is None:
            reveal = access.can_reveal(self.context["request"].user)
            self.context["reveal"] = reveal
        return obj.birth_date.isoformat() if reveal and obj.birth_date else None

    def get_tags(self, obj) -> list[str]:
        special = self.context.get("special")
        if special is None:
            special = access.can_see_special(self.context["request"].user)
            self.context["special"] = special
        return [t.name for t in access.visible_tags(obj, None, special=special)]


class PersonDetailSerializer(PersonSerializer):
    provenance = serializers.JSONField()
    status_note = serializers.CharField()
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)


class PersonInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    sex = serializers.CharField(required=False, allow_blank=True)
    registration_type = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    grid = GridCodeField()
    lng = serializers.FloatField(required=False)
    lat = serializers.FloatField(required=False)
    crs = serializers.CharField(required=False, default="wgs84")
    house = serializers.IntegerField(required=False, allow_null=True)
    household_head = serializers.IntegerField(required=False, allow_null=True,
                                              help_text="户主的人员 id")
    relation_to_head = serializers.CharField(required=False, allow_blank=True)
    moved_in_on = serializers.DateField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), required=False)

    def validate_household_head(self, value):
        return changeable_person(self.context["request"].user, value, "household_head")

    def validate_house(self, value):
        """The house the person lives in, which the caller may change; one outside that
        scope answers 404 like a missing one."""
        if not value:
            return None
        house = House.objects.restrict(self.context["request"].user, "change").filter(
            pk=value).first()
        if house is None:
            raise Http404
        return house


class PersonUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    registration_type = serializers.CharField(required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relation_to_head = serializers.CharField(required=False, allow_blank=True)
    expected_version = serializers.IntegerField(required=False, allow_null=True)


def changeable_person(user, value, field):
    """The person of id ``value`` whom ``user`` may change, or a 400 on ``field`` (the same
    answer for a missing one and one outside the scope); blank is None."""
    if not value:
        return None
    person = Person.objects.restrict(user, "change").current().filter(pk=value).first()
    if person is None:
        raise serializers.ValidationError("人员不存在或不在您的范围内。")
    return person


def changeable_house(user, value):
    if not value:
        return None
    house = House.objects.restrict(user, "change").filter(pk=value).first()
    if house is None:
        raise serializers.ValidationError("房屋不存在或不在您的范围内。")
    return house


class _Versioned(serializers.Serializer):
    expected_version = serializers.IntegerField(
        required=False, allow_null=True,
        help_text="读取时的 version;记录已被他人修改时答 409,正文 current 为最新记录")


class MoveInSerializer(_Versioned):
    house = serializers.IntegerField()
    household_head = serializers.IntegerField(required=False, allow_null=True)
    relation_to_head = serializers.CharField(required=False, allow_blank=True)
    on = serializers.DateField()

    def validate_house(self, value):
        house = changeable_house(self.context["request"].user, value)
        if house is None:
            raise serializers.ValidationError("房屋不存在或不在您的范围内。")
        return house

    def validate_household_head(self, value):
        return changeable_person(self.context["request"].user, value, "household_head")


class MoveOutSerializer(_Versioned):
    on = serializers.DateField()
    destination = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    new_head = serializers.IntegerField(required=False, allow_null=True,
                                        help_text="该户新户主(在住成员);不填则成员暂无户主")

    def validate_new_head(self, value):
        return changeable_person(self.context["request"].user, value, "new_head")


class DeathSerializer(_Versioned):
    on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    new_head = serializers.IntegerField(required=False, allow_null=True)

    def validate_new_head(self, value):
        return changeable_person(self.context["request"].user, value, "new_head")


class PhoneSerializer(_Versioned):
    phone = serializers.CharField(max_length=20, allow_blank=True)


class HouseholdSerializer(_Versioned):
    household_head = serializers.IntegerField(
        required=False, allow_null=True, help_text="户主的人员 id;空 = 本人成为新户户主")
    relation_to_head = serializers.CharField(required=False, allow_blank=True)

    def validate_household_head(self, value):
        return changeable_person(self.context["request"].user, value, "household_head")


class RevealInputSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["id_number", "phone"])
    reason = serializers.CharField(max_length=500)


class RevealSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class BuildingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    floors = serializers.IntegerField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    grid = serializers.CharField(source="area_code")
    house_count = serializers.IntegerField(help_text="本人可见的房屋数")
    source = serializers.CharField()
    updated_at = serializers.DateTimeField()


class BuildingHouseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    address = serializers.CharField()
    unit = serializers.CharField()
    room = serializers.CharField()
    use = serializers.CharField()
    rental_status = serializers.CharField()


class BuildingDetailSerializer(BuildingSerializer):
    provenance = serializers.JSONField()
    houses = serializers.SerializerMethodField()

    @extend_schema_field(BuildingHouseSerializer(many=True))
    def get_houses(self, obj):
        from ..models import House

        # Only the houses the caller may see (a house may lie in another grid).
        houses = House.objects.restrict(self.context["request"].user).filter(building=obj)
        return BuildingHouseSerializer(houses, many=True).data


class HouseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    address = serializers.CharField()
    unit = serializers.CharField()
    room = serializers.CharField()
    use = serializers.CharField()
    owner_name = serializers.CharField()
    rental_status = serializers.CharField()
    area_m2 = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    grid = serializers.CharField(source="area_code")
    source = serializers.CharField()
    updated_at = serializers.DateTimeField()


class HouseInputSerializer(serializers.Serializer):
    address = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
    room = serializers.CharField(max_length=20, required=False, allow_blank=True)
    use = serializers.CharField(required=False)
    owner_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    rental_status = serializers.CharField(required=False)
    grid = GridCodeField()
    lng = serializers.FloatField(required=False)
    lat = serializers.FloatField(required=False)
    crs = serializers.CharField(required=False, default="wgs84")


class HouseUpdateSerializer(_Versioned):
    use = serializers.CharField(required=False)
    rental_status = serializers.CharField(required=False)
    owner_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    area_m2 = serializers.FloatField(required=False, allow_null=True)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
    room = serializers.CharField(max_length=20, required=False, allow_blank=True)


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField()
    org_type = serializers.CharField()
    legal_representative = serializers.CharField()
    address = serializers.CharField()
    lng = serializers.FloatField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    grid = serializers.CharField(source="area_code")
    source = serializers.CharField()
    updated_at = serializers.DateTimeField()


class OrganisationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    uscc = serializers.CharField(max_length=30)
    org_type = serializers.CharField(required=False)
    legal_representative = serializers.CharField(max_length=60, required=False,
                                                 allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    grid = GridCodeField()
    lng = serializers.FloatField(required=False)
    lat = serializers.FloatField(required=False)
    crs = serializers.CharField(required=False, default="wgs84")


class OrganisationUpdateSerializer(_Versioned):
    name = serializers.CharField(max_length=120, required=False)
    uscc = serializers.CharField(max_length=30, required=False)
    org_type = serializers.CharField(required=False)
    legal_representative = serializers.CharField(max_length=60, required=False,
                                                 allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ComponentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    major = serializers.CharField()
    minor = serializers.CharField()
    name = serializers.CharField()
    class_name = serializers.CharField()
    state = serializers.CharField()
    lng = serializers.FloatField()
    lat = serializers.FloatField()
    address = serializers.CharField()
    owner_department = serializers.CharField(source="owner_department.name", default="")
    custodian_department = serializers.CharField(source="custodian_department.name",
                                                 default="")
    maintainer_department = serializers.CharField(source="maintainer_department.name",
                                                  default="")
    grid = serializers.CharField(source="area_code")
    updated_at = serializers.DateTimeField()


class ComponentInputSerializer(serializers.Serializer):
    major = serializers.CharField(max_length=2)
    minor = serializers.CharField(max_length=3)
    lng = serializers.FloatField()
    lat = serializers.FloatField()
    crs = serializers.CharField(required=False, default="wgs84")
    code = serializers.CharField(max_length=17, required=False, allow_blank=True)
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    state = serializers.CharField(required=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ComponentStateSerializer(serializers.Serializer):
    state = serializers.CharField()
    remark = serializers.CharField(required=False, allow_blank=True)
