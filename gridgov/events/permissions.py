"""What the event closed loop checks. Defaults mirror REFERENCE §4 and §5; the table is data.

Each workflow transition is one permission ``events.<action>`` (``workflow.TRANSITIONS``);
the transition's scope rule (area, grid, handler, reporter) then says on which events.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

GRID_WORKER, GRID_CHIEF, INSTRUCTOR = Role.GRID_WORKER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR
CLERK, SHIFT, DISPATCHER = Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.DISPATCHER
HANDLER, DEPT_ADMIN, DATA_OFFICER = Role.DEPT_HANDLER, Role.DEPT_ADMIN, Role.DATA_OFFICER
LEADER, SYS = Role.LEADER, Role.SYS_ADMIN

GRID_ROLES = {GRID_WORKER, GRID_CHIEF, INSTRUCTOR}
GRID_ACTORS = {GRID_WORKER, GRID_CHIEF}
COMMAND = {CLERK, SHIFT, DISPATCHER}
HANDLERS = {HANDLER, DEPT_ADMIN} | GRID_ACTORS
DEPARTMENT = {HANDLER, DEPT_ADMIN, DATA_OFFICER}

PERMISSIONS = [
    # Reading: area roles see their areas' events, department-bound roles their department's.
    PermissionSpec("events.view", _("查看事件"),
                   GRID_ROLES | COMMAND | {LEADER} | DEPARTMENT | {"api_client"}),
    PermissionSpec("events.see_contact", _("查看上报人完整联系方式"), {CLERK, SHIFT}),
    # Pages and worklists.
    PermissionSpec("events.command_room", _("使用指挥中心"), COMMAND | {LEADER}),
    PermissionSpec("events.department_work", _("处理派给本部门的事件"), {HANDLER, DEPT_ADMIN}),
    PermissionSpec("events.grid_work", _("处理本网格的事件"), GRID_ACTORS),
    PermissionSpec("events.manage_catalog", _("维护事件分类目录"), {SYS}),
    # Which photo and place completion and verification need, per class (取证规则).
    PermissionSpec("events.manage_evidence", _("维护处置与核查取证规则"), {SYS}),
    # Intake channels.
    PermissionSpec("events.report_patrol", _("上报巡查事件"), GRID_ROLES),
    # The hotline centre's system posts its records with a department API key.
    PermissionSpec("events.record_hotline", _("登记热线与信箱来件"),
                   {CLERK, SHIFT, "api_client"}),
    PermissionSpec("events.transfer", _("部门移交事件"), DEPARTMENT | {"api_client"}),
    PermissionSpec("events.report_video", _("上报视频巡查事件"), COMMAND | {"api_client"}),
    PermissionSpec("events.instruct", _("领导交办事件"), {LEADER}),
    PermissionSpec("events.find_duplicates", _("查找与合并重复事件"), {CLERK, SHIFT}),
    # The workflow table, one permission per transition.
    PermissionSpec("events.register", _("受理"), {CLERK}),
    PermissionSpec("events.file", _("立案"), {SHIFT}),
    PermissionSpec("events.not_file", _("不予立案"), {SHIFT}),
    PermissionSpec("events.void", _("作废"), {SHIFT}),
    PermissionSpec("events.dispatch", _("派遣"), {DISPATCHER}),
    PermissionSpec("events.claim", _("签收"), HANDLERS),
    PermissionSpec("events.return", _("回退"), HANDLERS),
    PermissionSpec("events.request_extension", _("申请延期"), HANDLERS),
    PermissionSpec("events.decide_extension", _("审批延期"), {SHIFT}),
    PermissionSpec("events.request_suspension", _("申请挂账"), HANDLERS),
    PermissionSpec("events.decide_suspension", _("审批挂账"), {SHIFT}),
    PermissionSpec("events.resume", _("恢复处置"), {SHIFT}),
    PermissionSpec("events.complete", _("处置完毕"), HANDLERS),
    PermissionSpec("events.verify", _("核查"), GRID_ACTORS),
    PermissionSpec("events.resolve_on_spot", _("自行处置"), {GRID_WORKER}),
    PermissionSpec("events.escalate", _("上报上级"), {SHIFT}),
    PermissionSpec("events.supervise", _("督办"), {LEADER}),
    PermissionSpec("events.evaluate", _("代上报人评价"), {CLERK}),
    PermissionSpec("events.release_held", _("审核放行"), {CLERK, SHIFT}),
    PermissionSpec("events.merge", _("合并重复"), {CLERK, SHIFT}),
]
