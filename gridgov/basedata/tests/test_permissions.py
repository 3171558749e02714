"""The basic data's permissions: their defaults are the role sets the code checked before
issue 8, and the pages and API follow the table, not role names."""

from gridgov.basedata import access
from gridgov.core.access.registry import declared_permissions

G, C, INSTR = "grid_worker", "grid_chief", "grid_instructor"
CLERK, SHIFT, DISPATCH = "intake_clerk", "shift_leader", "dispatcher"
HANDLER, DEPT_ADMIN, LEADER, DATA = "dept_handler", "dept_admin", "leader", "data_officer"

DEFAULTS = {
    "basedata.view_people": {G, C, INSTR, LEADER, DATA},
    "basedata.view_objects": {G, C, INSTR, CLERK, SHIFT, DISPATCH, HANDLER, DEPT_ADMIN, LEADER,
                              DATA},
    "basedata.change": {G, C, DATA},
    "basedata.reveal": {G, C, DATA},
    "basedata.merge": {DATA},
    "basedata.see_special": {LEADER, C, DATA},
}


def test_defaults_mirror_the_former_role_sets():
    declared = {code: set(spec.roles) for code, spec in declared_permissions().items()
                if code.startswith("basedata.")}
    assert declared == DEFAULTS


def test_special_groups_follow_where_the_permission_is_held(grid_chief, grid_worker,
                                                            data_officer, dept_admin,
                                                            settings):
    # Through an area role: everywhere it is held; through a department role: only in the
    # departments serving special groups (data_officer is in 区民政局 D016).
    assert access.can_see_special(grid_chief)
    assert not access.can_see_special(grid_worker)
    assert access.can_see_special(data_officer)
    settings.GRIDGOV_SPECIAL_GROUP_DEPARTMENTS = ("D017",)
    data_officer._gridgov_special_dept = None
    assert not access.can_see_special(data_officer)
    assert not access.can_see_special(dept_admin)


def test_menu_and_worklist_by_permission(client_as, data_officer, grid_worker, dept_handler):
    from gridgov.core.access import get_scope
    from gridgov.web import menus, worklist

    def keys(user):
        return {i["key"] for i in menus.build_menu(get_scope(user))}

    assert {"basedata_people", "basedata_houses"} <= keys(grid_worker)
    handler = keys(dept_handler)
    assert "basedata_houses" in handler and "basedata_people" not in handler
    served = {p.key for p in worklist.providers_for(get_scope(data_officer))}
    assert "basedata.merge" in served
    assert "basedata.merge" not in {p.key for p in worklist.providers_for(get_scope(grid_worker))}
