"""The page shell's own menu entries (the home page, the grid map, the API documentation).

Registered from ``WebConfig.ready()``, like every app's entries in its ``shell.py``.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .menus import MenuItem
from .menus import register as register_menu


def register() -> None:
    # "首页" alone is also "first page" in pagination: the context keeps "Home" apart.
    register_menu(MenuItem("home", pgettext_lazy("navigation", "首页"), ("web:home",),
                           order=10, exact=True))
    register_menu(MenuItem("map", _("网格地图"), ("web:map",), permission="areas.view",
                           order=20))
    register_menu(MenuItem("api_docs", _("API 文档"), ("api-docs",), permission="web.api_docs",
                           order=95))
