"""Helpers of the video registry's tests (and of its retry examples)."""

from gridgov.accounts.choices import Role

GOOD_CODE = "33020300001320999001"


def make_officer(username, department_code, role=Role.DATA_OFFICER):
    from gridgov.accounts import actions
    from gridgov.accounts.models import Department
    from gridgov.areas.models import Area

    department = Department.objects.get(code=department_code)
    user = actions.create_user(username=username, real_name="测试专员", password="Haishu#2026x",
                               department=department, actor=None)
    actions.assign_role(user, role, Area.objects.get(code="330203"), actor=None)
    return user
