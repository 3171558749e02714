"""Vocabularies of the basic data (people, houses, organisations, components)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员采集")
    DEPARTMENT = "department", _("部门提供")
    IMPORT = "import", _("批量导入")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class RegistrationType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    FLOATING = "floating", _("流动人口")
    OVERSEAS = "overseas", _("境外人员")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class PersonStatus(models.TextChoices):
    """Where a person stands in the grid's records: lists show residing people by default."""

    RESIDING = "residing", _("在住")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("已死亡")


class TagKind(models.TextChoices):
    CARE = "care", _("关爱人群")
    SPECIAL = "special", _("特殊人群")


class Sensitivity(models.IntegerChoices):
    NORMAL = 1, _("一般")
    SENSITIVE = 2, _("敏感")
    SECRET = 3, _("高度敏感")


class HouseUse(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    COMMERCIAL = "commercial", _("商业")
    OFFICE = "office", _("办公")
    MIXED = "mixed", _("商住")
    OTHER = "other", _("其他")


class RentalStatus(models.TextChoices):
    SELF = "self", _("自住")
    RENTED = "rented", _("出租")
    VACANT = "vacant", _("空置")


class OrgType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INDIVIDUAL = "individual", _("个体工商户")
    SOCIAL = "social", _("社会组织")
    INSTITUTION = "institution", _("事业单位")
    GOVERNMENT = "government", _("机关")
    OTHER = "other", _("其他")


class ComponentState(models.TextChoices):
    INTACT = "intact", _("完好")
    DAMAGED = "damaged", _("破损")
    LOST = "lost", _("丢失")
    ABANDONED = "abandoned", _("废弃")
    REMOVED = "removed", _("移除")


# 部件分类 (GB/T 30428.2 城市市政综合监管信息系统 管理部件和事件分类与编码, abridged):
# major code → (name, {minor code → name}).
COMPONENT_CLASSES = {
    "01": (_("公用设施"), {
        "01": _("上水井盖"), "02": _("污水井盖"), "03": _("雨水井盖"), "04": _("电力井盖"),
        "05": _("通信井盖"), "06": _("燃气井盖"), "07": _("消防栓"), "08": _("路灯"),
    }),
    "02": (_("道路交通"), {
        "01": _("公交站亭"), "02": _("交通信号灯"), "03": _("交通标志牌"), "04": _("隔离护栏"),
        "05": _("停车泊位"), "06": _("路名牌"),
    }),
    "03": (_("市容环境"), {
        "01": _("公共厕所"), "02": _("垃圾箱"), "03": _("垃圾收集站"), "04": _("广告牌匾"),
    }),
    "04": (_("园林绿化"), {
        "01": _("古树名木"), "02": _("行道树"), "03": _("绿地护栏"), "04": _("街头坐椅"),
    }),
    "05": (_("房屋土地"), {"01": _("宣传栏"), "02": _("门牌")}),
    "06": (_("其他设施"), {"01": _("监控电子眼"), "02": _("健身设施"), "03": _("充电桩")}),
}

# The departments whose data officers see special-group tags (settings
# GRIDGOV_SPECIAL_GROUP_DEPARTMENTS): 区民政局 D016 and 区司法局 D017.
DEFAULT_SPECIAL_GROUP_DEPARTMENTS = ("D016", "D017")
