"""What the basic data checks (docs/personal-data.md). Defaults mirror the role sets the code
had before issue 8; which role holds what is data from then on.

Where a permission is held decides where it reaches: ``restrict_q`` of each model keeps the
records inside the areas in which the principal holds a role granting it (a grid worker's own
grid, a grid chief's community, a data officer's district).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

GRID_WORKER, GRID_CHIEF, INSTRUCTOR = Role.GRID_WORKER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR
LEADER, DATA_OFFICER = Role.LEADER, Role.DATA_OFFICER
# Collect and correct: the grid worker in their grid, the grid chief in the community, the
# data officer in the district.
COLLECTORS = {GRID_WORKER, GRID_CHIEF, DATA_OFFICER}
# Every business role: all but the separated security duties (三员).
BUSINESS = {
    GRID_WORKER, GRID_CHIEF, INSTRUCTOR, Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.DISPATCHER,
    Role.DEPT_HANDLER, Role.DEPT_ADMIN, LEADER, DATA_OFFICER,
}

VIEW_PEOPLE = "basedata.view_people"
VIEW_OBJECTS = "basedata.view_objects"
CHANGE = "basedata.change"
REVEAL = "basedata.reveal"
MERGE = "basedata.merge"
SEE_SPECIAL = "basedata.see_special"

PERMISSIONS = [
    # People are seen by the grid roles, the leaders of an area and the data officers; the
    # rest of the platform works with houses, organisations and components.
    PermissionSpec(VIEW_PEOPLE, _("查看实有人口"),
                   {GRID_WORKER, GRID_CHIEF, INSTRUCTOR, LEADER, DATA_OFFICER}),
    PermissionSpec(VIEW_OBJECTS, _("查看楼栋、房屋、单位和部件"), BUSINESS),
    PermissionSpec(CHANGE, _("采集、修改与导入基础数据"), COLLECTORS),
    # A full ID number or phone, with a reason, audited: those who must contact or identify
    # the person.
    PermissionSpec(REVEAL, _("查看完整身份证号和手机号"), COLLECTORS),
    PermissionSpec(MERGE, _("合并重复人员"), {DATA_OFFICER}),
    # Special-group membership (社区矫正, 刑满释放, 严重精神障碍 ...): held through an area
    # role (leaders, grid chiefs) it reaches the area's people; held through a department
    # role (data officers) only in the departments serving these groups (settings
    # GRIDGOV_SPECIAL_GROUP_DEPARTMENTS, default 区民政局 D016 and 区司法局 D017).
    PermissionSpec(SEE_SPECIAL, _("查看与设置特殊人群标签"), {LEADER, GRID_CHIEF, DATA_OFFICER}),
]
