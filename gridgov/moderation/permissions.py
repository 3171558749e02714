"""What harmful-content filtering checks. Defaults mirror the roles of REFERENCE §4; the
role → permission table is data an administrator edits.

The lexicon itself is sensitive (it tells how to get around the filter), so reading it is
kept to those who keep it and those who decide on its hits.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

CLERK, SHIFT, LEADER, SYS = (Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.LEADER,
                             Role.SYS_ADMIN)
REVIEWERS = {CLERK, SHIFT}

PERMISSIONS = [
    PermissionSpec("moderation.manage_lexicon", _("维护过滤词库"), {SYS}),
    # Deciding held reports in one's area; the reviewers also read the lexicon (to
    # understand a hit).
    PermissionSpec("moderation.review", _("审核暂扣的群众上报"), REVIEWERS),
    # Reading held reports in one's area (the reviewers, and leaders who follow them).
    PermissionSpec("moderation.view_held", _("查看暂扣的群众上报"), REVIEWERS | {LEADER}),
]
