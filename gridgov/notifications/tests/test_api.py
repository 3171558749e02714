"""/api/notifications/: own rows only, mark read, query-count guard."""

import pytest

from gridgov.notifications import actions
from gridgov.notifications.choices import Kind

pytestmark = pytest.mark.django_db
URL = "/api/notifications/"


def test_list_is_own_and_filterable(api_as, grid_worker, grid_worker2):
    actions.notify([grid_worker], kind=Kind.OTHER, text="mine")
    actions.notify([grid_worker2], kind=Kind.OTHER, text="theirs")
    api = api_as(grid_worker)
    response = api.get(URL, {"kind": "other"})
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["mine"]
    row = response.json()["results"][0]
    assert row["kind"] == "other" and row["kind_label"] == "其他" and row["is_read"] is False
    texts = [r["text"] for r in api.get(URL, {"limit": 1000}).json()["results"]]
    assert "theirs" not in texts
    assert api.get(URL, {"kind": "other", "unread": "false"}).json()["count"] == 0
    assert api.get(URL, {"kind": "bogus"}).status_code == 400


def test_others_are_404(api_as, grid_worker, grid_worker2):
    theirs, = actions.notify([grid_worker2], kind=Kind.OTHER, text="x")
    api = api_as(grid_worker)
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.post(f"{URL}{theirs.pk}/read/").status_code == 404


def test_mark_read_and_read_all(api_as, grid_worker):
    one, = actions.notify([grid_worker], kind=Kind.OTHER, text="x")
    actions.notify([grid_worker], kind=Kind.OTHER, text="y")
    api = api_as(grid_worker)
    response = api.post(f"{URL}{one.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    unread = grid_worker.notifications.filter(read_at__isnull=True).count()
    assert unread >= 1
    assert api.post(f"{URL}read-all/").json() == {"marked": unread}


def test_anonymous_is_refused(client):
    assert client.get(URL).status_code in (401, 403)


def test_list_query_count_is_constant(api_as, grid_worker, django_assert_max_num_queries):
    for _ in range(25):
        actions.notify([grid_worker], kind=Kind.OTHER, text="z")
    api = api_as(grid_worker)
    with django_assert_max_num_queries(6):
        response = api.get(URL)
    assert response.status_code == 200 and response.json()["count"] >= 25
