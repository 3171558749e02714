"""What the assessment checks.

``assess.view`` opens the rankings and explanations: the figures are computed over the
events the person sees (``Event.objects.restrict``), or over a snapshot's cases inside the
person's areas / department, never more. Departments appeal (申诉) cases counted against
them; the shift leader decides; the system administrator edits the weighted schemes.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

PERMISSIONS = [
    PermissionSpec("assess.view", _("查看效能考核"),
                   {Role.LEADER, Role.SHIFT_LEADER, Role.DISPATCHER, Role.INTAKE_CLERK,
                    Role.DEPT_ADMIN, Role.DEPT_HANDLER}),
    PermissionSpec("assess.appeal", _("提出考核申诉"), {Role.DEPT_ADMIN, Role.DEPT_HANDLER}),
    PermissionSpec("assess.decide_appeal", _("审核考核申诉"), {Role.SHIFT_LEADER}),
    PermissionSpec("assess.manage_scheme", _("维护考核方案"), {Role.SYS_ADMIN}),
    PermissionSpec("assess.freeze", _("生成月度考核"), {Role.LEADER, Role.SHIFT_LEADER}),
]
