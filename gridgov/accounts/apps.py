from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gridgov.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from . import signals  # noqa: F401  (login/logout audit)
        from gridgov.core.access.scope import register_user_scope_builder

        from .api import schema  # noqa: F401  (the API key in the OpenAPI schema)
        from .scope import build_user_scope

        register_user_scope_builder(build_user_scope)

        self.register_menu()

    @staticmethod
    def register_menu():
        """The account pages the shell's menu does not list by itself."""
        from django.utils.translation import gettext_lazy as _

        from gridgov.web.menus import MenuItem, register

        from .choices import Role

        register(MenuItem("locks", _("账号锁定"), ("accounts:locks",),
                          roles=frozenset({Role.SEC_ADMIN}), order=75))
        register(MenuItem("password", _("修改密码"), ("accounts:password",), order=200))
