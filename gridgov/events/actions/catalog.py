"""The event catalog (platforms, major and minor classes with their time limits): kept by
the holders of ``events.manage_catalog`` (the system administrator by default)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department
from gridgov.audit.recorder import record, snapshot
from gridgov.core.access import require

from ..catalog_data import department_codes
from ..choices import TimeUnit
from ..models import MajorCategory, MinorCategory, Platform

CATEGORY_FIELDS = (
    "code", "name", "major", "default_department", "default_urgency",
    "dispatch_minutes_urgent", "dispatch_minutes_normal", "handle_amount", "handle_unit",
    "verify_hours_urban", "verify_hours_rural", "filing_condition", "closing_condition",
    "duplicate_radius_m", "duplicate_window_hours", "is_active",
)


def _require_catalog_admin(actor):
    require(actor, "events.manage_catalog", message=_("只有系统管理员可以维护事件分类。"))


def _check_category(category: MinorCategory) -> None:
    if not category.code or not category.code.isalnum():
        raise ValidationError({"code": _("编码只能由字母和数字组成。")})
    if not category.name.strip():
        raise ValidationError({"name": _("请填写名称。")})
    if category.handle_unit not in TimeUnit.values:
        raise ValidationError({"handle_unit": _("未知的时限单位。")})
    if category.handle_amount < 1:
        raise ValidationError({"handle_amount": _("处置时限至少为 1。")})
    if category.dispatch_minutes_urgent > category.dispatch_minutes_normal:
        raise ValidationError({"dispatch_minutes_urgent": _("紧急时限不能长于一般时限。")})
    if category.verify_hours_urban < 1 or category.verify_hours_rural < 1:
        raise ValidationError({"verify_hours_urban": _("核查时限至少为 1 小时。")})


def create_category(*, actor, **fields) -> MinorCategory:
    """Add a minor class to the catalog (system administrator)."""
    _require_catalog_admin(actor)
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("未知字段。")})
    with transaction.atomic():
        if MinorCategory.objects.filter(code=fields.get("code")).exists():
            raise ValidationError({"code": _("编码已存在。")})
        category = MinorCategory(**fields)
        _check_category(category)
        category.save()
        record("events.category_create", actor=actor, obj=category,
               after=snapshot(category, CATEGORY_FIELDS))
    return category


def update_category(category, *, actor, **changes) -> MinorCategory:
    """Change a minor class: its limits, department, conditions or whether it is in use."""
    _require_catalog_admin(actor)
    unknown = set(changes) - set(CATEGORY_FIELDS) - {"code"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("未知字段。")})
    with transaction.atomic():
        category = MinorCategory.objects.select_for_update().get(pk=category.pk)
        before = snapshot(category, CATEGORY_FIELDS)
        for key, value in changes.items():
            setattr(category, key, value)
        _check_category(category)
        after = snapshot(category, CATEGORY_FIELDS)
        if before != after:
            category.save()
            record("events.category_update", actor=actor, obj=category, before=before,
                   after=after)
    return category


def save_major(*, actor, code, name, platform, kind="urban", is_active=True) -> MajorCategory:
    """Create or change a major class (system administrator)."""
    _require_catalog_admin(actor)
    fields = ("code", "name", "platform", "kind", "is_active")
    with transaction.atomic():
        major = MajorCategory.objects.select_for_update().filter(code=code).first()
        before = snapshot(major, fields) if major else None
        major = major or MajorCategory(code=code)
        major.name, major.platform, major.kind, major.is_active = name, platform, kind, is_active
        if not str(name).strip():
            raise ValidationError({"name": _("请填写名称。")})
        major.save()
        after = snapshot(major, fields)
        if before != after:
            record("events.major_save", actor=actor, obj=major, before=before, after=after)
    return major


def save_platform(*, actor, code, name, description="", is_active=True) -> Platform:
    """Create or change one of the governance platforms (system administrator)."""
    _require_catalog_admin(actor)
    fields = ("code", "name", "description", "is_active")
    with transaction.atomic():
        platform = Platform.objects.select_for_update().filter(code=code).first()
        before = snapshot(platform, fields) if platform else None
        platform = platform or Platform(code=code)
        platform.name, platform.description, platform.is_active = name, description, is_active
        if not str(name).strip():
            raise ValidationError({"name": _("请填写名称。")})
        platform.save()
        after = snapshot(platform, fields)
        if before != after:
            record("events.platform_save", actor=actor, obj=platform, before=before,
                   after=after)
    return platform


def link_default_departments(*, actor=None) -> int:
    """Link seeded minor classes without a default department to the seed's department
    code, where that department now exists (the demo loader runs it after creating the
    departments). Returns how many classes were linked."""
    _require_catalog_admin(actor)
    departments = {d.code: d for d in Department.objects.all()}
    linked = 0
    for code, dept_code in department_codes().items():
        department = departments.get(dept_code)
        if department is None:
            continue
        category = MinorCategory.objects.filter(code=code, default_department__isnull=True)\
            .first()
        if category is not None:
            update_category(category, actor=actor, default_department=department)
            linked += 1
    return linked


