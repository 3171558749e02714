"""我的通知 page: own notifications only, mark one or all read, shell entries."""

import pytest
from django.urls import reverse

from gridgov.notifications import actions
from gridgov.notifications.choices import Kind
from gridgov.notifications.models import Notification

pytestmark = pytest.mark.django_db
LIST = "/notifications/"


def test_anonymous_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_list_shows_own_notifications_and_unread_count(client_as, grid_worker, grid_worker2):
    unread = grid_worker.notifications.filter(read_at__isnull=True).count()
    actions.notify([grid_worker], kind=Kind.DISPATCH, text="事件 E1 已派遣")
    actions.notify([grid_worker2], kind=Kind.DISPATCH, text="别人的通知")
    response = client_as(grid_worker).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "事件 E1 已派遣" in html
    assert "别人的通知" not in html
    assert response.context["unread_count"] == unread + 1
    assert f'data-gg-unread="{unread + 1}"' in html


def test_filter_unread_and_kind(client_as, grid_worker):
    [read] = actions.notify([grid_worker], kind=Kind.RETURN, text="已读的")
    actions.mark_read(read, actor=grid_worker)
    actions.notify([grid_worker], kind=Kind.OVERDUE, text="未读的")
    client = client_as(grid_worker)
    html = client.get(LIST, {"unread": "true"}).content.decode()
    assert "未读的" in html and "已读的" not in html
    html = client.get(LIST, {"kind": "return"}).content.decode()
    assert "已读的" in html and "未读的" not in html


def test_mark_read_and_read_all(client_as, grid_worker):
    one, = actions.notify([grid_worker], kind=Kind.OTHER, text="一")
    actions.notify([grid_worker], kind=Kind.OTHER, text="二")
    client = client_as(grid_worker)
    assert client.get(f"{LIST}{one.pk}/read/").status_code == 405
    response = client.post(f"{LIST}{one.pk}/read/", {"next": LIST + "?unread=true"})
    assert response.status_code == 302 and response["Location"] == LIST + "?unread=true"
    assert Notification.objects.get(pk=one.pk).read_at is not None
    response = client.post(f"{LIST}read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(user=grid_worker, read_at__isnull=True).exists()


def test_cannot_mark_someone_elses(client_as, grid_worker, grid_worker2):
    theirs, = actions.notify([grid_worker2], kind=Kind.OTHER, text="x")
    assert client_as(grid_worker).post(f"{LIST}{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_off_site_next_is_ignored(client_as, grid_worker):
    one, = actions.notify([grid_worker], kind=Kind.OTHER, text="x")
    response = client_as(grid_worker).post(f"{LIST}{one.pk}/read/",
                                           {"next": "https://evil.example/"})
    assert response["Location"] == LIST


def test_home_shows_unread_count_and_menu_entry(client_as, grid_worker):
    unread = grid_worker.notifications.filter(read_at__isnull=True).count()
    actions.notify([grid_worker], kind=Kind.DISPATCH, text="派遣提醒")
    response = client_as(grid_worker).get("/")
    work = {item.key: item for item in response.context["work"]}
    assert work["notifications.unread"].count == unread + 1
    assert work["notifications.unread"].samples[0] == "派遣提醒"
    assert "notifications" in [item["key"] for item in response.context["gg_nav"]]


def test_list_query_count_is_constant(client_as, grid_worker, django_assert_max_num_queries):
    actions.notify([grid_worker], kind=Kind.OTHER, text="a")
    client = client_as(grid_worker)
    client.get(LIST)
    for _ in range(30):
        actions.notify([grid_worker], kind=Kind.OTHER, text="b")
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200
