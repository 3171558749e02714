"""The party app's place in the page shell: the one 党建 menu entry, for whoever may open a
section of party building (``sections``); /party/ sends those who may not read the
organisation tree on to their first section."""

from django.utils.translation import gettext_lazy

from gridgov.web import menus

from .sections import ANY_SECTION


def register():
    menus.register(menus.MenuItem("party", gettext_lazy("党建"), ("party:tree",),
                                  permission=ANY_SECTION, order=49))
