"""The terminal's shell: sign-in and the field session, home, me, outbox, service worker,
manifest and the Content-Security-Policy they need."""

import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridgov.accounts import device_actions
from gridgov.accounts.models import DeviceToken
from gridgov.core.middleware import SessionIdleTimeoutMiddleware
from gridgov.field import session as field_session
from gridgov.field import today
from gridgov.field.today import TodayItem, TodaySection

pytestmark = pytest.mark.django_db
PHONE_UA = ("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Mobile Safari/537.36")


def sign_in(client, username, password, **extra):
    return client.post("/m/login/", {"username": username, "password": password, **extra},
                       HTTP_USER_AGENT=PHONE_UA)


# --- sign-in and the field session ------------------------------------------------------------


def test_pages_send_anonymous_visitors_to_the_field_sign_in(client):
    for url in ("/m/", "/m/me/", "/m/outbox/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/m/login/?next={url.replace('/', '%2F')}" or (
            response["Location"] == f"/m/login/?next={url}")


def test_sign_in_binds_the_session_to_a_device_row(client, grid_worker, demo_password):
    page = client.get("/m/login/")
    assert page.status_code == 200
    assert "登录" in page.content.decode()
    response = sign_in(client, "gw_gulou", demo_password, next="/m/me/")
    assert response.status_code == 302 and response["Location"] == "/m/me/"
    token = DeviceToken.objects.get(user=grid_worker, revoked_at__isnull=True)
    assert token.name == "移动终端 · Chrome · Android"
    assert client.session[field_session.DEVICE_KEY] == token.pk
    days = (token.expires_at - timezone.now()).total_seconds() / 86400
    assert 6.9 < days <= 7
    assert client.session.get_expiry_age() > 6 * 86400
    me = client.get("/m/me/")
    assert "移动终端 · Chrome · Android" in me.content.decode()


def test_wrong_password_is_refused_like_the_desktop_sign_in(client, grid_worker):
    response = sign_in(client, "gw_gulou", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert not DeviceToken.objects.filter(user=grid_worker).exists()


def test_administrators_go_on_to_their_second_factor_without_a_device(client, sys_admin,
                                                                      demo_password):
    response = sign_in(client, "sysadmin", demo_password)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/totp/")
    assert not DeviceToken.objects.filter(user=sys_admin).exists()
    assert field_session.DEVICE_KEY not in client.session


def test_people_without_the_terminal_get_an_ordinary_session(client, dispatcher, demo_password):
    sign_in(client, "dispatch_gulou", demo_password)
    assert not DeviceToken.objects.filter(user=dispatcher).exists()
    assert client.get("/m/").status_code == 403


def _age(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[getattr(SessionIdleTimeoutMiddleware, key)] = now - ago
    session.save()


def test_a_field_session_survives_a_day_offline(client, grid_worker, demo_password, settings):
    settings.GRIDGOV_SESSION_IDLE_SECONDS = 1800
    sign_in(client, "gw_gulou", demo_password)
    client.get("/m/")
    _age(client, SEEN=24 * 3600, SINCE=25 * 3600)
    assert client.get("/m/").status_code == 200
    _age(client, SEEN=37 * 3600)
    assert client.get("/m/").status_code == 302


def test_a_field_session_ends_after_its_absolute_age(client, grid_worker, demo_password,
                                                     settings):
    settings.GRIDGOV_FIELD_SESSION_AGE = 3 * 86400
    sign_in(client, "gw_gulou", demo_password)
    client.get("/m/")
    _age(client, SEEN=60, SINCE=3 * 86400 + 1)
    assert client.get("/m/").status_code == 302


def test_desktop_sessions_keep_the_desktop_limit(client_as, grid_worker):
    client = client_as(grid_worker)
    client.get("/m/")
    _age(client, SEEN=1801)
    assert client.get("/m/").status_code == 302


def test_revoking_the_device_row_ends_the_session_at_once(client, grid_worker, sec_admin,
                                                          demo_password):
    sign_in(client, "gw_gulou", demo_password)
    assert client.get("/m/").status_code == 200
    token = DeviceToken.objects.get(user=grid_worker)
    device_actions.revoke_device_token(token, actor=sec_admin)
    response = client.get("/m/")
    assert response.status_code == 302 and response["Location"].startswith("/m/login/")
    assert client.get("/api/v1/events/").status_code in (401, 403)


def test_an_expired_device_row_ends_the_session(client, grid_worker, demo_password):
    sign_in(client, "gw_gulou", demo_password)
    DeviceToken.objects.filter(user=grid_worker).update(
        expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get("/m/").status_code == 302


def test_sign_out_revokes_the_device_row(client, grid_worker, demo_password):
    sign_in(client, "gw_gulou", demo_password)
    assert client.get("/m/logout/").status_code == 405
    response = client.post("/m/logout/")
    assert response.status_code == 302 and response["Location"] == "/m/login/?signed_out=1"
    token = DeviceToken.objects.get(user=grid_worker)
    assert token.revoked_at is not None
    assert client.get("/m/").status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已退出登录" in page


def test_browser_label():
    assert field_session.browser_label(PHONE_UA) == "Chrome · Android"
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
    assert field_session.browser_label(iphone) == "Safari · iPhone"
    wechat = PHONE_UA + " MicroMessenger/8.0"
    assert field_session.browser_label(wechat) == "微信 · Android"
    assert field_session.browser_label("") == "浏览器"


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def only_providers(monkeypatch):
    """Home-screen providers for the test only (the apps' own are left out)."""
    providers = {}
    monkeypatch.setattr(today, "_PROVIDERS", providers)
    return providers


def test_home_shows_greeting_grid_and_sections(client_as, grid_worker, only_providers):
    def verify(request):
        return TodaySection(key="verify", title="待核查事件", count=3, url="/m/events/",
                            overdue=1, items=[
                                TodayItem(title="占道经营", url="/m/events/1/",
                                          subtitle="中山西路", badge="超期", overdue=True)])

    today.register("verify", order=10)(verify)
    today.register("nothing", order=20)(lambda request: None)
    page = client_as(grid_worker).get("/m/").content.decode()
    assert grid_worker.real_name in page
    assert "待核查事件" in page and "占道经营" in page and 'data-precache="/m/events/1/"' in page
    assert "查看全部 3 项" in page
    assert "超期 1" in page
    assert 'data-tab="todo"' in page


def test_home_with_nothing_to_do_shows_the_empty_state(client_as, grid_worker, only_providers):
    page = client_as(grid_worker).get("/m/").content.decode()
    assert "今日暂无待办" in page and 'href="/m/report/"' in page


def test_home_query_count_does_not_grow_with_sections(client_as, grid_worker, only_providers,
                                                      django_assert_max_num_queries):
    client = client_as(grid_worker)
    client.get("/m/")
    for n in range(6):
        today.register(f"s{n}", order=n)(lambda request, n=n: TodaySection(
            key=f"s{n}", title=f"第 {n} 类", count=5, url="/m/",
            items=[TodayItem(title=f"事项 {i}", url="/m/") for i in range(5)]))
    with django_assert_max_num_queries(8):
        assert client.get("/m/").status_code == 200


def test_me_page_links_roles_language_and_sign_out(client_as, grid_worker):
    page = client_as(grid_worker).get("/m/me/").content.decode()
    for href in ("/m/patrol/", "/m/visits/", "/m/tasks/", "/m/outbox/"):
        assert f'href="{href}"' in page
    assert "网格员" in page
    assert 'action="/i18n/setlang/"' in page and 'value="en"' in page
    assert 'action="/m/logout/"' in page and "data-signout" in page
    assert 'id="gg-field-texts"' in page and "meConfirmUnsent" in page


def test_outbox_page_is_a_shell_for_the_device_queue(client_as, grid_worker):
    page = client_as(grid_worker).get("/m/outbox/").content.decode()
    assert "data-outbox-page" in page and "outbox-page.js" in page


def test_the_terminal_needs_field_use(client_as, dispatcher):
    assert client_as(dispatcher).get("/m/").status_code == 403


def test_offline_page_is_open(client):
    assert client.get("/m/offline/").status_code == 200


def test_english_is_offered(client_as, grid_worker):
    client = client_as(grid_worker)
    client.post("/i18n/setlang/", {"language": "en", "next": "/m/me/"})
    page = client.get("/m/me/")
    assert page.status_code == 200 and 'lang="en"' in page.content.decode()


# --- service worker, manifest, icons, CSP ------------------------------------------------------


def test_service_worker_is_served_at_the_scope_root(client):
    response = client.get("/m/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert "__VERSION__" not in body and "__PRECACHE" not in body
    assert '"/static/field/field.css?v=' in body and '"/m/offline/"' in body
    for page in ("/m/", "/m/report/", "/m/events/", "/m/collect/", "/m/me/"):
        assert f'"{page}"' in body


def test_manifest(client):
    response = client.get(reverse("field:manifest"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    data = json.loads(response.content)
    assert data["name"] == "网格通" and data["start_url"] == "/m/" and data["scope"] == "/m/"
    assert data["display"] == "standalone" and data["theme_color"] == "#123b70"
    sizes = {(i["sizes"], i["purpose"]) for i in data["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in data["icons"]:
        png = Client().get(icon["src"])
        assert png.status_code == 200
        assert b"".join(png.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_pages_link_manifest_and_versioned_shell(client_as, grid_worker):
    page = client_as(grid_worker).get("/m/").content.decode()
    assert 'rel="manifest" href="/m/manifest.webmanifest"' in page
    assert "/static/field/js/outbox.js?v=" in page and 'data-sw="/m/sw.js"' in page
    assert "<script>" not in page and "onclick" not in page


def test_csp_lets_the_worker_and_manifest_come_from_this_site_only(client):
    policy = client.get("/m/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["worker-src"] == "'self'"
    assert directives["manifest-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "blob:" in directives["img-src"]
