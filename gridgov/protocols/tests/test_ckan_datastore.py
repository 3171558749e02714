"""CKAN's ``datastore_search`` as clients use it (issue 10): ``fields``, ``sort``, ``filters``
with a list (any of), ``q`` as an object, the provider reading its own resource and open data
read anonymously. Driven through ``ckanapi`` (library and CLI); the masking rules of
test_ckan_masking.py still hold for each new way in."""

import json
import subprocess
import sys
from pathlib import Path

import ckanapi
import pytest

from gridgov.accounts import actions as account_actions
from gridgov.sharing.models import ExchangeLog

from .conftest import make_resource

pytestmark = pytest.mark.django_db

CLI = str(Path(sys.executable).parent / "ckanapi")


@pytest.fixture
def minzheng_key(minzheng):
    _key, raw = account_actions.issue_api_key(minzheng, name="民政系统", actor=None)
    return raw


@pytest.fixture
def open_data(minzheng, data_officer):
    """Open to the public and shared unconditionally: 6 rows, two sensitive fields."""
    return make_resource(minzheng, data_officer, sharing_type="unconditional",
                         name="养老机构名录", catalog="003", rows=6, open_attribute="open")


def table(resource) -> str:
    return str(resource.table_uid)


def test_fields_choose_among_the_granted(server_url, resource, granted, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    # Streamed (no filter) and computed (sorted) answers alike.
    for extra in ({}, {"sort": "age desc"}):
        result = ckan.action.datastore_search(resource_id=table(resource),
                                              fields=["age", "name"], limit=3, **extra)
        assert [f["id"] for f in result["fields"]] == ["name", "age"]
        assert all(set(r) == {"name", "age"} for r in result["records"])
    result = ckan.action.datastore_search(resource_id=table(resource), fields="_id,id_number",
                                          limit=2)
    assert [f["id"] for f in result["fields"]] == ["_id", "id_number"]
    assert set(result["records"][0]) == {"_id", "id_number"}
    assert result["records"][0]["id_number"].count("*") == 8  # still masked
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=table(resource), fields=["name", "phone"])
    log = ExchangeLog.objects.order_by("-id").first()
    assert log.params["fields"] == ["_id", "id_number"]


def test_sort_filters_any_of_and_field_search(server_url, resource, granted, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    result = ckan.action.datastore_search(resource_id=table(resource),
                                          filters={"age": [81, 85]}, sort="name desc")
    assert [r["name"] for r in result["records"]] == ["老人021", "老人005", "老人001"]
    assert result["total"] == 3
    result = ckan.action.datastore_search(resource_id=table(resource),
                                          filters={"age": [80], "name": ["老人000", "x"]})
    assert [r["name"] for r in result["records"]] == ["老人000"]
    result = ckan.action.datastore_search(resource_id=table(resource), q={"name": "老人01"},
                                          sort="_id desc", limit=2)
    assert result["total"] == 10
    assert [r["name"] for r in result["records"]] == ["老人019", "老人018"]
    # A list on a masked or ungranted field is refused like a single value.
    for filters in ({"id_number": ["33020319400101123X", "330203194501012345"]},
                    {"phone": ["13800000001"]}):
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.datastore_search(resource_id=table(resource), filters=filters)
    # The CLI sends the same.
    done = subprocess.run(
        [CLI, "action", "datastore_search", f"resource_id={table(resource)}",
         'filters:{"age": [81, 85]}', "fields:[\"name\"]", "sort=name asc",
         "-r", server_url, "-a", zhifa_key], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["records"] == [
        {"name": "老人001"}, {"name": "老人005"}, {"name": "老人021"}]


def test_provider_reads_its_own_resource(server_url, resource, minzheng, minzheng_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=minzheng_key)
    result = ckan.action.datastore_search(resource_id=table(resource), limit=2)
    assert result["total"] == 25
    assert [f["id"] for f in result["fields"]] == [
        "_id", "name", "id_number", "phone", "age", "living_alone"]
    record = result["records"][0]
    # Sensitive fields come masked, as every API answer shows them.
    assert record["id_number"].count("*") == 8 and "*" in record["phone"]
    log = ExchangeLog.objects.get()
    assert log.consumer == minzheng and log.provider == minzheng and log.grant is None
    assert log.row_count == 2 and log.channel == "ckan"
    # Masked fields are not searched, filtered or sorted on, for the provider either.
    assert ckan.action.datastore_search(resource_id=table(resource),
                                        q="3302031940")["total"] == 0
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=table(resource),
                                     filters={"phone": "13800000003"})
    assert ckan.action.datastore_search(resource_id=table(resource),
                                        filters={"age": 85})["total"] == 1


def test_another_department_still_needs_a_grant(server_url, resource, zhifa_key):
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(server_url, apikey=zhifa_key).action.datastore_search(
            resource_id=table(resource))


def test_open_data_is_read_anonymously(server_url, open_data, resource):
    ckan = ckanapi.RemoteCKAN(server_url)
    result = ckan.action.datastore_search(resource_id=table(open_data), sort="age desc",
                                          limit=2)
    assert result["total"] == 6
    # Only the fields that are not sensitive, plain.
    assert [f["id"] for f in result["fields"]] == ["_id", "name", "age", "living_alone"]
    assert [r["age"] for r in result["records"]] == [85, 84]
    streamed = ckan.action.datastore_search(resource_id=table(open_data))
    assert len(streamed["records"]) == 6 and "id_number" not in streamed["records"][0]
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=table(open_data), filters={"phone": "1"})
    # Public: no exchange evidence.
    assert not ExchangeLog.objects.exists()
    # Not open: refused, whether it exists or not.
    for ident in (table(resource), "no-such-table"):
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.datastore_search(resource_id=ident)
    done = subprocess.run([CLI, "action", "datastore_search",
                           f"resource_id={table(open_data)}", "-r", server_url],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == 6


@pytest.mark.parametrize("sharing_type, open_attribute", [
    ("unconditional", "conditional"),  # 有条件开放: an agreement first
    ("conditional", "open"),           # not shared unconditionally even between departments
])
def test_only_plain_open_data_is_anonymous(server_url, minzheng, data_officer, sharing_type,
                                           open_attribute):
    resource = make_resource(minzheng, data_officer, sharing_type=sharing_type,
                             open_attribute=open_attribute, catalog="005", rows=2)
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(server_url).action.datastore_search(resource_id=table(resource))


def test_a_department_without_a_grant_reads_open_data_as_the_public(server_url, open_data,
                                                                    zhifa_key):
    result = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key).action.datastore_search(
        resource_id=table(open_data), limit=1)
    assert [f["id"] for f in result["fields"]] == ["_id", "name", "age", "living_alone"]
    assert not ExchangeLog.objects.exists()


def test_records_format_distinct_include_total_and_the_row_cap(server_url, open_data):
    """CKAN's ``records_format`` (lists, csv, tsv), ``distinct``, ``include_total`` and its
    32,000-row cap, rather than objects regardless, duplicates, a total and a 409."""
    ckan = ckanapi.RemoteCKAN(server_url)
    ident = table(open_data)
    lists = ckan.action.datastore_search(resource_id=ident, records_format="lists",
                                         fields=["name", "age"], limit=2)
    assert [f["id"] for f in lists["fields"]] == ["name", "age"]
    assert lists["records"] == [["老人000", 80], ["老人001", 81]]
    assert lists["records_format"] == "lists"
    as_csv = ckan.action.datastore_search(resource_id=ident, records_format="csv",
                                          fields="age,living_alone", sort="age desc", limit=2)
    assert as_csv["records"] == "85,false\n84,false\n"
    as_tsv = ckan.action.datastore_search(resource_id=ident, records_format="tsv",
                                          fields=["_id", "age"], limit=1)
    assert as_tsv["records"] == f"{as_tsv_id(ckan, ident)}\t80\n"
    # Six rows, living_alone true for rows 0 and 3: two distinct values.
    distinct = ckan.action.datastore_search(resource_id=ident, fields=["living_alone"],
                                            distinct=True, sort="living_alone asc")
    assert distinct["records"] == [{"living_alone": False}, {"living_alone": True}]
    assert distinct["total"] == 2
    quiet = ckan.action.datastore_search(resource_id=ident, include_total=False, limit=1)
    assert "total" not in quiet and len(quiet["records"]) == 1
    assert ckan.action.datastore_search(resource_id=ident, limit=40000)["limit"] == 32000
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=ident, records_format="xml")


def as_tsv_id(ckan, ident) -> int:
    return ckan.action.datastore_search(resource_id=ident, limit=1)["records"][0]["_id"]


def test_links_keep_the_query(server_url, open_data):
    """``_links.next`` of a filtered, sorted GET pages through the same query, as CKAN's
    does (it rewrites only ``offset``), not through the whole table."""
    import requests

    url = f"{server_url}/api/3/action/datastore_search"
    query = {"resource_id": table(open_data), "filters": json.dumps({"living_alone": False}),
             "sort": "age desc", "fields": "name,age", "limit": 2}
    first = requests.get(url, params=query, timeout=30).json()["result"]
    assert [r["age"] for r in first["records"]] == [85, 84]
    assert first["total"] == 4
    second = requests.get(server_url + first["_links"]["next"], timeout=30).json()["result"]
    assert [r["age"] for r in second["records"]] == [82, 81]
    assert set(second["records"][0]) == {"name", "age"}
    start = requests.get(server_url + second["_links"]["start"], timeout=30).json()["result"]
    assert start["records"] == first["records"]
