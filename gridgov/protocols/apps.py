from django.apps import AppConfig


class ProtocolsConfig(AppConfig):
    """An app only so that ``permissions.py`` is discovered; it has no models."""

    name = "gridgov.protocols"
    label = "protocols"
    verbose_name = "开放协议接口"
