"""``package_search`` counted and paged in SQL (issue 16): the count, the facets and the page
are queries, so the number of queries and the rows loaded do not grow with the catalogue, and
the answers (facets, their order, ``search_facets``) are those of CKAN."""

import pytest
from django.test import Client

from gridgov.protocols.ckan import catalog as ckan_catalog
from gridgov.sharing.models import Resource

from .conftest import make_resource

pytestmark = pytest.mark.django_db


def _bulk_resources(provider, n, *, start=0):
    """``n`` published unconditional resources of ``provider`` with varied tags and groups,
    inserted in bulk (no rows, no fields): enough to make a catalogue deep."""
    groups = ["population", "legal_person", "spatial", "economy", "culture"]
    Resource.objects.bulk_create(Resource(
        code=f"BULK{provider.code}{i:05d}", name=f"批量资源{i}", category="1", item="01",
        catalog="009", provider=provider, abstract="批量生成", format="database",
        update_cycle="monthly", sharing_type="unconditional", sharing_method="api",
        tags=[f"标签{i % 7}", "批量"] + (["重复", "重复"] if i % 11 == 0 else []),
        groups=[groups[i % 5]] + ([groups[(i + 1) % 5]] if i % 3 == 0 else []),
    ) for i in range(start, start + n))


def _search(client, key, **params):
    params.setdefault("facet.field", '["organization", "tags", "groups", "res_format"]')
    response = client.get("/api/3/action/package_search", params,
                          HTTP_AUTHORIZATION=key)
    assert response.status_code == 200, response.content
    return response.json()["result"]


def test_facets_are_counted_in_sql(minzheng, zhifa, zhifa_key):
    _bulk_resources(minzheng, 40)
    _bulk_resources(zhifa, 13, start=40)
    result = _search(Client(), zhifa_key, fq="tags:批量", rows=5, start=3, sort="name asc")
    assert result["count"] == 53
    assert [p["name"] for p in result["results"]] == [f"BULKD016{i:05d}" for i in range(3, 8)]
    assert result["facets"]["organization"] == {"d016": 40, "d034": 13}
    tags = result["facets"]["tags"]
    assert tags["批量"] == 53
    assert tags["重复"] == 2 * len([i for i in range(53) if i % 11 == 0])  # twice in a list
    assert tags["标签0"] == len([i for i in range(53) if i % 7 == 0])
    # facets and search_facets both go by count, most first, then by name.
    items = result["search_facets"]["tags"]["items"]
    assert list(tags) == [item["name"] for item in items]
    assert [(-i["count"], i["name"]) for i in items] == sorted(
        (-i["count"], i["name"]) for i in items)
    groups = {i["name"]: i for i in result["search_facets"]["groups"]["items"]}
    assert groups["population"]["display_name"] == "人口"
    assert result["facets"]["res_format"] == {"JSON": 53}
    assert result["search_facets"]["organization"]["items"][0]["display_name"] == "区民政局"


def test_fq_on_tags_and_groups_in_sql(minzheng, zhifa_key):
    _bulk_resources(minzheng, 30)
    client = Client()
    assert _search(client, zhifa_key, fq='tags:"标签3"')["count"] == len(
        [i for i in range(30) if i % 7 == 3])
    assert _search(client, zhifa_key, fq="groups:economy tags:批量")["count"] == len(
        [i for i in range(30) if i % 5 == 3 or (i % 3 == 0 and (i + 1) % 5 == 3)])
    assert _search(client, zhifa_key, fq="tags:批量 -tags:标签1")["count"] == len(
        [i for i in range(30) if i % 7 != 1])
    # A value is one element of the list, not a piece of it.
    assert _search(client, zhifa_key, fq="tags:批")["count"] == 0


def test_no_match_has_empty_facets(zhifa_key):
    result = _search(Client(), zhifa_key, q="没有这样的资源")
    assert result["count"] == 0 and result["results"] == []
    assert result["facets"] == {"organization": {}, "tags": {}, "groups": {},
                                "res_format": {}}


def test_unknown_facet_field_is_refused_even_without_matches(zhifa_key):
    response = Client().get("/api/3/action/package_search", {
        "q": "没有这样的资源", "facet.field": '["bogus"]'}, HTTP_AUTHORIZATION=zhifa_key)
    assert response.status_code == 409
    assert "facet.field" in response.json()["error"]


def test_query_count_does_not_grow_with_the_catalogue(minzheng, zhifa, zhifa_key, data_officer,
                                                      django_assert_max_num_queries):
    make_resource(minzheng, data_officer, sharing_type="unconditional", catalog="005")
    _bulk_resources(minzheng, 20)
    client = Client()
    _search(client, zhifa_key)  # warm the key and the throttle
    with django_assert_max_num_queries(20) as small:
        _search(client, zhifa_key, rows=10, start=5)
    _bulk_resources(zhifa, 300, start=20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        result = _search(client, zhifa_key, rows=10, start=250)
    assert result["count"] > 300
    assert len(result["results"]) == 10


def test_page_is_sliced_in_sql(minzheng, zhifa_key, django_assert_max_num_queries):
    """Only the page's rows are read: the page query carries LIMIT/OFFSET."""
    _bulk_resources(minzheng, 50)
    with django_assert_max_num_queries(20) as queries:
        _search(Client(), zhifa_key, rows=3, start=40, sort="name asc")
    resource_selects = [q["sql"] for q in queries.captured_queries
                        if '"sharing_resource"."uid"' in q["sql"]]
    assert resource_selects and all("LIMIT" in sql for sql in resource_selects)


def test_same_answer_as_the_python_search(minzheng, zhifa, zhifa_key):
    """The SQL search answers as the former one, which walked every match in Python."""
    _bulk_resources(minzheng, 25)
    _bulk_resources(zhifa, 9, start=25)
    assert ckan_catalog.FACET_FIELDS == ("organization", "tags", "groups", "res_format")
    result = _search(Client(), zhifa_key, rows=1000, include_private="true")
    counts = {}
    for package in result["results"]:
        for tag in package["tags"]:
            counts[tag["name"]] = counts.get(tag["name"], 0) + 1
    assert result["facets"]["tags"] == counts
    assert result["count"] == len(result["results"])
