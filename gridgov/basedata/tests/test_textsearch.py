"""Name/address search on the gram index (``core.textsearch``): the same rows as a plain
``icontains`` for queries of every length, Chinese, Latin and digits mixed; on PostgreSQL the
plan reads the table's GIN gram index; and the lists count only up to the cap."""

import importlib
import random

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.basedata import actions
from gridgov.basedata.filtersets import (
    BuildingFilterSet,
    ComponentFilterSet,
    HouseFilterSet,
    OrganisationFilterSet,
    PersonFilterSet,
)
from gridgov.basedata.models import Building, Component, House, Organisation, Person
from gridgov.core.textsearch import index_name

pytestmark = pytest.mark.django_db

CHINESE = "王芳海曙路"
ALPHABET = CHINESE + "aB1"
QUERY_ALPHABET = ALPHABET + "Ab2"


@pytest.fixture
def small_alphabet_people(gulou_grid):
    """25 people whose names and addresses are drawn from a five-character alphabet (plus
    Latin letters and a digit in the addresses), so queries of 1–4 characters hit often."""
    rng = random.Random(16)
    rows = []
    for _ in range(25):
        name = "".join(rng.choice(CHINESE) for _ in range(rng.randint(2, 3)))
        address = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(3, 8)))
        rows.append(actions.create_person(actor=None, grid=gulou_grid, name=name,
                                          address=address, birth_date="1980-01-01"))
    return rows


def searched(rows, value):
    """The pks of ``rows`` that the people filter finds for ``value``."""
    mine = Person.objects.filter(pk__in=[p.pk for p in rows])
    fs = PersonFilterSet({"q": value, "status": "all"}, queryset=mine)
    assert fs.is_valid(), fs.errors
    return set(fs.qs.values_list("pk", flat=True))


def expected(rows, value):
    """What Python's ``in`` finds, case-insensitively, in the name or the address."""
    v = value.upper()
    return {p.pk for p in rows if v in p.name.upper() or v in p.address.upper()}


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(alphabet=QUERY_ALPHABET, min_size=1, max_size=4))
def test_search_finds_what_icontains_finds(small_alphabet_people, value):
    assert searched(small_alphabet_people, value) == expected(small_alphabet_people, value)


@pytest.mark.parametrize("value", ["王", "芳王", "海曙路", "B", "b1", "1", "路a", "王芳海曙路a"])
def test_search_of_each_length(small_alphabet_people, value):
    found = searched(small_alphabet_people, value)
    assert found == expected(small_alphabet_people, value)


CASES = [
    (BuildingFilterSet, Building, ("name", "address"), None),
    (HouseFilterSet, House, ("address", "owner_name"), None),
    (OrganisationFilterSet, Organisation, ("name", "address"),
     lambda v: Q(uscc=v.strip().upper())),
    (ComponentFilterSet, Component, ("name", "address"), lambda v: Q(code__startswith=v)),
    (PersonFilterSet, Person, ("name", "address"), None),
]


@pytest.mark.parametrize(("filterset", "model", "fields", "extra"), CASES)
@pytest.mark.parametrize("value", ["鼓", "鼓楼", "海曙区", "号", "1", "a"])
def test_every_list_search_equals_icontains_on_the_demo(filterset, model, fields, extra,
                                                          value):
    data = {"q": value, "status": "all"} if model is Person else {"q": value}
    fs = filterset(data, queryset=model.objects.all())
    assert fs.is_valid(), fs.errors
    want = Q(**{f"{fields[0]}__icontains": value}) | Q(**{f"{fields[1]}__icontains": value})
    if extra:
        want |= extra(value)
    assert set(fs.qs.values_list("pk", flat=True)) == set(
        model.objects.filter(want).values_list("pk", flat=True))


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the gram index exists on PostgreSQL only")


@pytest.mark.parametrize("value", ["试甲", "甲"])
def test_postgres_plan_uses_the_gram_index_under_scope(data_officer, person, value):
    _postgres_only()
    with connection.cursor() as cursor:
        # Statistics (the expression index's too) as a live database has them; the demo
        # table is small enough for a scan to win, and the plan shape is what matters.
        cursor.execute("ANALYZE basedata_person")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    base = Person.objects.restrict(data_officer).current()
    fs = PersonFilterSet({"q": value}, queryset=base, special=True)
    plan = fs.qs[:50].explain()
    assert index_name("basedata_person") in plan


def test_postgres_every_table_has_its_gram_index():
    _postgres_only()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s",
                       ["basedata_%_grams"])
        found = dict(cursor.fetchall())
    for table, a, b in (("basedata_person", "name", "address"),
                        ("basedata_building", "name", "address"),
                        ("basedata_house", "address", "owner_name"),
                        ("basedata_organisation", "name", "address"),
                        ("basedata_component", "name", "address")):
        assert f"gridgov_grams(({a})::text, ({b})::text)" in found[index_name(table)]


def test_postgres_query_grams():
    _postgres_only()
    with connection.cursor() as cursor:
        cursor.execute("SELECT gridgov_query_grams('王'), gridgov_query_grams('王芳a王芳'),"
                       " gridgov_grams('ab', '')")
        one, many, row = cursor.fetchone()
    assert one == ["王"]
    assert sorted(many) == sorted({"王芳", "芳A", "A王"})
    assert sorted(row) == ["A", "AB", "B"]


def test_the_migration_goes_back_and_forth():
    _postgres_only()  # elsewhere both directions do nothing
    migration = importlib.import_module("gridgov.basedata.migrations.0004_text_search_grams")
    with connection.schema_editor() as editor:
        migration.backward(None, editor)
        migration.forward(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE %s",
                       ["basedata_%_grams"])
        assert cursor.fetchone()[0] == 5


@override_settings(GRIDGOV_PAGE_COUNT_CAP=60)
def test_people_list_counts_only_to_the_cap(client_as, data_officer,
                                            django_assert_max_num_queries):
    client = client_as(data_officer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("basedata:people"))
    assert response.status_code == 200
    page = response.context["page_obj"]
    # The district's 280 demo people are counted to 61 only (one page and a bit).
    assert page.paginator.more and page.paginator.count == 61 and page.has_next()
    text = response.content.decode()
    assert "共 60+ 条" in text and 'rel="next"' in text and "第 1 页" in text


def test_people_search_page_counts_exactly_below_the_cap(client_as, data_officer, person):
    response = client_as(data_officer).get(reverse("basedata:people"), {"q": "测试甲"})
    assert response.status_code == 200
    assert not response.context["paginator"].more
    assert "共 1 条" in response.content.decode()


def test_the_search_page_reads_through_the_index(client_as, data_officer, person):
    response = client_as(data_officer).get(reverse("basedata:people"), {"q": "测试甲"})
    query = str(response.context["page_obj"].object_list.query)
    assert ("gridgov_grams" in query) == (connection.vendor == "postgresql")


def test_postgres_street_people_page_reads_the_list_order_index(leader):
    _postgres_only()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE basedata_person")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    fs = PersonFilterSet(None, queryset=Person.objects.restrict(leader).current(), special=True)
    plan = fs.qs[:50].explain()
    assert "basedata_person_list_order" in plan
    assert "Sort Key" not in plan  # the index gives the order: no sort of the street


def test_postgres_list_order_migration_goes_back_and_forth():
    _postgres_only()
    migration = importlib.import_module("gridgov.basedata.migrations.0005_person_list_order")
    with connection.schema_editor() as editor:
        migration.backward(None, editor)
        migration.forward(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT collation_name FROM information_schema.columns WHERE "
                       "table_name = 'basedata_person' AND column_name = 'area_code'")
        assert cursor.fetchone()[0] == "C"
