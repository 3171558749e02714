"""The needs app's place in the page shell: the 需求分析, 党建与主动服务统计 and (for the
administrator) 需求分类词表 menu entries."""

from django.utils.translation import gettext_lazy

from gridgov.web import menus

from .permissions import MANAGE, VIEW, VIEW_OVERVIEW


def register():
    menus.register(menus.MenuItem("needs", gettext_lazy("需求分析"), ("needs:index",),
                                  permission=VIEW, order=50))
    menus.register(menus.MenuItem("needs_overview", gettext_lazy("党建与主动服务统计"),
                                  ("needs:overview",), permission=VIEW_OVERVIEW, order=51))
    menus.register(menus.MenuItem("needs_categories", gettext_lazy("需求分类词表"),
                                  ("needs:categories",), permission=MANAGE, order=52))
