"""The design system: its style sheet, the examples page (/ui/), toasts, the favicon, and the
role homes that show each role what it acts on (issue 11, items 1 and 10)."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db

# The class names every app may use (the brief's list); each must be drawn by gridgov.css.
COMPONENTS = [
    "gg-page-head", "gg-toolbar", "gg-card", "gg-grid", "gg-panel", "gg-btn", "gg-btn-primary",
    "gg-btn-danger", "gg-btn-ghost", "gg-btn-sm", "gg-form", "gg-field", "gg-input", "gg-table",
    "gg-table-stack", "gg-table-wrap", "gg-badge", "gg-badge-ok", "gg-badge-warn",
    "gg-badge-danger", "gg-badge-info", "gg-empty", "gg-toast", "gg-muted", "gg-small",
    "gg-thumb", "gg-kpi", "gg-kpi-value", "gg-kpi-label", "gg-kpi-delta",
]
# Names pages used before the design system: they keep working.
OLDER_NAMES = ["gg-button", "gg-button-plain", "gg-button-danger", "gg-generated", "gg-reveal",
               "gg-main-full", "gg-card-head", "gg-card-wide", "gg-dl", "gg-actions",
               "gg-filter", "gg-narrow", "gg-help", "gg-form-errors", "gg-break", "gg-num"]


def css_text():
    return open(finders.find("gridgov/css/gridgov.css"), encoding="utf-8").read()


def defined_classes(css):
    return set(re.findall(r"\.(gg-[a-z0-9-]+)", css))


def test_style_sheet_defines_every_component_and_keeps_older_names():
    classes = defined_classes(css_text())
    assert not [name for name in COMPONENTS + OLDER_NAMES if name not in classes]
    assert "#gg-toasts" in css_text()


def test_style_sheet_tokens_and_chinese_type():
    css = css_text()
    for token in ("--gg-primary:", "--gg-danger:", "--gg-warn:", "--gg-ok:", "--gg-space-1:",
                  "--gg-space-6:", "--gg-radius:"):
        assert token in css
    font = re.search(r"--gg-font:([^;]+);", css).group(1)
    # System fonts first, then the CJK families of Linux, macOS and Windows, in that order.
    positions = [font.index(f'"{name}"') for name in
                 ("Segoe UI", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei")]
    assert positions == sorted(positions)


def test_bare_elements_get_defaults_without_outranking_classes():
    css = css_text()
    # Defaults go through :where(), so any class rule of a page wins.
    for element in ("button", "select", "textarea", "table", "fieldset", "a"):
        assert re.search(r":where\([^)]*\b" + element + r"\b", css), element
    # Phones: nothing wider than the screen.
    assert "@media (max-width: 720px)" in css
    assert ":where(img, video) { max-width: 100%" in css


def test_examples_page_needs_sign_in(client):
    response = client.get("/ui/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_examples_page_shows_every_component_in_chinese(client_as, grid_worker):
    response = client_as(grid_worker).get(reverse("web:ui"))
    assert response.status_code == 200
    html = response.content.decode()
    classes = set()
    for attr in re.findall(r'class="([^"]+)"', html):
        classes.update(attr.split())
    assert not [name for name in COMPONENTS if name not in classes and name != "gg-table-wrap"]
    assert "gg-table-wrap" in classes
    for heading in ("界面规范示例", "颜色", "按钮", "表单", "表格", "徽标", "空状态", "消息提示",
                    "指标卡", "缩略图"):
        assert heading in html
    # The toast buttons work without inline script (the CSP forbids it).
    assert 'data-gg-toast-kind="danger"' in html
    assert "onclick" not in html and "onsubmit" not in html


def test_examples_page_is_for_every_signed_in_role(client_as, dept_handler, sec_admin):
    for user in (dept_handler, sec_admin):
        assert client_as(user).get("/ui/").status_code == 200


def test_favicon_is_linked_and_answered(client, client_as, grid_worker):
    html = client_as(grid_worker).get("/").content.decode()
    assert 'rel="icon" href="/static/gridgov/img/favicon.svg" type="image/svg+xml"' in html
    assert finders.find("gridgov/img/favicon.svg")
    assert finders.find("gridgov/img/favicon.ico")
    # Browsers ask for /favicon.ico on their own, signed in or not.
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/gridgov/img/favicon.ico"


def test_error_pages_use_the_buttons(client):
    html = client.get("/no-such-page/", HTTP_ACCEPT="text/html").content.decode()
    assert 'class="gg-btn gg-btn-primary" href="/"' in html
    assert "favicon.svg" in html


# --- toasts ---------------------------------------------------------------------------------


def test_django_messages_are_drawn_as_toasts():
    html = render_to_string("web/_toasts.html", {"messages": [
        Message(constants.SUCCESS, "已保存。"),
        Message(constants.WARNING, "即将到期。"),
        Message(constants.ERROR, "保存失败。"),
        Message(constants.INFO, "已刷新。"),
    ]})
    assert 'id="gg-toasts" aria-live="polite"' in html
    kinds = re.findall(r'class="gg-toast gg-toast-(\w+)" role="(\w+)"', html)
    assert kinds == [("ok", "status"), ("warn", "alert"), ("danger", "alert"), ("info", "status")]
    assert html.count("data-gg-toast-close") == 4
    assert "保存失败。" in html


def test_a_message_after_a_redirect_shows_as_a_toast(client_as, sys_admin):
    """A real message (the lexicon's "added") reaches the next page as a toast."""
    from gridgov.moderation.choices import TermCategory

    client = client_as(sys_admin)
    response = client.post(reverse("moderation:lexicon"),
                           {"term": "测试词条", "category": TermCategory.values[0]}, follow=True)
    html = response.content.decode()
    toast = re.search(r'class="gg-toast gg-toast-ok" role="status" data-gg-toast>(.*?)</button>',
                      html, re.S)
    assert toast and "已添加词条" in toast.group(1)
    assert 'class="gg-messages"' not in html


def test_shell_script_offers_the_toast_api():
    js = open(finders.find("gridgov/js/shell.js"), encoding="utf-8").read()
    assert "gg.toast = function (text, kind)" in js
    for kind in ("info", "ok", "warn", "danger"):
        assert kind + ":" in js
    # Text only: a toast never renders markup it was given.
    assert "textContent = String(text)" in js and "innerHTML" not in js


# --- role homes -----------------------------------------------------------------------------


def kpis(response):
    return {item.key for item in response.context["work"]}


def test_handler_home_shows_the_department_queues_not_district_counts(client_as, dept_handler):
    response = client_as(dept_handler).get("/")
    html = response.content.decode()
    assert response.context["overview"] == []
    assert 'class="gg-stats"' not in html and "辖区概况" not in html
    assert "户数" not in html
    # No API documentation: a handler works cases, the department's data officer connects.
    assert reverse("api-docs") not in html
    # What the handler acts on: the department's queues, as number cards and as the first
    # button; the department named.
    assert {"events.department.to_claim", "events.department.handling"} <= kpis(response)
    assert 'data-kpi="events.department.to_claim"' in html
    assert response.context["primary"][0]["key"] == "events_department"
    assert dept_handler.department.name in html
    assert "我的部门" in html and "我的区域" not in html


def test_data_officer_home_has_no_district_counts_but_keeps_api_docs(client_as, data_officer):
    response = client_as(data_officer).get("/")
    html = response.content.decode()
    assert response.context["overview"] == []
    assert "户数" not in html
    assert response.context["primary"][0]["key"] == "sharing_catalog"
    assert reverse("api-docs") in html  # the data officer connects systems


@pytest.mark.parametrize("fixture, first_action, work_key", [
    ("grid_worker", "events_report", "events.to_verify"),
    ("dispatcher", "events_command", "events.to_dispatch"),
    ("shift_leader", "events_command", None),
    ("leader", "events_command", None),
    ("district_leader", "events_command", None),
    ("dept_admin", "events_department", None),
])
def test_each_role_home_leads_to_its_work(request, client_as, fixture, first_action, work_key):
    user = request.getfixturevalue(fixture)
    response = client_as(user).get("/")
    assert response.status_code == 200
    primary = response.context["primary"]
    assert primary and primary[0]["key"] == first_action
    assert len(primary) <= 3
    # Every button and shortcut is a page of the person's own menu.
    menu = {item["url"] for item in response.context["gg_nav"]}
    for entry in primary + response.context["shortcuts"]:
        assert entry["url"] in menu
    assert not {e["key"] for e in response.context["shortcuts"]} & {"home", "password"}
    if work_key:
        assert work_key in kpis(response)
        assert f'data-kpi="{work_key}"' in response.content.decode()


def test_area_roles_keep_their_area_overview(client_as, grid_worker, leader, dispatcher):
    for user in (grid_worker, leader, dispatcher):
        response = client_as(user).get("/")
        assert response.context["overview"], user.username
        assert "我的区域" in response.content.decode()


def test_security_admin_home_has_no_area_counts(client_as, sec_admin):
    response = client_as(sec_admin).get("/")
    assert response.context["overview"] == []
    assert response.context["primary"][0]["key"] == "users"


def test_overview_is_a_permission_the_role_table_can_change(client_as, dept_handler):
    """Granting "web.area_overview" to the handler's role brings the counts back: the page
    asks the permission, never the role."""
    from gridgov.core.access import grants
    from gridgov.core.models import Permission, RoleDefinition

    role = RoleDefinition.objects.get(code="dept_handler")
    role.permissions.add(Permission.objects.get(code="web.area_overview"))
    grants.invalidate()
    grants._cached[:] = [None, 0.0]
    response = client_as(dept_handler).get("/")
    assert response.context["overview"]


# --- the page list of the phone check and the screenshots -----------------------------------


def test_main_pages_name_real_pages():
    """A page is skipped only when its app is not mounted here, never for a misspelt name."""
    from django.urls import get_resolver

    from .main_pages import ANONYMOUS, ROLE_PAGES

    mounted = set(get_resolver().namespace_dict)
    for spec in ANONYMOUS + [p for pages in ROLE_PAGES.values() for p in pages]:
        if spec.path() is None:
            assert spec.url_name.split(":")[0] not in mounted, spec.url_name
    # Every role named in the issue has its pages listed.
    assert {"gw_gulou", "dispatch_gulou", "shift_gulou", "leader_gulou", "leader_district",
            "handler_zhifa", "deptadmin_zhifa", "data_minzheng"} <= set(ROLE_PAGES)
