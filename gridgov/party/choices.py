"""Vocabularies of party building (党建组织与党员)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    """Kinds of party organisation, from the street down to the group."""

    WORKING_COMMITTEE = "working_committee", _("街道党工委")
    COMMITTEE = "committee", _("社区党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


# The kinds an organisation of each kind may have as its parent (None: a root).
PARENT_KINDS = {
    OrgKind.WORKING_COMMITTEE: {None},
    OrgKind.COMMITTEE: {None, OrgKind.WORKING_COMMITTEE},
    OrgKind.GENERAL_BRANCH: {None, OrgKind.WORKING_COMMITTEE, OrgKind.COMMITTEE},
    OrgKind.BRANCH: {None, OrgKind.WORKING_COMMITTEE, OrgKind.COMMITTEE,
                     OrgKind.GENERAL_BRANCH},
    OrgKind.GROUP: {OrgKind.BRANCH, OrgKind.GENERAL_BRANCH},
}


class MemberKind(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    TRANSFERRED_OUT = "transferred_out", _("已转出")
    DECEASED = "deceased", _("已故")
    LEFT = "left", _("已出党")


class PostKind(models.TextChoices):
    """Posts of an organisation's committee (支委会 / 党委委员) and of a group."""

    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANISATION = "organisation", _("组织委员")
    PUBLICITY = "publicity", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    MEMBER = "member", _("委员")
    GROUP_LEADER = "group_leader", _("组长")


class TransferKind(models.TextChoices):
    """组织关系转接: to another organisation in the system, or out of the system."""

    INTERNAL = "internal", _("系统内转接")
    EXTERNAL = "external", _("转出本系统")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待接收")
    ACCEPTED = "accepted", _("已接收")
    REJECTED = "rejected", _("已退回")
    CANCELLED = "cancelled", _("已撤回")
    COMPLETED = "completed", _("已转出")
