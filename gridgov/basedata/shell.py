"""The basic data's place in the page shell: menu entries and waiting work (待办) on 首页.

Registered from ``BasedataConfig.ready()`` (docs/architecture.md, "Menus and worklists").
"""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from gridgov.web.menus import MenuItem
from gridgov.web.menus import register as register_menu
from gridgov.web.worklist import WorkItem, url_or_none
from gridgov.web.worklist import register as register_work

from .models import Person
from .permissions import MERGE, VIEW_OBJECTS, VIEW_PEOPLE


def register() -> None:
    register_menu(MenuItem("basedata_people", _("实有人口"), ("basedata:people",),
                           permission=VIEW_PEOPLE, order=40))
    register_menu(MenuItem("basedata_houses", _("房屋与单位"), ("basedata:houses",),
                           permission=VIEW_OBJECTS, order=41))
    register_menu(MenuItem("basedata_components", _("部件"), ("basedata:components",),
                           permission=VIEW_OBJECTS, order=42))
    register_work("basedata.merge", permission=MERGE, order=60)(merge_candidates)


def merge_candidates(user, scope):
    """Data officer: groups of people that look like one person recorded twice."""
    count = (Person.objects.restrict(user, "change").filter(merged_into__isnull=True)
             .exclude(birth_date=None).values("name", "birth_date", "address")
             .annotate(n=Count("pk")).filter(n__gt=1).count())
    yield WorkItem(key="basedata.merge", title=_("疑似重复人员"), count=count,
                   url=url_or_none("basedata:merge"),
                   note=_("姓名、出生日期、地址相同,请核实后合并。"))
