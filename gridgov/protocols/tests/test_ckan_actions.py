"""CKAN actions and shapes a real client relies on (issue 10): ``tag_list``, ``group_show``,
``help_show``, ``/api/3``, ``"private"`` with ``include_private``, list sorts, licence and
author fields, naive UTC timestamps. Driven through ``ckanapi`` (library and CLI) against a
live server."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import ckanapi
import pytest
from django.test import Client

from .conftest import make_resource

pytestmark = pytest.mark.django_db

CLI = str(Path(sys.executable).parent / "ckanapi")
NAIVE_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?")


@pytest.fixture
def catalog(resource, minzheng, zhifa, data_officer, dept_admin):
    """Conditional (``resource``), open unconditional, not shared, and 综合执法's unconditional
    resource that is not open to the public."""
    open_one = make_resource(minzheng, data_officer, sharing_type="unconditional",
                             name="养老机构名录", catalog="003", rows=3, open_attribute="open",
                             tags=["养老"], groups=["legal_person"])
    hidden = make_resource(minzheng, data_officer, sharing_type="not_shared",
                           name="特殊人群名单", catalog="004", tags=["特殊人群"])
    theirs = make_resource(zhifa, dept_admin, sharing_type="unconditional",
                           name="违法建筑台账", category="2", catalog="001", tags=["违建"],
                           groups=["spatial"])
    return {"conditional": resource, "open": open_one, "not_shared": hidden, "zhifa": theirs}


def cli(server_url, *args, key=None):
    command = [CLI, "action", *args, "-r", server_url] + (["-a", key] if key else [])
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# --- missing actions ---------------------------------------------------------------------------


def test_tag_list(server_url, catalog, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    tags = ckan.action.tag_list()
    assert {"养老", "违建", "特殊人群", "老年人", "独居"} <= set(tags)
    assert tags == sorted(tags) and len(tags) == len(set(tags))
    assert ckan.action.tag_list(query="违") == ["违建"]
    assert ckan.action.tag_list(query="违", all_fields=True) == [
        {"id": "违建", "name": "违建", "display_name": "违建", "vocabulary_id": None}]
    with pytest.raises(ckanapi.NotFound):
        ckan.action.tag_list(vocabulary_id="countries")
    # Anonymous callers see the tags of open datasets only.
    anonymous = ckanapi.RemoteCKAN(server_url).action.tag_list()
    assert "养老" in anonymous and "特殊人群" not in anonymous and "违建" not in anonymous


def test_group_show(server_url, catalog, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    group = ckan.action.group_show(id="spatial", include_datasets=True)
    assert group["name"] == "spatial" and group["title"] == "自然资源和空间地理"
    assert group["is_organization"] is False
    assert catalog["zhifa"].code in [p["name"] for p in group["packages"]]
    assert group["package_count"] == len(group["packages"])
    assert "packages" not in ckan.action.group_show(id="spatial")
    assert "package_count" not in ckan.action.group_show(id="spatial",
                                                         include_dataset_count=False)
    with pytest.raises(ckanapi.NotFound):
        ckan.action.group_show(id="d034")  # an organization, not a group
    anonymous = ckanapi.RemoteCKAN(server_url).action.group_show(id="spatial",
                                                                 include_datasets=True)
    assert catalog["zhifa"].code not in [p["name"] for p in anonymous["packages"]]


def test_help_show_answers_every_help_link(server_url, catalog):
    ckan = ckanapi.RemoteCKAN(server_url)
    doc = ckan.action.help_show(name="package_search")
    assert isinstance(doc, str) and "metadata_modified:[" in doc and ":param rows:" in doc
    with pytest.raises(ckanapi.NotFound):
        ckan.action.help_show(name="package_create")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.help_show()
    client = Client()
    for name in ("package_list", "tag_list", "group_show", "datastore_search", "help_show"):
        body = client.get(f"/api/3/action/{name}").json()
        link = body["help"]
        assert link.endswith(f"/api/3/action/help_show?name={name}")
        answer = client.get(link.split("testserver", 1)[1]).json()
        assert answer["success"] is True and answer["result"].strip()


def test_api_root_answers_the_version():
    for path in ("/api/3", "/api/3/"):
        response = Client().get(path)
        assert response.status_code == 200
        assert response.json() == {"version": 3}


# --- private datasets -------------------------------------------------------------------------


def test_private_flag_and_include_private(server_url, catalog, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    flags = {k: ckan.action.package_show(id=r.code)["private"] for k, r in catalog.items()}
    assert flags == {"conditional": True, "not_shared": True, "open": False, "zhifa": False}
    private = {catalog["conditional"].code, catalog["not_shared"].code}
    public = {catalog["open"].code, catalog["zhifa"].code}

    listed = set(ckan.action.package_list())
    assert public <= listed and not private & listed
    assert private | public <= set(ckan.action.package_list(include_private=True))

    found = {p["name"] for p in ckan.action.package_search(rows=1000)["results"]}
    assert public <= found and not private & found
    found = ckan.action.package_search(rows=1000, include_private=True)["results"]
    assert private | public <= {p["name"] for p in found}
    assert all(p["private"] is (p["name"] in private) for p in found
               if p["name"] in private | public)
    only_private = ckan.action.package_search(rows=1000, include_private=True,
                                              fq="capacity:private")["results"]
    assert private <= {p["name"] for p in only_private}
    assert all(p["private"] for p in only_private)

    # Anonymous callers never see private datasets, asked or not.
    anonymous = ckanapi.RemoteCKAN(server_url).action
    assert not private & set(anonymous.package_list(include_private=True))


def test_ckanapi_dump_include_private(server_url, catalog, zhifa_key, tmp_path):
    out = tmp_path / "all.jsonl"
    for extra, expected in (([], False), (["--include-private"], True)):
        done = subprocess.run([CLI, "dump", "datasets", "--all", "-q", "-O", str(out),
                               "-r", server_url, "-a", zhifa_key, *extra],
                              capture_output=True, text=True, timeout=120,
                              # dump starts its workers as "ckanapi" from the PATH.
                              env={**os.environ, "PATH": f"{Path(CLI).parent}:"
                                                         f"{os.environ.get('PATH', '')}"})
        assert done.returncode == 0, done.stderr
        names = {json.loads(line)["name"] for line in out.read_text().splitlines()}
        assert catalog["open"].code in names and catalog["zhifa"].code in names
        assert (catalog["conditional"].code in names) is expected


# --- lesser ----------------------------------------------------------------------------------


def test_list_sorts(server_url, catalog, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    names = ckan.action.organization_list()
    assert names == sorted(names)
    assert ckan.action.organization_list(sort="name desc") == sorted(names, reverse=True)
    full = ckan.action.organization_list(sort="package_count desc", all_fields=True)
    counts = [o["package_count"] for o in full]
    assert counts == sorted(counts, reverse=True) and len(full) == len(names)
    assert ckan.action.organization_list(sort="name asc", limit=2, offset=1) == names[1:3]
    groups = ckan.action.group_list(sort="name desc")
    assert groups == sorted(groups, reverse=True) and "population" in groups
    by_count = ckan.action.group_list(sort="package_count desc", all_fields=True)
    assert [g["package_count"] for g in by_count] == sorted(
        [g["package_count"] for g in by_count], reverse=True)
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.organization_list(sort="founded desc")
    # The CLI sends the same.
    assert cli(server_url, "organization_list", "sort=name desc",
               key=zhifa_key) == sorted(names, reverse=True)


def test_licence_author_and_naive_utc_times(server_url, catalog, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    package = ckan.action.package_show(id=catalog["open"].code)
    assert (package["license_id"], package["isopen"]) == ("other-open", True)
    assert package["license_title"]
    assert package["author"] == package["maintainer"] == "区民政局"
    closed = ckan.action.package_show(id=catalog["zhifa"].code)
    assert (closed["license_id"], closed["isopen"]) == ("other-closed", False)
    assert closed["author"] == "区综合行政执法局"
    for stamp in (package["metadata_created"], package["metadata_modified"],
                  package["organization"]["created"], package["resources"][0]["created"],
                  package["resources"][0]["last_modified"]):
        assert NAIVE_UTC.fullmatch(stamp), stamp
    org = ckan.action.organization_show(id="d016")
    assert NAIVE_UTC.fullmatch(org["created"])
    assert org["created"] <= package["metadata_created"]
    for org in ckan.action.organization_list(all_fields=True):
        assert org["created"] and NAIVE_UTC.fullmatch(org["created"])
    # The stored time, in UTC without an offset.
    expected = catalog["open"].updated_at.astimezone(dt.UTC)
    assert package["metadata_modified"] == expected.replace(tzinfo=None).isoformat()
