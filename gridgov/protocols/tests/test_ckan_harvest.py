"""A CKAN harvester's runs against the catalog (issue 10): ``package_search`` with the
``metadata_modified`` ranges ckanext-harvest sends, sorted and paged as it pages, ``rows``
cut to 1,000 like CKAN. Driven through ``ckanapi`` (library and CLI)."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import ckanapi
import pytest
from django.utils import timezone

from gridgov.sharing import actions
from gridgov.sharing.models import Resource

from .conftest import make_resource

pytestmark = pytest.mark.django_db

CLI = str(Path(sys.executable).parent / "ckanapi")
SINCE_2000 = "metadata_modified:[2000-01-01T00:00:00.000Z TO *]"


@pytest.fixture
def catalog(resource, minzheng, zhifa, data_officer, dept_admin):
    open_one = make_resource(minzheng, data_officer, sharing_type="unconditional",
                             name="养老机构名录", catalog="003", open_attribute="open")
    theirs = make_resource(zhifa, dept_admin, sharing_type="unconditional",
                           name="违法建筑台账", category="2", catalog="001")
    return {"conditional": resource, "open": open_one, "zhifa": theirs}


def harvest(ckan, fq, rows=2):
    """Page through package_search as ckanext-harvest does (sorted by id, ``start`` moving
    by ``rows``) and return the datasets by name."""
    found, start = {}, 0
    while True:
        page = ckan.action.package_search(fq=fq, rows=rows, start=start, sort="id asc",
                                          include_private=True)
        for package in page["results"]:
            found[package["name"]] = package
        start += rows
        if start >= page["count"]:
            return found


def utc(stamp: dt.datetime) -> str:
    """A time as a harvester writes it into the range: naive UTC with a "Z"."""
    return stamp.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"


def test_incremental_harvest(server_url, catalog, zhifa_key, data_officer):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    # First run: everything.
    first = harvest(ckan, SINCE_2000)
    every = set(Resource.objects.filter(is_published=True).values_list("code", flat=True))
    assert set(first) == every
    last_run = timezone.now()
    newest = max(p["metadata_modified"] for p in first.values())
    # Nothing changed: the next run finds nothing.
    assert harvest(ckan, f"metadata_modified:[{utc(last_run)} TO *]") == {}
    # One dataset changes.
    actions.update_resource(catalog["open"], actor=data_officer, abstract="新增了十家机构。")
    changed = harvest(ckan, f"metadata_modified:[{utc(last_run)} TO *]")
    assert list(changed) == [catalog["open"].code]
    assert changed[catalog["open"].code]["notes"] == "新增了十家机构。"
    # The same from the newest time seen, the bound excluded ("{"), as a harvester without a
    # clock of its own would ask.
    changed = harvest(ckan, f"metadata_modified:{{{newest}Z TO *]")
    assert list(changed) == [catalog["open"].code]
    # And through the CLI.
    done = subprocess.run(
        [CLI, "action", "package_search", f"fq=metadata_modified:[{utc(last_run)} TO *]",
         "include_private:true", "-r", server_url, "-a", zhifa_key],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [p["name"] for p in json.loads(done.stdout)["results"]] == [catalog["open"].code]


def test_ranges_and_date_sort(server_url, catalog, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    stamps = {k: r.updated_at for k, r in catalog.items()}
    ordered = sorted(stamps, key=stamps.get)
    earliest, middle, latest = (stamps[k] for k in ordered)

    def names(fq, sort="metadata_modified asc"):
        return [p["name"] for p in ckan.action.package_search(
            fq=fq, sort=sort, rows=1000, include_private=True)["results"]]

    mine = {r.code for r in catalog.values()}
    window = [n for n in names(f"metadata_modified:[{utc(earliest)} TO {utc(middle)}]")
              if n in mine]
    assert window == [catalog[ordered[0]].code, catalog[ordered[1]].code]
    upto = [n for n in names(f"metadata_modified:[* TO {utc(middle)}}}") if n in mine]
    assert upto == [catalog[ordered[0]].code]
    assert names(f"metadata_modified:[{utc(latest)} TO NOW]")[-1] == catalog[ordered[2]].code
    recent = names("metadata_created:[NOW-1DAY TO *] organization:d034")
    assert catalog["zhifa"].code in recent
    assert not set(names("metadata_created:[* TO NOW-1DAY] organization:d034")) & mine
    assert catalog["zhifa"].code not in names(
        f"metadata_modified:[{utc(earliest)} TO *] -organization:d034")
    # Sorted on metadata_modified, newest first.
    newest_first = [p["metadata_modified"] for p in ckan.action.package_search(
        fq=SINCE_2000, sort="metadata_modified desc", rows=1000)["results"]]
    assert newest_first == sorted(newest_first, reverse=True) and newest_first
    for bad in ("metadata_modified:[yesterday TO *]", "name:[a TO b]",
                "metadata_modified:[2026-02-30T00:00:00Z TO *]"):
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.package_search(fq=bad)


def test_rows_are_cut_to_1000(server_url, minzheng, zhifa_key):
    Resource.objects.bulk_create(
        Resource(code=f"BULK-{i:04d}", name=f"批量资源{i}", category="9", item="99",
                 catalog="999", provider=minzheng, abstract="-", format="table",
                 update_cycle="yearly", sharing_type="unconditional", sharing_method="api")
        for i in range(1001))
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    result = ckan.action.package_search(rows=5000, fq="organization:d016", q="批量资源")
    assert result["count"] == 1001
    assert len(result["results"]) == 1000
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(rows=-1)


def test_harvest_filters_by_organization_and_group(server_url, catalog, zhifa_key):
    """ckanext-harvest's ``organizations_filter_include`` joins its terms with OR
    (``organization:d016 OR organization:d034``) before the range; the exclude filter sends
    ``-organization:…`` terms; Solr groups (``organization:(d016 OR d034)``) mean the same."""
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    mine = {r.code for r in catalog.values()}
    minzheng = {catalog["conditional"].code, catalog["open"].code}

    def names(fq):
        return set(harvest(ckan, fq)) & mine

    assert names(f"organization:d016 OR organization:d034 {SINCE_2000}") == mine
    assert names(f"organization:(d016 OR d034) {SINCE_2000}") == mine
    assert names(f"organization:d016 {SINCE_2000}") == minzheng
    assert names(f"{SINCE_2000} organization:d999 OR organization:d016") == minzheng
    assert names(f"-organization:d016 {SINCE_2000}") == {catalog["zhifa"].code}
    assert names(f"-organization:(d016 OR d034) {SINCE_2000}") == set()
    assert names("organization:d016 AND metadata_modified:[* TO 2000-01-01T00:00:00Z]") == set()
    group = catalog["open"].groups[0]
    assert catalog["open"].code in names(f"groups:({group}) {SINCE_2000}")
    assert catalog["open"].code in names(f"groups:nothing OR groups:{group}")
    assert catalog["open"].code not in names(f"-groups:{group}")
    for bad in ("organization:(d016 d034)", "organization:(d016 OR)", "organization:d016 )",
                "OR organization:d016 OR"):
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.package_search(fq=bad)
