"""Data: the command room's built-in roles (受理员, 值班长, 派遣员) no longer read visits.

Visits name the people in care, which the command room may not see (it lacks
``basedata.view_people``); ``visits.view`` was granted to these roles by default when the
permission first appeared. Forwards removes that grant where it is still held; backwards
gives it back to the roles that lost it here. Audited on the chain ``core.permission:table``
(actor: the system), like the access sync. A fresh database has no permission rows yet (the
sync runs after migrations) and gets the new defaults from ``visits/permissions.py``.
"""

from django.db import migrations

from gridgov.audit.recorder import record

PERMISSION = "visits.view"
ROLES = ("intake_clerk", "shift_leader", "dispatcher")


def _change(apps, *, grant):
    Permission = apps.get_model("core", "Permission")
    RoleDefinition = apps.get_model("core", "RoleDefinition")
    perm = Permission.objects.filter(code=PERMISSION).first()
    if perm is None:
        return
    changed = []
    for role in RoleDefinition.objects.filter(code__in=ROLES).order_by("code"):
        holds = role.permissions.filter(pk=perm.pk).exists()
        if grant and not holds:
            role.permissions.add(perm)
            changed.append(role.code)
        elif not grant and holds:
            role.permissions.remove(perm)
            changed.append(role.code)
    if changed:
        key = "grants" if grant else "revoked"
        record("core.access_sync", actor=None, object_type="core.permission", object_id="table",
               changes={key: [f"{code}:{PERMISSION}" for code in changed]},
               remark="迁移 visits 0003:指挥中心角色不再查看走访记录(走访记录含关爱对象姓名)。"
               if not grant else "撤销迁移 visits 0003:恢复指挥中心角色查看走访记录。")


def forward(apps, schema_editor):
    _change(apps, grant=False)


def backward(apps, schema_editor):
    _change(apps, grant=True)


class Migration(migrations.Migration):
    dependencies = [("visits", "0002_default_plans"), ("core", "0002_permission_roledefinition")]

    operations = [migrations.RunPython(forward, backward)]
