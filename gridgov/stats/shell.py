"""The statistics' place in the page shell: the 统计分析 menu entry."""

from django.utils.translation import gettext_lazy as _

from gridgov.web import menus

PERMISSION = "stats.view"


def register():
    menus.register(menus.MenuItem("stats", _("统计分析"), ("stats:dashboard",),
                                  permission=PERMISSION, order=45))
    menus.register(menus.MenuItem("stats_keywords", _("热词词典"), ("stats:keyword_dictionary",),
                                  permission="stats.manage_keywords", order=86))
