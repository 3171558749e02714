from django.apps import AppConfig


class BasedataConfig(AppConfig):
    name = "gridgov.basedata"
    label = "basedata"
    verbose_name = "基础数据"

    def ready(self):
        from . import resources

        self.register_menu()
        self.register_work()
        resources.register()

    @staticmethod
    def register_menu():
        from django.utils.translation import gettext_lazy as _

        from gridgov.web.menus import MenuItem, register

        from .choices import OBJECT_VIEW_ROLES, PEOPLE_VIEW_ROLES

        register(MenuItem("basedata_people", _("实有人口"), ("basedata:people",),
                          roles=PEOPLE_VIEW_ROLES, order=40))
        register(MenuItem("basedata_houses", _("房屋与单位"), ("basedata:houses",),
                          roles=OBJECT_VIEW_ROLES, order=41))
        register(MenuItem("basedata_components", _("部件"), ("basedata:components",),
                          roles=OBJECT_VIEW_ROLES, order=42))

    @staticmethod
    def register_work():
        from django.utils.translation import gettext_lazy as _

        from gridgov.accounts.choices import Role
        from gridgov.web.worklist import WorkItem, register, url_or_none

        @register("basedata.merge", roles={Role.DATA_OFFICER}, order=60)
        def merge_candidates(user, scope):
            """Data officer: groups of people that look like one person recorded twice."""
            from django.db.models import Count

            from .models import Person

            count = (Person.objects.restrict(user, "change").filter(merged_into__isnull=True)
                     .exclude(birth_date=None).values("name", "birth_date", "address")
                     .annotate(n=Count("pk")).filter(n__gt=1).count())
            yield WorkItem(key="basedata.merge", title=_("疑似重复人员"), count=count,
                           url=url_or_none("basedata:merge"),
                           note=_("姓名、出生日期、地址相同,请核实后合并。"))
