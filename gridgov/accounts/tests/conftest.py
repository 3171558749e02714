"""Fixtures of the accounts tests: a small area tree, two departments and one person per role.

They build only what these tests need and do not depend on the demo district, but they
coexist with it: areas are fetched by code when they already exist, and the people here have
user names starting with ``t_`` so they never collide with the demo users.
"""

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gridgov.accounts import actions
from gridgov.accounts.choices import ADMIN_ROLES, DepartmentKind, Role
from gridgov.accounts.middleware import SESSION_FLAG
from gridgov.accounts.models import Department
from gridgov.areas.models import Area

PASSWORD = "Haishu#2026"


def _square(lng, lat, size):
    return {"type": "Polygon", "coordinates": [[
        [lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat],
    ]]}


def _area(code, name, level, kind, parent, lng, lat, size):
    area, _ = Area.objects.get_or_create(code=code, defaults={
        "name": name, "level": level, "kind": kind, "parent": parent,
        "geometry": _square(lng, lat, size), "area_m2": (size * 100_000) ** 2,
        "centroid_lng": lng + size / 2, "centroid_lat": lat + size / 2,
        "valid_from": dt.date(2020, 1, 1),
    })
    return area


@pytest.fixture
def district(db):
    return _area("330203", "海曙区", "district", "district", None, 121.2, 29.7, 0.4)


@pytest.fixture
def gulou_street(district):
    return _area("330203005", "鼓楼街道", "street", "street", district, 121.54, 29.87, 0.02)


@pytest.fixture
def other_street(district):
    return _area("330203001", "南门街道", "street", "street", district, 121.54, 29.85, 0.02)


@pytest.fixture
def gulou_community(gulou_street):
    return _area("330203005001", "鼓楼社区一", "community", "community", gulou_street,
                 121.54, 29.87, 0.01)


@pytest.fixture
def gulou_grid(gulou_community):
    return _area("330203005001001", "鼓楼一网格", "grid", "basic", gulou_community,
                 121.54, 29.87, 0.005)


@pytest.fixture
def gulou_grid2(gulou_community):
    return _area("330203005001002", "鼓楼二网格", "grid", "basic", gulou_community,
                 121.545, 29.87, 0.005)


@pytest.fixture
def other_community(other_street):
    return _area("330203001001", "南门社区一", "community", "community", other_street,
                 121.54, 29.85, 0.01)


@pytest.fixture
def other_grid(other_community):
    return _area("330203001001001", "南门一网格", "grid", "basic", other_community,
                 121.54, 29.85, 0.005)


@pytest.fixture
def zhifa(district):
    return Department.objects.filter(code="T901").first() or actions.create_department(
        code="T901", name="测试综合行政执法局", kind=DepartmentKind.GOVERNMENT, area=district,
        actor=None)


@pytest.fixture
def minzheng(district):
    return Department.objects.filter(code="T902").first() or actions.create_department(
        code="T902", name="测试民政局", kind=DepartmentKind.GOVERNMENT, area=district,
        actor=None)


@pytest.fixture
def make_user(db):
    """Create a person (and give them a role over an area) through the actions, as a loader."""
    counter = {"n": 0}

    def make(username, role=None, area=None, department=None, password=PASSWORD, phone=""):
        counter["n"] += 1
        user = actions.create_user(username=username, real_name=f"测试{counter['n']}",
                                   password=password, phone=phone, department=department,
                                   actor=None)
        if role is not None:
            actions.assign_role(user, role, area, actor=None)
        return user

    return make


@pytest.fixture
def grid_worker(make_user, gulou_grid):
    return make_user("t_gw", Role.GRID_WORKER, gulou_grid, phone="13812345678")


@pytest.fixture
def grid_worker2(make_user, gulou_grid2):
    return make_user("t_gw2", Role.GRID_WORKER, gulou_grid2)


@pytest.fixture
def other_grid_worker(make_user, other_grid):
    return make_user("t_gw_nanmen", Role.GRID_WORKER, other_grid)


@pytest.fixture
def grid_chief(make_user, gulou_community):
    return make_user("t_gc", Role.GRID_CHIEF, gulou_community)


@pytest.fixture
def leader(make_user, gulou_street):
    return make_user("t_leader", Role.LEADER, gulou_street)


@pytest.fixture
def district_leader(make_user, district):
    return make_user("t_leader_district", Role.LEADER, district)


@pytest.fixture
def dept_handler(make_user, district, zhifa):
    return make_user("t_handler", Role.DEPT_HANDLER, district, department=zhifa)


@pytest.fixture
def dept_admin(make_user, district, zhifa):
    return make_user("t_deptadmin", Role.DEPT_ADMIN, district, department=zhifa)


@pytest.fixture
def other_dept_admin(make_user, district, minzheng):
    return make_user("t_deptadmin_mz", Role.DEPT_ADMIN, district, department=minzheng)


@pytest.fixture
def data_officer(make_user, district, minzheng):
    return make_user("t_data", Role.DATA_OFFICER, district, department=minzheng)


@pytest.fixture
def sys_admin(make_user, district):
    return make_user("t_sysadmin", Role.SYS_ADMIN, district)


@pytest.fixture
def sec_admin(make_user, district):
    return make_user("t_secadmin", Role.SEC_ADMIN, district)


@pytest.fixture
def audit_admin(make_user, district):
    return make_user("t_auditadmin", Role.AUDIT_ADMIN, district)


def _sign_in(client, user, second_factor=True):
    client.force_login(user)
    if second_factor and user.assignments.filter(role__in=ADMIN_ROLES).exists():
        session = client.session
        session[SESSION_FLAG] = True
        session.save()
    return client


@pytest.fixture
def client_as(db):
    """A page client signed in as ``user`` (administrators past the TOTP step unless
    ``second_factor=False``)."""

    def make(user, second_factor=True):
        return _sign_in(Client(), user, second_factor)

    return make


@pytest.fixture
def api_as(db):
    """An API client signed in as ``user`` through the session, like the browser."""

    def make(user, second_factor=True):
        return _sign_in(APIClient(), user, second_factor)

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing with the production hasher costs ~0.3 s per user; these tests create many.
    The production hasher stays second so stored demo passwords still verify."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
