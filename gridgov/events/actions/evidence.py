"""Evidence rules (取证规则, ``gridgov.events.evidence``): kept by the holders of
``events.manage_evidence`` (the system administrator by default), each change audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record, snapshot
from gridgov.core.access import require

from ..evidence import MAX_RADIUS_M, RULE_FIELDS
from ..models import EvidenceRule

AUDITED = ("is_global", "major", "category", *RULE_FIELDS)


def _require(actor):
    require(actor, "events.manage_evidence", message=_("您无权维护取证规则。"))


def _scope(category, major) -> dict:
    if category is not None and major is not None:
        raise ValidationError({"category": _("取证规则只能针对一个小类、一个大类或全局。")})
    if category is not None:
        return {"category": category}
    if major is not None:
        return {"major": major}
    return {"is_global": True}


def _clean(values: dict) -> dict:
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("未知字段。")})
    out = {k: bool(values[k]) for k in RULE_FIELDS if k != "radius_m" and k in values}
    if "radius_m" in values:
        try:
            radius = int(values["radius_m"])
        except (TypeError, ValueError):
            raise ValidationError({"radius_m": _("请填写整数米数。")}) from None
        if not 10 <= radius <= MAX_RADIUS_M:
            raise ValidationError({"radius_m": _("现场范围应在 10–%(max)s 米之间。")
                                   % {"max": MAX_RADIUS_M}})
        out["radius_m"] = radius
    return out


def save_evidence_rule(*, actor, category=None, major=None, **values) -> EvidenceRule:
    """Create or change the rule of a minor class, a major class or (neither) the global
    default: whether completion and verification need a photo and a place, and the radius."""
    _require(actor)
    scope = _scope(category, major)
    values = _clean(values)
    with transaction.atomic():
        # order_by("pk"): the default ordering joins the classes, and PostgreSQL refuses
        # FOR UPDATE on the nullable side of that outer join.
        rule = EvidenceRule.objects.select_for_update().filter(**scope).order_by("pk").first()
        before = snapshot(rule, AUDITED) if rule else None
        rule = rule or EvidenceRule(**scope)
        for key, value in values.items():
            setattr(rule, key, value)
        after = snapshot(rule, AUDITED)
        if before != after:
            rule.updated_at = timezone.now()
            rule.save()
            record("events.evidence_rule_save", actor=actor, obj=rule, before=before,
                   after=after)
    return rule


def clear_evidence_rule(rule, *, actor) -> None:
    """Remove a class's own rule, so the class follows its major class or the global
    default again. The global default stays (edit it instead)."""
    _require(actor)
    with transaction.atomic():
        rule = EvidenceRule.objects.select_for_update().filter(pk=rule.pk).order_by("pk").first()
        if rule is None:
            return
        if rule.is_global:
            raise ValidationError({"rule": _("全局默认规则不能删除,请直接修改。")})
        record("events.evidence_rule_clear", actor=actor, obj=rule,
               before=snapshot(rule, AUDITED))
        rule.delete()
