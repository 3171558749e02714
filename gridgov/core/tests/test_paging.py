"""``core.paging.CappedPaginator``: the count stops at the cap, next/previous and page
numbers go as far as the count reached, and the count is one LIMITed query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from gridgov.areas.models import Area
from gridgov.core.paging import CappedPaginator, page_count_cap


def test_below_the_cap_it_is_django_s_paginator():
    pages = CappedPaginator(list(range(7)), 2, cap=10)
    assert (pages.count, pages.num_pages, pages.more) == (7, 4, False)
    assert pages.count_label == "7"
    assert not pages.page(4).has_next()


def test_past_the_cap_the_count_is_a_lower_bound():
    pages = CappedPaginator(list(range(100)), 2, cap=5)
    assert (pages.count, pages.more, pages.count_label) == (6, True, "5+")
    first = pages.page(1)
    assert first.has_next() and list(first.object_list) == [0, 1]


def test_a_deep_page_counts_one_row_past_itself():
    pages = CappedPaginator(list(range(100)), 2, cap=5)
    page = pages.page(10)  # rows 18, 19: counts to 21
    assert list(page.object_list) == [18, 19]
    assert page.has_next() and page.has_previous()
    assert (pages.count, pages.more) == (21, True)


def test_the_last_page_past_the_cap_has_no_next():
    pages = CappedPaginator(list(range(9)), 2, cap=3)
    page = pages.get_page(5)
    assert list(page.object_list) == [8]
    assert not page.has_next() and not pages.more and pages.num_pages == 5


def test_bad_page_numbers_behave_as_django_s():
    pages = CappedPaginator(list(range(9)), 2, cap=3)
    assert pages.get_page("x").number == 1


@override_settings(GRIDGOV_PAGE_COUNT_CAP=7)
def test_the_cap_comes_from_the_settings():
    assert page_count_cap() == 7
    assert CappedPaginator([], 5).cap == 7


@pytest.mark.django_db
def test_a_queryset_is_counted_by_one_limited_query(district):
    areas = Area.objects.filter(code__startswith=district.code).order_by("code")
    total = areas.count()
    assert total > 30
    pages = CappedPaginator(areas, 10, cap=20)
    with CaptureQueriesContext(connection) as queries:
        page = pages.page(1)
        assert len(page.object_list) == 10
    assert (pages.count, pages.more) == (21, True)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 21" in counts[0]
    assert len(queries.captured_queries) == 2
