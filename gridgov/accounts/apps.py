from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gridgov.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from gridgov.core.access.scope import register_user_scope_builder

        from . import signals  # noqa: F401  (login/logout audit)
        from .api import schema  # noqa: F401  (the API key in the OpenAPI schema)
        from .scope import build_user_scope
        from .shell import register

        register_user_scope_builder(build_user_scope)
        register()
