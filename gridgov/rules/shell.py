"""The rule engine's place in the page shell: the administrator's 主动服务规则 menu entry
(leaders and grid chiefs open the rules and their firings from proactive services)."""

from django.utils.translation import gettext_lazy

from gridgov.web import menus

from .permissions import MANAGE


def register():
    # The administrator edits the rules from here; who reads them (leaders, grid chiefs)
    # reaches them from the pages of proactive services (服务规则).
    menus.register(menus.MenuItem("rules", gettext_lazy("主动服务规则"), ("rules:list",),
                                  permission=MANAGE, order=52))
