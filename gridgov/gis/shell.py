"""The geographic information service's place in the page shell: the 地理信息 menu entry."""

from django.utils.translation import gettext_lazy as _

from gridgov.web.menus import MenuItem
from gridgov.web.menus import register as register_menu

from .permissions import PUBLISH, VIEW


def register():
    register_menu(MenuItem("gis_layers", _("地理信息"), ("gis:layers",),
                           permission=(VIEW, PUBLISH), order=53))
