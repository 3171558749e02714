"""Sign-in pages and account administration pages (under /accounts/)."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("totp/", views.TotpView.as_view(), name="totp"),
    path("password/", views.PasswordChangeView.as_view(), name="password"),
    path("users/", views.UserListView.as_view(), name="users"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/deactivate/", views.UserDeactivateView.as_view(),
         name="user_deactivate"),
    path("users/<int:pk>/roles/", views.AssignRoleView.as_view(), name="assign_role"),
    path("users/<int:pk>/reset-totp/", views.ResetTotpView.as_view(), name="reset_totp"),
    path("users/<int:pk>/reveal-phone/", views.UserRevealPhoneView.as_view(),
         name="reveal_phone"),
    path("assignments/<int:pk>/revoke/", views.RevokeRoleView.as_view(), name="revoke_role"),
    path("locks/", views.LockListView.as_view(), name="locks"),
    path("locks/unlock/", views.UnlockView.as_view(), name="unlock"),
    path("departments/", views.DepartmentListView.as_view(), name="departments"),
    path("departments/new/", views.DepartmentCreateView.as_view(), name="department_create"),
    path("api-keys/", views.ApiKeyListView.as_view(), name="api_keys"),
    path("api-keys/new/", views.ApiKeyIssueView.as_view(), name="api_key_issue"),
    path("api-keys/<int:pk>/revoke/", views.ApiKeyRevokeView.as_view(), name="api_key_revoke"),
    path("jobs/", views.JobListView.as_view(), name="jobs"),
    path("jobs/<slug:name>/run/", views.RunJobView.as_view(), name="run_job"),
    path("roles/", views.RoleListView.as_view(), name="roles"),
    path("roles/new/", views.RoleCreateView.as_view(), name="role_create"),
    path("roles/<slug:code>/", views.RoleDetailView.as_view(), name="role_detail"),
    path("roles/<slug:code>/permissions/", views.RolePermissionsView.as_view(),
         name="role_permissions"),
]
