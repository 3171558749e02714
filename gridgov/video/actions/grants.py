"""Grants of conditional cameras (授权): the owner gives one camera, or all its conditional
cameras, to another department or to a role, and revokes the grant at once.

A grant widens ``Camera.restrict_q`` for the grantee from the next request on (no cache);
a revoked grant stays in the table as evidence (who, when, why)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.sharing import object_grants

from ..choices import SharingType
from ..models import CameraGrant
from .common import actor_user, require_manager, text


def grant_cameras(*, actor, owner, reason, camera=None, department=None, role="") -> CameraGrant:
    """Grant ``owner``'s conditional ``camera`` (or all its conditional cameras, now and
    later, when ``camera`` is None) to ``department`` or to the holders of ``role`` (exactly
    one of the two). The same active grant again returns it unchanged."""
    require_manager(actor, owner)
    reason = text(reason, "reason", max_length=200)
    role = object_grants.check_grantee(owner, department, role,
                                       own_message=_("本部门的摄像头无需授权给本部门。"))
    if camera is not None:
        if camera.owner_id != owner.pk or not camera.is_active:
            raise ValidationError({"camera": _("只能授权本部门在用的摄像头。")})
        if camera.sharing_type != SharingType.CONDITIONAL:
            raise ValidationError({"camera": _(
                "只有“有条件共享”的摄像头需要授权(无条件共享的人人可用,不予共享的不能授权)。")})
    return object_grants.give(CameraGrant, actor=actor, user=actor_user(actor), owner=owner,
                              reason=reason, target=camera, department=department, role=role,
                              audit_action="video.grant")


def revoke_camera_grant(grant, *, actor, reason) -> CameraGrant:
    """Revoke a grant at once (reason required): the grantee loses the cameras on its next
    request; an open live view keeps only what its short-lived link still allows."""
    require_manager(actor, grant.owner)
    reason = text(reason, "reason", max_length=200)
    return object_grants.revoke(grant, actor=actor, user=actor_user(actor), reason=reason,
                                audit_action="video.revoke_grant")
