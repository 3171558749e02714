from django.apps import AppConfig


class GisConfig(AppConfig):
    """地理信息共享服务平台: layers the departments publish (GeoJSON or Shapefile), shared like
    data resources and served through the OGC API – Features (``gridgov.protocols.ogcapi``)."""

    name = "gridgov.gis"
    label = "gis"
    verbose_name = "地理信息共享"

    def ready(self):
        from . import shell

        shell.register()
