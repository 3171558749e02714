"""Verbs of needs analysis: refresh the figures, save or retire a need category.

Each checks its permission, validates, writes and audits in one transaction (``actor=None``:
the system — the periodic job, the demo loader).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import require
from gridgov.core.actors import acting_user as _user

from . import rollup
from .models import NeedCategory
from .permissions import MANAGE

MAX_KEYWORDS = 200
MAX_KEYWORD = 20


def refresh_needs(*, actor=None, full: bool = False, max_batches: int | None = None) -> dict:
    """Read the texts written since the last refresh into the needs index and recount the
    months touched (``full``: everything again). Audited once with the counts when anything
    changed; returns them."""
    require(actor, MANAGE)
    with transaction.atomic():
        totals = rollup.refresh(full=full, max_batches=max_batches)
        if totals["texts"] or totals["removed"] or full:
            record("needs.refresh", actor=actor, object_type="needs.needcount",
                   object_id="refresh", object_repr=_("需求统计"), after=totals)
    return totals


def _clean_words(values, field) -> list[str]:
    if not isinstance(values, list | tuple):
        raise ValidationError({field: _("应为词语列表。")})
    words = []
    for value in values:
        word = str(value).strip()
        if not word:
            continue
        if len(word) > MAX_KEYWORD:
            raise ValidationError({field: _("“%(w)s”过长(最多 %(n)d 个字)。")
                                   % {"w": word[:30], "n": MAX_KEYWORD}})
        if word not in words:
            words.append(word)
    if len(words) > MAX_KEYWORDS:
        raise ValidationError({field: _("关键词最多 %(n)d 个。") % {"n": MAX_KEYWORDS}})
    return words


def _state(category: NeedCategory) -> dict:
    return {"code": category.code, "name": category.name,
            "description": category.description, "keywords": list(category.keywords),
            "visit_needs": list(category.visit_needs), "order": category.order,
            "is_active": category.is_active,
            "care_groups": sorted(category.care_groups.values_list("name", flat=True))}


def save_category(category: NeedCategory | None = None, *, actor, code: str = "",
                  name: str, keywords, description: str = "", visit_needs=(),
                  care_groups=None, order: int = 0, is_active: bool = True) -> NeedCategory:
    """Create a need category (``category=None``) or change one: its name, keywords, the
    visit needs it stands for and the care groups it concerns. The next refresh reads every
    text again with the new vocabulary."""
    from gridgov.basedata.models import Tag
    from gridgov.visits.choices import Need

    require(actor, MANAGE)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    words = _clean_words(keywords, "keywords")
    needs = [n for n in (visit_needs or ())]
    unknown = [n for n in needs if n not in Need.values]
    if unknown:
        raise ValidationError({"visit_needs": _("未知的走访需求:%(v)s") % {"v": unknown[0]}})
    if not words and not needs:
        raise ValidationError({"keywords": _("至少填写一个关键词或对应走访需求。")})
    tags = None
    if care_groups is not None:
        tags = list(Tag.objects.filter(kind="care", name__in=list(care_groups)))
        if len(tags) != len(set(care_groups)):
            raise ValidationError({"care_groups": _("只能选择关爱人群标签。")})
    with transaction.atomic():
        if category is None:
            code = (code or "").strip()
            if not code or NeedCategory.objects.filter(code=code).exists():
                raise ValidationError({"code": _("编码为空或已存在。")})
            category = NeedCategory(code=code)
            before = None
        else:
            category = NeedCategory.objects.select_for_update().get(pk=category.pk)
            before = _state(category)
        if NeedCategory.objects.filter(name=name).exclude(pk=category.pk).exists():
            raise ValidationError({"name": _("已有同名的需求分类。")})
        category.name, category.description = name, (description or "").strip()[:200]
        category.keywords, category.visit_needs = words, needs
        category.order, category.is_active = order, bool(is_active)
        category.updated_at, category.updated_by = timezone.now(), _user(actor)
        if before is not None:
            category.version += 1
        category.save()
        if tags is not None:
            category.care_groups.set(tags)
        after = _state(category)
        if before != after:
            record("needs.category_save", actor=actor, obj=category, before=before,
                   after=after, new_chain=before is None)
    return category
