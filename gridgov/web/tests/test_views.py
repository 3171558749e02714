"""The page shell, navigation by role and the home page (my areas, 待办)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.accounts.choices import Role
from gridgov.web import menus, worklist

pytestmark = pytest.mark.django_db

HOME = "/"


def nav_keys(response):
    return [item["key"] for item in response.context["gg_nav"]]


# --- anonymous ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/map/"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" + path in response["Location"]


def test_login_page_uses_the_shell_without_menu(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "GridGov" in html
    assert "网格化基层社会治理" in html
    assert 'id="gg-nav"' not in html


# --- shell ----------------------------------------------------------------------------------


def test_shell_shows_name_roles_area_and_logout_form(client_as, grid_worker):
    response = client_as(grid_worker).get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert grid_worker.real_name in html
    assert "网格员" in html
    # Logout is a POST form (Django 5 refuses GET logout), with a CSRF token.
    assert f'action="{reverse("accounts:logout")}" method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # Language switch posts to Django's set_language.
    assert f'action="{reverse("set_language")}"' in html
    assert 'value="en"' in html


def test_pages_load_nothing_from_other_hosts(client_as, grid_worker):
    for path in ("/", "/map/"):
        html = client_as(grid_worker).get(path).content.decode()
        assert 'src="http' not in html and "src=\"//" not in html
        assert 'href="http' not in html.replace('href="https://leafletjs.com', "")
        assert "/static/vendor/" in html


# --- navigation by role ---------------------------------------------------------------------


# 修改密码 is registered by the accounts app for everyone.
EVERYONE = {"home", "map", "areas", "password", "notifications"}
# The data resource centre: catalog, requests and exchange evidence for department staff.
SHARING = {"sharing_catalog", "sharing_requests", "sharing_exchanges"}
# Basic data: houses, organisations and components for every business role; people for the
# grid roles, leaders and data officers.
OBJECTS = {"basedata_houses", "basedata_components"}
PEOPLE = OBJECTS | {"basedata_people"}


# 案件查询 (every case the person may see) for everyone who works cases; 统计分析 for the
# command room and leaders.
CASES = {"events_search"}
# 效能考核 for the command room, leaders and departments (who appeal).
STATS = {"stats", "assess"}
ASSESS = {"assess"}
# The field work: tasks, patrols, visits. The command room assigns and follows tasks and
# patrols; visits name the people in care, so only who may see people reads them.
FIELD_WORK = {"tasks", "patrols", "visits"}
COMMAND_FIELD_WORK = FIELD_WORK - {"visits"}
# Proactive services: the grid worker's service tasks and the 免申即享 list.
PROACTIVE = {"proactive"}
# 党建: one entry to its sections (the party's rolls and meetings for leaders and chiefs, not
# for every grid worker: membership is political information; party members' households and
# volunteering for the grid roles too). The needs analysis, the statistics of both functions,
# and the rules that open service tasks.
PARTYWORK = {"party"}
PARTY = {"party"}
NEEDS = {"needs", "needs_overview"}
# 视频资源: the cameras for who may use, manage or count them, and the live-view log for the
# audit administrator.
VIDEO = {"video"}
# 地理信息: the departments' layers for every staff role that may see shared layers.
GIS = {"gis_layers"}


@pytest.mark.parametrize(
    "fixture, expected",
    [
        ("grid_worker", EVERYONE | PEOPLE | CASES | FIELD_WORK | PROACTIVE | PARTYWORK
         | GIS | {"events_mine", "events_report"}),
        ("grid_chief", EVERYONE | PEOPLE | CASES | FIELD_WORK | PROACTIVE | PARTYWORK | PARTY
         | NEEDS | GIS | {"events_mine", "events_report"}),
        ("intake_clerk", EVERYONE | OBJECTS | CASES | STATS | COMMAND_FIELD_WORK | VIDEO | GIS | {
            "events_command", "events_map", "events_hotline", "moderation"}),
        ("leader", EVERYONE | PEOPLE | CASES | STATS | FIELD_WORK | PROACTIVE | PARTYWORK | PARTY
         | NEEDS | VIDEO | GIS | {
            "events_command", "events_map", "sharing_catalog", "moderation"}),
        ("district_leader", EVERYONE | PEOPLE | CASES | STATS | FIELD_WORK | PROACTIVE | PARTYWORK
         | PARTY | NEEDS | VIDEO | GIS | {
            "events_command", "events_map", "sharing_catalog", "moderation"}),
        # A handler works cases: no API documentation (that is for who connects systems).
        ("dept_handler", EVERYONE | OBJECTS | CASES | ASSESS | {"events_department", "proactive"}
         | SHARING | VIDEO | GIS),
        ("dept_admin", EVERYONE | OBJECTS | CASES | ASSESS
         | {"api_keys", "api_docs", "events_department", "proactive"} | SHARING | VIDEO | GIS),
        ("data_officer", EVERYONE | PEOPLE | CASES | {"api_docs"} | SHARING | VIDEO | GIS),
        ("sys_admin", EVERYONE | {"users", "departments", "api_keys", "api_docs",
                               "events_catalog", "events_evidence", "lexicon",
                               "assess_schemes", "stats_keywords", "visits_plans",
                               "needs_categories", "party_meetings_requirements", "rules",
                               "jobs"}),
        ("sec_admin", EVERYONE | {"users", "roles", "locks"}),
        ("audit_admin", EVERYONE | {"audit", "sharing_exchanges"} | VIDEO),
    ],
)
def test_navigation_shows_only_the_links_the_role_may_use(request, client_as, fixture, expected):
    user = request.getfixturevalue(fixture)
    response = client_as(user).get(HOME)
    assert response.status_code == 200
    # Only links whose page exists in this installation are offered.
    available = {key for key in expected if menus._ITEMS[key].url() is not None}
    assert set(nav_keys(response)) == available
    html = response.content.decode()
    for key, item in menus._ITEMS.items():
        url = item.url()
        if url is None or url == "/":
            continue
        if key in available:
            assert f'href="{url}"' in html, key
        else:
            assert f'href="{url}"' not in html, key


def test_every_link_offered_opens_for_that_role(client_as, sys_admin, sec_admin, audit_admin,
                                                 dept_admin, grid_worker):
    for user in (sys_admin, sec_admin, audit_admin, dept_admin, grid_worker):
        client = client_as(user)
        for item in client.get(HOME).context["gg_nav"]:
            # An entry may lead on to the first page of its section the role may open
            # (党建 for a grid worker: the party members' households).
            response = client.get(item["url"], follow=True)
            assert response.status_code == 200, (user.username, item["url"])
            assert response.request["PATH_INFO"].startswith(item["url"]), item["url"]


def test_current_page_is_marked_active(client_as, grid_worker):
    response = client_as(grid_worker).get("/map/")
    active = [i["key"] for i in response.context["gg_nav"] if i["active"]]
    assert active == ["map"]


def test_admin_roles_do_not_see_each_others_links(client_as, sec_admin, audit_admin):
    keys = set(nav_keys(client_as(sec_admin).get(HOME)))
    assert "audit" not in keys and "api_keys" not in keys and "departments" not in keys
    keys = set(nav_keys(client_as(audit_admin).get(HOME)))
    assert not keys & {"users", "locks", "api_keys", "departments", "api_docs"}


# --- home page: my areas --------------------------------------------------------------------


def test_grid_worker_home_shows_own_grid_with_households_and_staff(client_as, grid_worker,
                                                                  gulou_grid, gulou_grid2):
    response = client_as(grid_worker).get(HOME)
    html = response.content.decode()
    assert gulou_grid.code in html
    assert gulou_grid.name in html
    grids = response.context["grids"]
    assert [row["area"].code for row in grids] == [gulou_grid.code]
    row = grids[0]
    assert row["area"].households == gulou_grid.households
    staff = {(a.user.username, a.role) for a in row["staff"]}
    assert (grid_worker.username, Role.GRID_WORKER) in staff
    # The community's chief and instructor work this grid too.
    assert ("gc_gulou", Role.GRID_CHIEF) in staff
    assert ("gi_gulou", Role.GRID_INSTRUCTOR) in staff
    # The neighbouring grid is not theirs.
    assert gulou_grid2.code not in html
    overview = {s["level"]: s["count"] for s in response.context["overview"]}
    # Nothing below a grid to count; its households are shown.
    assert overview == {"households": gulou_grid.households}


def test_grid_chief_home_lists_every_grid_of_the_community(client_as, grid_chief,
                                                           gulou_community):
    from gridgov.areas.models import Area

    response = client_as(grid_chief).get(HOME)
    expected = list(
        Area.objects.current().filter(parent=gulou_community).order_by("code")
        .values_list("code", flat=True)
    )
    assert [row["area"].code for row in response.context["grids"]] == expected
    assert gulou_community.code in response.content.decode()


def test_leader_home_counts_communities_and_grids_of_the_street(client_as, leader, gulou_street):
    from gridgov.areas.models import Area

    response = client_as(leader).get(HOME)
    html = response.content.decode()
    assert gulou_street.name in html and gulou_street.code in html
    overview = {s["level"]: s["count"] for s in response.context["overview"]}
    below = Area.objects.current().filter(code__startswith=gulou_street.code)
    assert overview["community"] == below.filter(level="community").count()
    assert overview["grid"] == below.filter(level="grid").count()
    assert "street" not in overview  # their own level: nothing to count
    assert response.context["grids"] == []


def test_district_leader_home_counts_the_whole_district(client_as, district_leader, district):
    from gridgov.areas.models import Area

    response = client_as(district_leader).get(HOME)
    overview = {s["level"]: s["count"] for s in response.context["overview"]}
    assert overview["street"] == 17
    assert overview["grid"] == Area.objects.current().filter(level="grid").count()
    assert district.code in response.content.decode()


# --- home page: 待办 ------------------------------------------------------------------------


def work_keys(response):
    return {item.key: item for item in response.context["work"]}


def test_nothing_waiting_says_so(client_as, sec_admin):
    # The demo district's events keep every grid, command and department role busy.
    response = client_as(sec_admin).get(HOME)
    assert response.context["work"] == []
    assert "暂无待办" in response.content.decode()


def test_sec_admin_sees_locked_accounts(client_as, sec_admin, grid_worker, settings):
    from gridgov.accounts import lockout

    for _ in range(settings.GRIDGOV_LOCKOUT_THRESHOLD):
        lockout.register_failure(grid_worker.username, "10.0.0.1")
    assert lockout.is_locked(grid_worker.username)
    response = client_as(sec_admin).get(HOME)
    item = work_keys(response)["accounts.locked"]
    assert item.count == 1
    assert grid_worker.username in item.samples[0]
    assert item.url == reverse("accounts:locks")
    html = response.content.decode()
    assert "被锁定的账号" in html and grid_worker.username in html


def test_sec_admin_sees_admins_without_confirmed_totp(client_as, sec_admin, district):
    from gridgov.accounts import actions

    response = client_as(sec_admin).get(HOME)
    # The demo administrators all have TOTP confirmed.
    assert "accounts.admin_totp" not in work_keys(response)
    user = actions.create_user(username="newsys", real_name="新系统管理员",
                               password="Haishu#2026-new", actor=None)
    actions.assign_role(user, Role.SYS_ADMIN, district, actor=None)
    item = work_keys(client_as(sec_admin).get(HOME))["accounts.admin_totp"]
    assert item.count == 1
    assert "newsys" in item.samples[0]


def test_only_sec_admin_gets_security_work(client_as, sys_admin, audit_admin, grid_worker,
                                           settings):
    from gridgov.accounts import lockout

    for _ in range(settings.GRIDGOV_LOCKOUT_THRESHOLD):
        lockout.register_failure(grid_worker.username, "10.0.0.1")
    for user in (sys_admin, audit_admin):
        assert "accounts.locked" not in work_keys(client_as(user).get(HOME))


def test_audit_admin_is_reminded_to_verify_and_anchor(client_as, audit_admin):
    response = client_as(audit_admin).get(HOME)
    keys = work_keys(response)
    assert "audit.verify" in keys
    assert "日志链待校验" in response.content.decode()


def test_unanchored_days_are_the_closed_days_with_records(db):
    from gridgov.audit.recorder import record
    from gridgov.audit.shell import closed_days_without_anchor

    record("test.web", object_type="web.test", object_id="1", remark="worklist")
    today = timezone.localdate()
    days, _ = closed_days_without_anchor(today + dt.timedelta(days=1))
    assert today in days
    days, _ = closed_days_without_anchor(today)
    assert today not in days


def test_sys_admin_sees_communities_whose_grids_leave_a_gap(client_as, sys_admin,
                                                           gulou_community):
    from gridgov.areas import actions
    from gridgov.areas.models import Area

    assert "areas.gaps" not in work_keys(client_as(sys_admin).get(HOME))
    unstaffed = (
        Area.objects.current().filter(parent=gulou_community, assignments__isnull=True)
        .order_by("code").last()
    )
    actions.retire_area(unstaffed, valid_to=timezone.localdate(), actor=sys_admin)
    item = work_keys(client_as(sys_admin).get(HOME))["areas.gaps"]
    assert item.count == 1
    assert gulou_community.code in item.samples[0]


def test_grid_chief_sees_grids_without_a_worker(client_as, grid_chief, gulou_grid, gulou_grid2,
                                                gulou_community):
    from gridgov.accounts.models import Assignment
    from gridgov.areas.models import Area

    item = work_keys(client_as(grid_chief).get(HOME)).get("areas.unstaffed")
    grids = Area.objects.current().filter(parent=gulou_community)
    staffed = set(
        Assignment.objects.filter(role=Role.GRID_WORKER, area__in=grids)
        .values_list("area__code", flat=True)
    )
    missing = grids.exclude(code__in=staffed).count()
    assert gulou_grid.code in staffed and gulou_grid2.code in staffed
    if missing:
        assert item.count == missing
        assert not any(gulou_grid.code in s for s in item.samples)
    else:
        assert item is None


def test_apps_can_register_their_own_waiting_work(client_as, dispatcher):
    @worklist.register("test.dispatch", permission="events.dispatch", order=1)
    def to_dispatch(user, scope):
        yield worklist.WorkItem(key="test.dispatch", title="待派遣事件", count=3,
                                samples=["事件一"])

    try:
        response = client_as(dispatcher).get(HOME)
        assert work_keys(response)["test.dispatch"].count == 3
        html = response.content.decode()
        assert "待派遣事件" in html and "另有 2 项" in html
    finally:
        worklist.unregister("test.dispatch")


# --- bounded queries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture",
    ["grid_worker", "grid_chief", "leader", "district_leader", "dispatcher", "dept_admin",
     "sys_admin", "sec_admin", "audit_admin"],
)
def test_home_page_query_count_is_bounded(request, client_as, django_assert_max_num_queries,
                                          fixture):
    client = client_as(request.getfixturevalue(fixture))
    client.get(HOME)  # warm up: session, caches
    # Measured: 6 to 14 by role (session, user, scope, area names, counts, grids, staff,
    # one or two per waiting-work provider; a leader's figures add the month's cube, the
    # overdue count and list).
    with django_assert_max_num_queries(16):
        response = client.get(HOME)
    assert response.status_code == 200


# --- English --------------------------------------------------------------------------------


def test_english_selected_renders_english_labels(client_as, grid_worker):
    client = client_as(grid_worker)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(HOME).content.decode()
    assert '<html lang="en">' in html
    assert "Home" in html and "Grid map" in html
    assert "My areas" in html and "Waiting work" in html
    assert "Grid worker" in html
    assert "网格地图" not in html


def test_chinese_is_the_default(client_as, grid_worker):
    html = client_as(grid_worker).get(HOME).content.decode()
    assert "网格地图" in html and "待办" in html


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client_as, grid_worker):
    client = client_as(grid_worker)
    html = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html and "网格地图" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(HOME, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in html and "Grid map" in html
