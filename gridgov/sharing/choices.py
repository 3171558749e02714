"""Vocabularies of the data resource centre (REFERENCE §9, 国发〔2016〕51号 and the 2017
catalog guide)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SharingType(models.TextChoices):
    """The three sharing classes: sharing is the rule, not sharing the exception."""

    UNCONDITIONAL = "unconditional", _("无条件共享")
    CONDITIONAL = "conditional", _("有条件共享")
    NOT_SHARED = "not_shared", _("不予共享")


class SharingMethod(models.TextChoices):
    API = "api", _("接口调用")
    FILE = "file", _("文件下载")
    DATABASE = "database", _("库表交换")


class OpenAttribute(models.TextChoices):
    """Whether the resource is also open to the public (open data), which is separate from
    sharing between departments."""

    OPEN = "open", _("向社会开放")
    CONDITIONAL = "conditional", _("有条件开放")
    CLOSED = "closed", _("不予开放")


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", _("实时")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")
    IRREGULAR = "irregular", _("不定期")


class ResourceFormat(models.TextChoices):
    DATABASE = "database", _("数据库")
    TABLE = "table", _("电子表格")
    DOCUMENT = "document", _("电子文件")
    API = "api", _("接口")
    OTHER = "other", _("其他")


class BaseLibrary(models.TextChoices):
    """The five base libraries a resource may belong to (CKAN groups)."""

    POPULATION = "population", _("人口")
    LEGAL_PERSON = "legal_person", _("法人")
    SPATIAL = "spatial", _("自然资源和空间地理")
    CREDIT = "credit", _("社会信用")
    LICENSE = "license", _("电子证照")


class FieldType(models.TextChoices):
    STRING = "string", _("字符型")
    INTEGER = "integer", _("整数型")
    NUMBER = "number", _("数值型")
    DATE = "date", _("日期型")
    DATETIME = "datetime", _("日期时间型")
    BOOLEAN = "boolean", _("布尔型")


# CKAN datastore field types for our field types.
CKAN_TYPES = {
    FieldType.STRING: "text",
    FieldType.INTEGER: "int",
    FieldType.NUMBER: "numeric",
    FieldType.DATE: "date",
    FieldType.DATETIME: "timestamp",
    FieldType.BOOLEAN: "bool",
}


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待答复")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("已拒绝")
    DISPUTED = "disputed", _("协调中")
    WITHDRAWN = "withdrawn", _("已撤回")


class Masking(models.TextChoices):
    """How a granted field's values reach the consumer."""

    PLAIN = "plain", _("原值")
    MASKED = "masked", _("脱敏")


class ExchangeChannel(models.TextChoices):
    EXCHANGE = "exchange", _("交换接口")
    CKAN = "ckan", _("CKAN 接口")
    WEB = "web", _("网页预览与下载")


# The answer deadline for a conditional request, in working days (国发〔2016〕51号).
ANSWER_WORKING_DAYS = 10
# The coordinating department when settings.GRIDGOV_COORDINATING_DEPARTMENT is not set:
# 区经信局 (the district's big-data office sits in it in the demo district).
DEFAULT_COORDINATING_DEPARTMENT = "D014"
