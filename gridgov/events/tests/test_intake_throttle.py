"""Public intake and hotline import limits shared by every worker (issue 9, item 8).

The probe sent 14 reports from one address to several gunicorn workers and 9 were accepted:
each worker counted in its own ``LocMemCache``. Here the per-process cache is emptied before
every request (a request landing on another worker) and the requests alternate between two
clients: the count still stops the address at the limit.
"""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gridgov.events.models import Event

from .intake_support import point_in
from .test_public_track import report, track
from .test_views_intake import hotline_csv

pytestmark = pytest.mark.django_db


def _form(grid, token):
    lng, lat = point_in(grid)
    return {"description": "小区门口垃圾堆了三天", "lng": str(lng), "lat": str(lat),
            "crs": "wgs84", "address": "鼓楼某小区", "nature": "request", "form_token": token}


def test_14_reports_from_one_address_across_workers_accept_the_limit(gulou_grid, settings):
    settings.GRIDGOV_PUBLIC_REPORT_LIMIT = 5
    settings.GRIDGOV_PUBLIC_REPORT_WINDOW = 600
    workers = [Client(REMOTE_ADDR="198.51.100.77"), Client(REMOTE_ADDR="198.51.100.77")]
    statuses = []
    for i in range(14):
        cache.clear()
        response = workers[i % 2].post("/events/public/report/", _form(gulou_grid, f"w{i}"))
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429] * 9
    assert 0 < int(response["Retry-After"]) <= 600
    assert "提交过于频繁" in response.content.decode()
    assert Event.objects.filter(idempotency_key__startswith="public:w").count() == 5


def test_evaluations_are_counted_across_workers_apart_from_reports(gulou_grid, settings):
    settings.GRIDGOV_PUBLIC_REPORT_LIMIT = 2
    client = Client(REMOTE_ADDR="198.51.100.78")
    _response, _event, token = report(gulou_grid, client)  # not counted against evaluations
    statuses = []
    for _ in range(3):
        cache.clear()
        statuses.append(client.post(track(token), {"score": "x"}).status_code)
    assert statuses == [400, 400, 429]


def test_hotline_uploads_are_limited_per_person_page_and_api_together(
        client_as, api_as, intake_clerk, gulou_grid, settings):
    settings.GRIDGOV_RATE_IMPORT = "2/hour"
    client = client_as(intake_clerk)
    upload = SimpleUploadedFile("h.csv", hotline_csv(gulou_grid), "text/csv")
    assert client.post("/events/hotline/upload/", {"file": upload}).status_code == 200
    api = api_as(intake_clerk)
    assert api.post("/api/events/hotline/", {"records": []}, format="json").status_code == 400
    cache.clear()
    upload = SimpleUploadedFile("h.csv", hotline_csv(gulou_grid), "text/csv")
    response = client.post("/events/hotline/upload/", {"file": upload})
    assert response.status_code == 429
    assert "导入过于频繁" in response.content.decode()
    # An hour window fixed to the clock: what is left of it, however little.
    assert 0 < int(response["Retry-After"]) <= 3600
