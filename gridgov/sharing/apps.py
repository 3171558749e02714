from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "gridgov.sharing"
    label = "sharing"
    verbose_name = "数据资源中心"
