"""Exports are limited per person, one count shared by every export page.

A file of rows (people, cases, the audit log, statistics, rankings) is what a leak looks
like when a script asks for it in a loop: ``GRIDGOV_RATE_EXPORT`` counts every export of a
person together, across workers, and a refusal is a 429 page that says when to try again,
with ``Retry-After``, recorded in the audit log.
"""

import pytest
from django.urls import reverse

from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db

MONTH = {"period": "month", "date": "2019-11-15"}


def _exports(client):
    """One export from each family of export pages a leader reaches."""
    return [
        client.get(reverse("basedata:export", args=["people", "csv"])),
        client.get(reverse("events:search_export", args=["csv"])),
        client.get(reverse("stats:table", args=["platform"]), {**MONTH, "export": "xlsx"}),
    ]


def test_every_export_page_counts_against_one_limit(client_as, leader, district_leader,
                                                    settings):
    settings.GRIDGOV_RATE_EXPORT = "3/hour"
    client = client_as(leader)
    assert [r.status_code for r in _exports(client)] == [200, 200, 200]
    # The fourth, from yet another page (the assessment ranking), is over the limit.
    refused = client.get(reverse("assess:ranking"), {"export": "xlsx"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "导出过于频繁" in refused.content.decode()
    assert client.get(reverse("basedata:export", args=["people", "xlsx"])).status_code == 429
    logged = AuditRecord.objects.filter(action="core.export_throttled", actor=leader)
    assert logged.count() == 2
    # The page itself (not an export) is not counted, and another person has their own count.
    assert client.get(reverse("stats:table", args=["platform"]), MONTH).status_code == 200
    other = client_as(district_leader)
    assert other.get(reverse("events:search_export", args=["csv"])).status_code == 200


def test_the_audit_log_export_is_limited_too(client_as, audit_admin, settings):
    settings.GRIDGOV_RATE_EXPORT = "1/hour"
    settings.GRIDGOV_EXPORT_INLINE_ROWS = 10**9  # the demo log is long: keep it inline
    client = client_as(audit_admin)
    assert client.get(reverse("audit:export")).status_code == 200
    assert client.get(reverse("audit:export")).status_code == 429


def test_off_means_unlimited(client_as, leader, settings):
    settings.GRIDGOV_RATE_EXPORT = "0"
    client = client_as(leader)
    for _ in range(3):
        assert [r.status_code for r in _exports(client)] == [200, 200, 200]
