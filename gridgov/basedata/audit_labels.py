"""Names of the audit actions and object types the basedata app records
(read by ``gridgov.audit.labels``). Changes are recorded as ``basedata.<kind>.<change>``
(``actions.common._track``), exports and imports as ``basedata.export.<kind>`` and
``basedata.import.<kind>``."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "basedata.person.create": _("新增人口"),
    "basedata.person.update": _("修改人口信息"),
    "basedata.person.merge": _("合并重复人口"),
    "basedata.person.merged": _("人口被合并"),
    "basedata.person.tags": _("修改人口标签"),
    "basedata.person.move_in": _("人口迁入"),
    "basedata.person.move_out": _("人口迁出"),
    "basedata.person.death": _("登记死亡"),
    "basedata.person.phone": _("变更手机号"),
    "basedata.person.household": _("变更家庭关系"),
    "basedata.building.create": _("新增楼栋"),
    "basedata.house.create": _("新增房屋"),
    "basedata.house.update": _("修改房屋信息"),
    "basedata.organisation.create": _("新增单位"),
    "basedata.organisation.update": _("修改单位信息"),
    "basedata.component.create": _("新增部件"),
    "basedata.component.state": _("修改部件状态"),
    "basedata.export.people": _("导出人口"),
    "basedata.export.houses": _("导出房屋"),
    "basedata.export.organisations": _("导出单位"),
    "basedata.export.components": _("导出部件"),
    "basedata.import.people": _("导入人口"),
    "basedata.import.houses": _("导入房屋"),
    "basedata.import.organisations": _("导入单位"),
    "basedata.rotate_keys": _("轮换基础数据密钥"),
}

OBJECT_TYPES = {
    "basedata.people": _("人口数据"),
    "basedata.houses": _("房屋数据"),
    "basedata.organisations": _("单位数据"),
    "basedata.components": _("部件数据"),
}
