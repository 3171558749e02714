"""``Cache-Control: no-store`` on personal pages, the person API and every download (issue 9,
item 12), by ``gridgov.core.cache_control.NoStoreMiddleware``."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from gridgov.core.cache_control import needs_no_store

pytestmark = pytest.mark.django_db


def _no_store(response):
    assert response.status_code == 200, response.status_code
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


@pytest.mark.parametrize("user_fixture, url", [
    ("grid_worker", "/basedata/people/"),
    ("grid_worker", "/basedata/houses/"),
    ("grid_worker", "/"),
    ("grid_worker", "/events/mine/"),
    ("sys_admin", "/accounts/users/"),
    ("audit_admin", "/audit/"),
])
def test_signed_in_pages_are_not_stored(client_as, request, user_fixture, url):
    client = client_as(request.getfixturevalue(user_fixture))
    response = client.get(url, follow=False)
    if response.status_code == 302:  # a landing page that sends the role on
        response = client.get(response["Location"])
    _no_store(response)


def test_person_page_and_person_api_are_not_stored(client_as, api_as, grid_worker, gulou_grid):
    import datetime as dt

    from gridgov.basedata import actions
    from gridgov.demo.basedata import make_id_number

    person = actions.create_person(actor=None, grid=gulou_grid, name="缓存测试",
                                   id_number=make_id_number(dt.date(1980, 1, 2), 977, False),
                                   phone="13911112222")
    _no_store(client_as(grid_worker).get(f"/basedata/people/{person.pk}/"))
    api = api_as(grid_worker)
    _no_store(api.get("/api/basedata/people/"))
    _no_store(api.get(f"/api/basedata/people/{person.pk}/"))


@pytest.mark.parametrize("url", ["/basedata/export/people.csv", "/basedata/export/people.xlsx",
                                 "/basedata/export/houses.csv"])
def test_exports_are_not_stored(client_as, data_officer, url):
    response = client_as(data_officer).get(url)
    _no_store(response)
    assert "attachment" in response["Content-Disposition"]


def test_api_key_answers_are_not_stored(client, dept_admin):
    from gridgov.accounts.actions import issue_api_key

    _key, raw = issue_api_key(dept_admin.department, name="缓存测试", actor=None)
    _no_store(client.get("/api/areas/", HTTP_AUTHORIZATION=f"Api-Key {raw}"))


def test_a_view_that_chose_caching_keeps_it(client_as, grid_worker):
    """The public area outlines are cacheable on purpose, signed in or not."""
    response = client_as(grid_worker).get("/areas/public/outlines.geojson")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]
    assert not response.has_header("Pragma")


def test_anonymous_pages_are_left_alone_but_downloads_are_not():
    factory = RequestFactory()
    anonymous = factory.get("/events/report/")
    assert not needs_no_store(anonymous, HttpResponse("form"))
    download = HttpResponse("a,b")
    download["Content-Disposition"] = 'attachment; filename="x.csv"'
    assert needs_no_store(anonymous, download)
    for request in (factory.get("/open311/v2/requests.json", {"api_key": "k"}),
                    factory.get("/api/areas/", HTTP_X_API_KEY="k"),
                    factory.get("/api/areas/", HTTP_AUTHORIZATION="Device t")):
        assert needs_no_store(request, HttpResponse("{}"))
