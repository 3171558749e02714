"""Import uploads are limited per person across workers (issue 9, item 8)."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gridgov.basedata.models import ImportBatch

pytestmark = pytest.mark.django_db


def _upload():
    return SimpleUploadedFile("p.csv", "姓名,身份证号\n".encode(), "text/csv")


def test_import_page_answers_429_over_the_rate(client_as, grid_worker, grid_worker2, settings):
    settings.GRIDGOV_RATE_IMPORT = "2/hour"
    client = client_as(grid_worker)
    url = reverse("basedata:import")
    statuses = []
    for _ in range(3):
        cache.clear()  # another worker's empty cache: the count must not live there
        statuses.append(client.post(url, {"kind": "people", "file": _upload()}).status_code)
    assert statuses[2] == 429 and 429 not in statuses[:2]
    batches = ImportBatch.objects.count()
    response = client.post(url, {"kind": "people", "file": _upload()})
    # An hour window fixed to the clock: what is left of it, however little.
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 3600
    assert "导入过于频繁" in response.content.decode()
    assert ImportBatch.objects.count() == batches  # refused before anything was read
    # Another person has their own count.
    response = client_as(grid_worker2).post(url, {"kind": "people", "file": _upload()})
    assert response.status_code == statuses[0]
