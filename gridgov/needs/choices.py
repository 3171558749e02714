"""Vocabularies of needs analysis."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    """Where a need was read from."""

    EVENT = "event", _("事件")
    HOTLINE = "hotline", _("热线工单")
    VISIT = "visit", _("走访记录")
    CONTACT = "contact", _("党员联系户记录")


# The resident group of a mention whose person is unknown or carries no care tag.
OTHER_GROUP = "其他"
# Hotline work orders are events with these sources (gridgov.events.choices.Source).
HOTLINE_SOURCES = ("hotline_81890", "hotline_12345")
# Events whose text is not counted: void, merged into another case, held by the harmful-
# content filter (shown only to its reviewers) — as on the keyword page.
EXCLUDED_EVENT_STATES = ("void", "merged", "held")
