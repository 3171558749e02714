"""Vocabularies of the event closed loop (REFERENCE §5–6).

Values are stable English codes; labels are Chinese. The transition table that says which
action moves an event from which state to which, and who may do it, lives in
``gridgov.events.workflow`` (data, not code spread over the actions).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    GRID_PATROL = "grid_patrol", _("网格巡查")
    CITIZEN = "citizen", _("群众上报")
    HOTLINE_81890 = "hotline_81890", _("81890热线")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    MAILBOX = "mailbox", _("政府信箱")
    VIDEO_PATROL = "video_patrol", _("视频巡查")
    DEPT_TRANSFER = "dept_transfer", _("部门移交")
    LEADER_INSTRUCTION = "leader_instruction", _("领导交办")
    OPEN311 = "open311", _("Open311接口")


class Nature(models.TextChoices):
    REQUEST = "request", _("求决")
    COMPLAINT = "complaint", _("投诉")
    CONSULT = "consult", _("咨询")
    SUGGESTION = "suggestion", _("建议")
    THANKS = "thanks", _("感谢")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class State(models.TextChoices):
    REPORTED = "reported", _("已上报")
    HELD = "held", _("待审核")
    REGISTERED = "registered", _("已受理")
    FILED = "filed", _("已立案")
    NOT_FILED = "not_filed", _("不予立案")
    VOID = "void", _("已作废")
    DISPATCHED = "dispatched", _("已派遣")
    IN_PROGRESS = "in_progress", _("处置中")
    COMPLETED = "completed", _("待核查")
    SUSPENDED = "suspended", _("已挂账")
    CLOSED = "closed", _("已结案")
    MERGED = "merged", _("已合并")


# States in which nothing more happens to an event (evaluation of a closed event aside).
FINAL_STATES = frozenset({State.NOT_FILED, State.VOID, State.CLOSED, State.MERGED})
# States whose stage has a running deadline (due soon / overdue make sense).
TIMED_STATES = frozenset({
    State.REPORTED, State.REGISTERED, State.FILED, State.DISPATCHED, State.IN_PROGRESS,
    State.COMPLETED,
})


class EventLevel(models.TextChoices):
    """Who coordinates the event: escalation goes community → street → district."""

    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")
    DISTRICT = "district", _("区")


LEVEL_ORDER = (EventLevel.COMMUNITY, EventLevel.STREET, EventLevel.DISTRICT)


class TimeUnit(models.TextChoices):
    """Units of a time limit (``gridgov.core.workdays.deadline_for``)."""

    MINUTES = "minutes", _("分钟")
    HOURS = "hours", _("小时")
    WORKING_HOURS = "working_hours", _("工作小时")
    WORKING_DAYS = "working_days", _("工作日")


class CategoryKind(models.TextChoices):
    URBAN = "urban", _("城市管理")
    SOCIAL = "social", _("社会治理")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    AUDIO = "audio", _("录音")
    VIDEO = "video", _("视频")


class RequestKind(models.TextChoices):
    EXTENSION = "extension", _("延期申请")
    SUSPENSION = "suspension", _("挂账申请")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")
    # The case left the stage the request was about (completed, returned, suspended on the
    # other request) before anyone decided: nothing is left to decide.
    LAPSED = "lapsed", _("已失效")


class DeadlineStatus(models.TextChoices):
    """Read-time mark of the current stage's deadline."""

    NONE = "none", _("无时限")
    ON_TIME = "on_time", _("正常")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已超期")
