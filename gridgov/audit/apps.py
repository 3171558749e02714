from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gridgov.audit"
    label = "audit"
    verbose_name = "审计"
