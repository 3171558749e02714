"""The per-process cache of minor classes that intake reads (events.catalog_cache)."""

import pytest
from django.core.exceptions import ValidationError

from gridgov.demo.users import GULOU_GRID
from gridgov.events import actions, catalog_cache
from gridgov.events.models import MinorCategory

from .workflow_support import people, point_in

pytestmark = pytest.mark.django_db


def report(worker, category="0102"):
    lng, lat = point_in(GULOU_GRID)
    return actions.report_event(source="grid_patrol", description="井盖缺失", lng=lng,
                                lat=lat, category=category, actor=worker)


def test_second_lookup_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        first = catalog_cache.minor_by_code("0102")
    with django_assert_num_queries(0):
        assert catalog_cache.minor_by_code("0102") is first
    assert first.code == "0102" and first.major.code == first.code[:2]


def test_unknown_codes_are_not_cached(django_assert_num_queries):
    assert catalog_cache.minor_by_code("9999") is None
    with django_assert_num_queries(1):
        assert catalog_cache.minor_by_code("9999") is None


def test_an_edit_in_this_process_is_seen_at_once(django_capture_on_commit_callbacks):
    p = people()
    assert report(p["worker"]).category.handle_amount == MinorCategory.objects.get(
        code="0102").handle_amount
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_category(MinorCategory.objects.get(code="0102"), actor=p["sys_admin"],
                                is_active=False)
    with pytest.raises(ValidationError) as info:
        report(p["worker"])
    assert "category" in info.value.message_dict


def test_another_process_edit_is_seen_after_the_ttl(settings, django_assert_num_queries):
    """A change that sends no signal here (another process's) shows once the entry expires."""
    cached = catalog_cache.minor_by_code("0102")
    MinorCategory.objects.filter(code="0102").update(dispatch_minutes_normal=45)
    assert catalog_cache.minor_by_code("0102").dispatch_minutes_normal == (
        cached.dispatch_minutes_normal)
    settings.GRIDGOV_CATALOG_CACHE_TTL = 0
    catalog_cache.invalidate()
    assert catalog_cache.minor_by_code("0102").dispatch_minutes_normal == 45
    with django_assert_num_queries(1):  # TTL 0: every lookup asks the database
        catalog_cache.minor_by_code("0102")
