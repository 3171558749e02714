"""The platform's basic data published as built-in resources of the data resource centre
(``gridgov.sharing.registry``): people (provided by 区民政局), houses (区住建局) and
organisations (区市场监管局). ``row()`` gives plain values; the exchange keeps only the granted
fields and masks the sensitive ones per grant."""

from django.db.models import Prefetch

from gridgov.core import personal_data

from .models import House, Organisation, Person, Tag

PEOPLE_FIELDS = [
    {"name": "person_id", "label": "人员编号", "type": "integer", "sensitive": False},
    {"name": "name", "label": "姓名", "type": "string", "sensitive": False},
    {"name": "id_number", "label": "身份证号", "type": "string", "sensitive": True},
    {"name": "birth_date", "label": "出生日期", "type": "date", "sensitive": False},
    {"name": "sex", "label": "性别", "type": "string", "sensitive": False},
    {"name": "registration_type", "label": "户籍类型", "type": "string", "sensitive": False},
    {"name": "phone", "label": "手机号", "type": "string", "sensitive": True},
    {"name": "address", "label": "居住地址", "type": "string", "sensitive": False},
    {"name": "grid_code", "label": "网格编码", "type": "string", "sensitive": False},
    {"name": "household_head_id", "label": "户主编号", "type": "integer", "sensitive": False},
    {"name": "relation_to_head", "label": "与户主关系", "type": "string", "sensitive": False},
    {"name": "care_tags", "label": "关爱人群标签", "type": "string", "sensitive": False},
    {"name": "special_tags", "label": "特殊人群标签", "type": "string", "sensitive": True},
    # Moved-out and deceased people stay in the feed with their status: the exchange is a
    # delta by updated_at, so a record that vanished would stay "residing" in a copy.
    {"name": "status", "label": "人员状态", "type": "string", "sensitive": False},
    {"name": "status_on", "label": "状态变更日期", "type": "date", "sensitive": False},
    {"name": "updated_at", "label": "更新时间", "type": "datetime", "sensitive": False},
]
HOUSE_FIELDS = [
    {"name": "house_id", "label": "房屋编号", "type": "integer", "sensitive": False},
    {"name": "address", "label": "标准地址", "type": "string", "sensitive": False},
    {"name": "unit", "label": "单元", "type": "string", "sensitive": False},
    {"name": "room", "label": "房号", "type": "string", "sensitive": False},
    {"name": "use", "label": "用途", "type": "string", "sensitive": False},
    {"name": "owner_name", "label": "产权人", "type": "string", "sensitive": True},
    {"name": "rental_status", "label": "出租状态", "type": "string", "sensitive": False},
    {"name": "grid_code", "label": "网格编码", "type": "string", "sensitive": False},
    {"name": "lng", "label": "经度", "type": "number", "sensitive": False},
    {"name": "lat", "label": "纬度", "type": "number", "sensitive": False},
    {"name": "updated_at", "label": "更新时间", "type": "datetime", "sensitive": False},
]
ORG_FIELDS = [
    {"name": "org_id", "label": "单位编号", "type": "integer", "sensitive": False},
    {"name": "name", "label": "名称", "type": "string", "sensitive": False},
    {"name": "uscc", "label": "统一社会信用代码", "type": "string", "sensitive": False},
    {"name": "org_type", "label": "类型", "type": "string", "sensitive": False},
    {"name": "legal_representative", "label": "法定代表人", "type": "string",
     "sensitive": False},
    {"name": "address", "label": "地址", "type": "string", "sensitive": False},
    {"name": "grid_code", "label": "网格编码", "type": "string", "sensitive": False},
    {"name": "updated_at", "label": "更新时间", "type": "datetime", "sensitive": False},
]


def people_queryset():
    return Person.objects.current().prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("name", "kind", "sensitivity")))


def person_row(p) -> dict:
    tags = list(p.tags.all())
    return {
        "person_id": p.pk, "name": p.name,
        "id_number": personal_data.decrypt(p.id_number_enc, "id_number"),
        "birth_date": p.birth_date.isoformat() if p.birth_date else None, "sex": p.sex,
        "registration_type": p.registration_type,
        "phone": personal_data.decrypt(p.phone_enc, "phone"), "address": p.address,
        "grid_code": p.area_code, "household_head_id": p.household_head_id,
        "relation_to_head": p.relation_to_head,
        "care_tags": ";".join(t.name for t in tags if not t.restricted),
        "special_tags": ";".join(t.name for t in tags if t.restricted),
        "status": p.status, "status_on": p.status_on.isoformat() if p.status_on else None,
        "updated_at": p.updated_at.isoformat(),
    }


def house_row(h) -> dict:
    return {"house_id": h.pk, "address": h.address, "unit": h.unit, "room": h.room,
            "use": h.use, "owner_name": h.owner_name, "rental_status": h.rental_status,
            "grid_code": h.area_code, "lng": h.lng, "lat": h.lat,
            "updated_at": h.updated_at.isoformat()}


def org_row(o) -> dict:
    return {"org_id": o.pk, "name": o.name, "uscc": o.uscc, "org_type": o.org_type,
            "legal_representative": o.legal_representative, "address": o.address,
            "grid_code": o.area_code, "updated_at": o.updated_at.isoformat()}


def register() -> None:
    """Register the three built-in resources with the data resource centre."""
    from gridgov.sharing.registry import register_builtin

    register_builtin("people", name="实有人口", provider_department_code="D016",
                     fields=PEOPLE_FIELDS, queryset=people_queryset, row=person_row,
                     updated_field="updated_at", update_cycle="实时",
                     abstract="网格员一次采集的实有人口基础信息(身份证号、手机号按授权脱敏)。")
    register_builtin("houses", name="实有房屋", provider_department_code="D022",
                     fields=HOUSE_FIELDS, queryset=House.objects.all, row=house_row,
                     updated_field="updated_at", update_cycle="实时",
                     abstract="网格采集的房屋信息:标准地址、用途、出租状态。")
    register_builtin("organisations", name="实有单位", provider_department_code="D032",
                     fields=ORG_FIELDS, queryset=Organisation.objects.all, row=org_row,
                     updated_field="updated_at", update_cycle="实时",
                     abstract="网格采集的单位信息:统一社会信用代码、类型、法定代表人、地址。")
