from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "gridgov.sharing"
    label = "sharing"
    verbose_name = "数据资源中心"

    def ready(self):
        self.register_menu()
        from . import worklist  # noqa: F401  (waiting-work providers)

    @staticmethod
    def register_menu():
        from django.utils.translation import gettext_lazy as _

        from gridgov.accounts.choices import DEPARTMENT_ROLES, Role
        from gridgov.web.menus import MenuItem, register

        staff = frozenset(DEPARTMENT_ROLES | {Role.LEADER})
        register(MenuItem("sharing_catalog", _("数据资源目录"), ("sharing:catalog",),
                          roles=staff, order=50))
        register(MenuItem("sharing_requests", _("共享申请"), ("sharing:requests",),
                          roles=frozenset(DEPARTMENT_ROLES), order=51))
        register(MenuItem("sharing_exchanges", _("交换记录"), ("sharing:exchanges",),
                          roles=frozenset(DEPARTMENT_ROLES | {Role.AUDIT_ADMIN}), order=52))
