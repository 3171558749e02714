"""Human names on the audit pages: every action recorded anywhere in the code has a name;
objects, roles and times read in Chinese; the action filter is a grouped select."""

import ast
import csv
import io
import pathlib
import re

import pytest
from django.db import transaction
from django.urls import reverse

from gridgov.audit import labels
from gridgov.audit.recorder import record

ROOT = pathlib.Path(__file__).resolve().parents[2]
CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
# The recorder under its names; any other call's first argument is read as an action when
# it is a code (the migration helpers that pass a code on to the recorder).
RECORDERS = {"record", "audit_record"}
HELPERS = {"record_summary", "_audit"}
# Calls whose action is built from a variable, and where the test finds the codes instead.
# A new one of these fails the test until it is listed here (and its codes are named).
DYNAMIC = {
    ("basedata/actions/common.py", "f'basedata.{action}'"): "the _track calls",
    ("basedata/exporters.py", "f'basedata.export.{kind}'"): "export kinds",
    ("basedata/importers.py", "f'basedata.import.{kind}'"): "import kinds",
    ("events/actions/base.py", "f'events.{action}'"): "the workflow's transitions",
    ("core/personal_data.py", "f'{meta.app_label}.{meta.model_name}.reveal'"): "*.reveal",
    ("core/personal_migrations.py", "action"): "record_summary calls",
    ("core/wordlists.py", "action"): "create_word / update_word (lexicon, keyword dictionary)",
    ("events/migrations/0005_lapse_stale_requests.py", "action"): "_audit calls",
    ("sharing/object_grants.py", "audit_action"): "give / revoke (video.grant, gis.grant ...)",
}


def _name(func) -> str:
    return getattr(func, "id", None) or getattr(func, "attr", "")


def _strings(node, constants) -> list[str] | None:
    """The action codes an argument can be, or None when it is built at run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.IfExp):
        body, other = _strings(node.body, constants), _strings(node.orelse, constants)
        return body + other if body is not None and other is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _strings(node.left, constants), _strings(node.right, constants)
        if left is not None and right is not None:
            return [a + b for a in left for b in right]
    return None


def recorded_actions():
    """Every action code the code base records, and the dynamic calls it could not read."""
    codes, dynamic = {}, set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {n.targets[0].id: n.value.value for n in tree.body
                     if isinstance(n, ast.Assign) and len(n.targets) == 1
                     and isinstance(n.targets[0], ast.Name)
                     and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _name(node.func)
            if name == "_track" and len(node.args) > 1:
                # basedata.actions.common._track(obj, "<kind>.<change>", ...) records
                # "basedata.<kind>.<change>".
                for value in _strings(node.args[1], constants) or ():
                    codes.setdefault(f"basedata.{value}", where)
            if name not in RECORDERS | HELPERS:
                continue
            values = _strings(node.args[0], constants)
            if values is None:
                if name in RECORDERS:
                    dynamic.add((where, ast.unparse(node.args[0])))
                continue
            for value in values:
                if CODE.match(value):
                    codes.setdefault(value, where)
    return codes, dynamic


def test_every_recorded_action_has_a_name():
    codes, dynamic = recorded_actions()
    assert len(codes) > 60  # the scan found the code base's records
    assert dynamic <= set(DYNAMIC), f"unlisted dynamic audit actions: {dynamic - set(DYNAMIC)}"
    named = labels.declared_actions()
    missing = sorted(f"{code} ({where})" for code, where in codes.items() if code not in named)
    assert not missing, "audit actions without a name in <app>/audit_labels.py: " + \
        ", ".join(missing)


def test_dynamic_actions_are_named():
    from gridgov.basedata.exporters import columns_for  # noqa: F401 - the kinds below
    from gridgov.basedata.importers import KINDS
    from gridgov.events.trace import EXTRA_LABELS
    from gridgov.events.workflow import TRANSITIONS

    named = labels.declared_actions()
    for kind in KINDS:
        assert f"basedata.import.{kind}" in named
    for kind in ("people", "houses", "organisations", "components"):
        assert f"basedata.export.{kind}" in named
    for code in [*TRANSITIONS, *EXTRA_LABELS]:
        assert f"events.{code}" in named
    for code in ("moderation.term_create", "moderation.term_update", "stats.keyword_create",
                 "stats.keyword_update", "video.grant", "video.revoke_grant", "gis.grant",
                 "gis.revoke_grant"):
        assert code in named
    assert labels.action_label("basedata.person.reveal") == "查看完整个人信息"


def test_names_of_actions_objects_and_roles(db):
    assert labels.action_label("accounts.totp_verified") == "动态口令验证通过"
    assert labels.action_label("events.dispatch") == "派遣"
    assert labels.action_label("nobody.named_this") == "nobody.named_this"
    assert labels.object_label("accounts.user", 16, "王丽娟") == "用户 王丽娟"
    assert labels.object_label("accounts.user", 16, "") == "用户 #16"
    assert labels.object_label("accounts.login", "t_x", "t_x") == "登录账号 t_x"
    assert labels.role_label("audit_admin") == "审计管理员"
    assert labels.role_label("system") == "系统"
    assert labels.role_label("grid_worker,leader") == "网格员、领导"


@pytest.fixture
def records(clock, audit_admin):
    clock.set(2026, 4, 1, 9, 30)  # Asia/Shanghai: sealed as 01:30 UTC
    with transaction.atomic():
        record("accounts.totp_verified", actor=audit_admin, obj=audit_admin,
               object_repr="审计员甲", changes={"locked_until": [None,
                                                               "2026-04-01T02:00:00+00:00"]})


@pytest.mark.django_db
def test_list_and_detail_show_names_and_local_times(client_as, audit_admin, records):
    client = client_as(audit_admin)
    html = client.get(reverse("audit:records"), {"action": "accounts."}).content.decode()
    assert "动态口令验证通过" in html and "用户 审计员甲" in html and "审计管理员" in html
    assert "2026-04-01 09:30" in html
    assert ">accounts.totp_verified<" not in html and ">audit_admin<" not in html
    # The action filter is a select of named actions, grouped by app.
    assert '<select name="action"' in html
    assert '<optgroup label="账号与权限">' in html
    assert '<option value="accounts.totp_verified">动态口令验证通过</option>' in html
    assert '<option value="accounts." selected>' in html
    rec = client.get(reverse("audit:records"),
                     {"action": "accounts.totp_verified"}).context["records"][0]
    detail = client.get(reverse("audit:record", args=[rec.pk])).content.decode()
    assert "动态口令验证通过" in detail and "2026-04-01 10:00:00" in detail
    assert "2026-04-01 09:30" in detail


@pytest.mark.django_db
def test_csv_export_adds_the_names(client_as, audit_admin, records):
    response = client_as(audit_admin).get(reverse("audit:export"),
                                          {"action": "accounts.totp_verified"})
    body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][-3:] == ["角色名称", "操作名称", "对象类型名称"]
    assert rows[1][-3:] == ["审计管理员", "动态口令验证通过", "用户"]
    assert rows[1][1].startswith("2026-04-01T09:30:00+08:00")
