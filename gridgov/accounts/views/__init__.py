"""Sign-in pages and the administrators' account pages, by concern:

- ``signin``: signing in and out, the second factor, one's own password;
- ``users``: accounts, their roles, lock-outs and second factors;
- ``departments``: departments and their API keys;
- ``roles``: the role → permission table (角色与权限);
- ``jobs``: the scheduled jobs and their last runs (定时任务).

Each administration page requires the permission of its duty
(``gridgov.core.views.PermissionRequiredMixin``); reads go through ``restrict()`` and every
change calls an action.
"""

from .departments import (
    ApiKeyIssueView,
    ApiKeyListView,
    ApiKeyRevokeView,
    DepartmentCreateView,
    DepartmentListView,
    key_departments,
)
from .jobs import JobListView, RunJobView
from .roles import RoleCreateView, RoleDetailView, RoleListView, RolePermissionsView
from .signin import LoginView, LogoutView, PasswordChangeView, TotpView
from .users import (
    AssignRoleView,
    LockListView,
    ResetTotpView,
    RevokeRoleView,
    UnlockView,
    UserCreateView,
    UserDeactivateView,
    UserDetailView,
    UserListView,
    UserRevealPhoneView,
)

__all__ = [
    "ApiKeyIssueView", "ApiKeyListView", "ApiKeyRevokeView", "AssignRoleView",
    "DepartmentCreateView", "DepartmentListView", "JobListView", "LockListView", "LoginView",
    "LogoutView",
    "PasswordChangeView", "ResetTotpView", "RevokeRoleView", "RoleCreateView", "RunJobView",
    "RoleDetailView", "RoleListView", "RolePermissionsView", "TotpView",
    "UnlockView", "UserCreateView", "UserDeactivateView", "UserDetailView", "UserListView",
    "UserRevealPhoneView",
    "key_departments",
]
