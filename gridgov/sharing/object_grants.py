"""Grants of shared *things* (cameras, map layers) by their owner department, the same way
for every kind of thing: the owner grants one conditional thing, or all of them (the thing
left empty), to a department or to a role, with a reason, and revokes the grant at once; a
revoked grant stays as evidence (who, when, why).

- ``ObjectGrant``: the abstract model (a subclass adds the foreign key to its thing, named by
  ``TARGET``); ``grantee_q(scope)`` the active grants naming the principal's department or
  one of its roles; ``shared_q(model, scope)`` the things a principal may use under the
  sharing class (无条件 / 有条件 with a grant / 不予共享: the owner only).
- ``give(...)`` and ``revoke(...)``: the writes, each one transaction with its audit record,
  called by the owning app's actions with its own permission check and messages.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.querysets import NOTHING, RestrictedQuerySet

from .choices import SharingType

GRANT_FIELDS = ("owner", "grantee_department", "grantee_role", "reason", "granted_at",
                "revoked_at", "revoke_reason")


class ObjectGrantQuerySet(RestrictedQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ObjectGrant(models.Model):
    """An owner's grant of one conditional thing, or of all of them (the subclass's
    ``TARGET`` foreign key empty), to a department or to a role (exactly one of the two)."""

    TARGET = ""  # the subclass's foreign key to the thing granted ("camera", "layer")

    owner = models.ForeignKey("accounts.Department", verbose_name=gettext_lazy("授权部门"),
                              on_delete=models.PROTECT, related_name="%(app_label)s_grants_given")
    grantee_department = models.ForeignKey(
        "accounts.Department", verbose_name=gettext_lazy("被授权部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="%(app_label)s_grants")
    grantee_role = models.CharField(gettext_lazy("被授权角色"), max_length=40, blank=True)
    reason = models.CharField(gettext_lazy("授权事由"), max_length=200, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(gettext_lazy("授权时间"))
    revoked_at = models.DateTimeField(gettext_lazy("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.CharField(gettext_lazy("撤销理由"), max_length=200, blank=True)

    objects = ObjectGrantQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(grantee_department__isnull=False, grantee_role="")
                           | (Q(grantee_department__isnull=True) & ~Q(grantee_role=""))),
                name="%(app_label)s_%(class)s_one_grantee"),
        ]

    def grantee_label(self) -> str:
        """The department's name, or the role's name as the role table names it."""
        if self.grantee_department_id:
            return self.grantee_department.name
        from gridgov.core.access.grants import role_label

        return _("角色:%(r)s") % {"r": role_label(self.grantee_role)}

    @staticmethod
    def grantee_q(scope) -> Q:
        """Active grants naming the principal's department or one of its roles."""
        q = Q(grantee_role__in=scope.roles) if scope.roles else NOTHING
        if scope.department_id:
            q |= Q(grantee_department_id=scope.department_id)
        return q & Q(revoked_at__isnull=True)

    @classmethod
    def visible_q(cls, scope, action, manage_perm: str) -> Q:
        """The owner's managers see and revoke what they granted; a grantee department's
        staff, and the holders of a granted role, see what they were granted."""
        mine = (Q(owner_id=scope.department_id)
                if scope.department_id and scope.department_can(manage_perm) else NOTHING)
        if action == "change":
            return mine
        if scope.department_id:
            mine |= Q(grantee_department_id=scope.department_id)
        if scope.roles:
            mine |= Q(grantee_role__in=scope.roles)
        return mine


def shared_q(grant_model, scope) -> Q:
    """Things (of the model ``grant_model`` grants) the principal may use by their sharing
    class: unconditional ones, conditional ones granted to it (one by one or all of an
    owner's), and its own department's whatever their class."""
    target = grant_model.TARGET
    grants = grant_model.objects.filter(grant_model.grantee_q(scope))
    granted = (Q(pk__in=grants.filter(**{f"{target}__isnull": False})
                 .values(f"{target}_id"))
               | Q(owner_id__in=grants.filter(**{f"{target}__isnull": True})
                   .values("owner_id")))
    shared = (Q(sharing_type=SharingType.UNCONDITIONAL)
              | (Q(sharing_type=SharingType.CONDITIONAL) & granted))
    if scope.department_id:
        shared |= Q(owner_id=scope.department_id)
    return shared


def _role_codes() -> set:
    from gridgov.core.access.grants import role_choices

    return {code for code, _label in role_choices(assignable_only=False)}


def check_grantee(owner, department, role, *, own_message) -> str:
    """The role code (stripped); a clear error unless exactly one grantee is named, the
    department is another one, and the role exists."""
    role = (role or "").strip()
    if bool(department) == bool(role):
        raise ValidationError({"grantee": _("请指定一个被授权部门或一个被授权角色(二选一)。")})
    if department is not None and department.pk == owner.pk:
        raise ValidationError({"department": own_message})
    if role and role not in _role_codes():
        raise ValidationError({"role": _("没有这个角色:%(r)s。") % {"r": role}})
    return role


def give(grant_model, *, actor, user, owner, reason, target, department, role,
         audit_action):
    """Write the grant (the same active grant again returns it unchanged) and its audit
    record, in one transaction. The caller checked the actor, the reason and the target."""
    from gridgov.audit.recorder import record, snapshot

    fields = (*GRANT_FIELDS, grant_model.TARGET)
    with transaction.atomic():
        existing = grant_model.objects.active().filter(
            owner=owner, grantee_department=department, grantee_role=role,
            **{grant_model.TARGET: target}).first()
        if existing is not None:
            return existing
        grant = grant_model.objects.create(
            owner=owner, grantee_department=department, grantee_role=role, reason=reason,
            granted_by=user, granted_at=timezone.now(), **{grant_model.TARGET: target})
        record(audit_action, actor=actor, obj=grant, after=snapshot(grant, fields),
               new_chain=True)
    return grant


def revoke(grant, *, actor, user, reason, audit_action):
    """Revoke at once (the caller checked the actor and the reason), audited."""
    from gridgov.audit.recorder import record, snapshot

    fields = (*GRANT_FIELDS, type(grant).TARGET)
    with transaction.atomic():
        grant = type(grant).objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            raise ValidationError({"grant": _("该授权已撤销。")})
        before = snapshot(grant, fields)
        grant.revoked_at = timezone.now()
        grant.revoked_by = user
        grant.revoke_reason = reason
        grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        record(audit_action, actor=actor, obj=grant, before=before, after=snapshot(grant, fields))
    return grant
