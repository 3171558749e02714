"""Helpers the party verbs share: scope checks, versions, dates, text."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.access import get_scope
from gridgov.core.concurrency import StaleVersion  # noqa: F401 (re-exported)

from ..permissions import MANAGE

TERM_REMINDER_DAYS = 90
MAX_TERM_YEARS = 6




def _user(actor):
    from gridgov.accounts.models import User

    return actor if isinstance(actor, User) else None


def _covers(actor, code: str, perm: str = MANAGE) -> bool:
    if actor is None:
        return True
    scope = get_scope(actor)
    return bool(scope and code and scope.covers(code, perm))


def _require_at(actor, code: str, message: str) -> None:
    """The actor holds ``party.manage`` in the area ``code`` (else 404, as if missing)."""
    if not _covers(actor, code):
        raise Http404(message)


def _check_version(obj, expected_version):
    if expected_version not in (None, "") and int(expected_version) != obj.version:
        raise StaleVersion(obj)


def _bump(obj, actor=None, now=None):
    obj.version += 1
    obj.updated_at = now or timezone.now()
    if hasattr(obj, "updated_by_id"):
        obj.updated_by = _user(actor)


def _clean_text(value, field, limit, *, required=False, label=""):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > limit:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": limit}})
    return value


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _day(value, field):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("请填写有效日期,例如 2026-12-01。")}) from None
