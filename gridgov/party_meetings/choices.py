"""Vocabularies of 三会一课 and 主题党日."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支委会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    PARTY_LECTURE = "party_lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("已通知")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("到会")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class SignInWay(models.TextChoices):
    ON_SITE = "on_site", _("本人签到")
    BY_SECRETARY = "by_secretary", _("书记代签")


# Org kinds (gridgov.party.choices.OrgKind values) by the meeting kinds they may hold:
# a 党小组 holds 党小组会 only; the other organisations hold every kind but 党小组会.
GROUP_ORG = "group"
GROUP_ONLY_KINDS = frozenset({MeetingKind.GROUP_MEETING})


def kind_allowed(kind: str, org_kind: str) -> bool:
    """Whether an organisation of ``org_kind`` holds meetings of ``kind``."""
    if org_kind == GROUP_ORG:
        return kind in GROUP_ONLY_KINDS
    return kind not in GROUP_ONLY_KINDS
