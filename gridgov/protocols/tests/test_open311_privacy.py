"""Issue 9, item 11: what Open311 GET requests gives to whom.

Anonymous callers get only what residents reported for publication (the Open311 interface
and the public web form), with phone and ID numbers masked in the text, the address cut down
to street and community and the point rounded to 3 decimals; never a staff channel (leader's
instruction, grid or video patrol, department transfer) or a hotline / mailbox transcript. A
department API key reads in full what its scope covers (events dispatched to it), and the
public view of the rest. JSON and XML answer the same."""

import json
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from gridgov.accounts.actions import issue_api_key
from gridgov.accounts.models import Department
from gridgov.events.choices import Source, State
from gridgov.events.tests.helpers_command import make_event
from gridgov.protocols.open311.views import PUBLIC_SOURCES, screen_numbers

pytestmark = pytest.mark.django_db
BASE = "/open311/v2/"
PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"
DOOR = "中山西路 88 号 3 幢 502 室"
TEXT = f"楼道堆满杂物,联系人电话{PHONE},身份证{ID_NUMBER}"
STAFF_SOURCES = (Source.GRID_PATROL, Source.LEADER_INSTRUCTION, Source.VIDEO_PATROL,
                 Source.DEPT_TRANSFER, Source.HOTLINE_12345, Source.HOTLINE_81890,
                 Source.MAILBOX)


@pytest.fixture
def http():
    return Client()


@pytest.fixture
def zhifa_key():
    """A key of 区综合行政执法局 (D034), the default department of the test class."""
    _key, raw = issue_api_key(Department.objects.get(code="D034"), name="Open311 reader",
                              actor=None)
    return raw


@pytest.fixture
def by_source(gulou_grid):
    """One dispatched event (to D034) of every source, each with a phone, an ID number and a
    door in it."""
    return {source: make_event(gulou_grid, state=State.DISPATCHED, source=source,
                               description=f"{TEXT}({source})", address=DOOR)
            for source in Source.values}


def rows(response, status=200):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return {row["service_request_id"]: row for row in json.loads(response.content)}


def xml_rows(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    return {r.findtext("service_request_id"): r for r in root.findall("request")}


def numbers(events, sources):
    return {events[s].number for s in sources}


def test_public_sources_are_the_resident_channels():
    assert PUBLIC_SOURCES == {Source.OPEN311, Source.CITIZEN}


def test_anonymous_list_has_no_staff_channel(http, by_source):
    listed = set(rows(http.get(BASE + "requests.json")))
    assert numbers(by_source, PUBLIC_SOURCES) <= listed
    assert not numbers(by_source, STAFF_SOURCES) & listed
    ids = ",".join(e.number for e in by_source.values())
    asked = set(rows(http.get(BASE + "requests.json", {"service_request_id": ids})))
    assert asked == numbers(by_source, PUBLIC_SOURCES)
    assert set(xml_rows(http.get(BASE + "requests.xml", {"service_request_id": ids}))) == (
        numbers(by_source, PUBLIC_SOURCES))


@pytest.mark.parametrize("source", STAFF_SOURCES)
def test_anonymous_single_staff_request_is_404(http, by_source, source):
    number = by_source[source].number
    for fmt in ("json", "xml"):
        response = http.get(f"{BASE}requests/{number}.{fmt}")
        assert response.status_code == 404
        assert TEXT.encode() not in response.content


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_anonymous_view_is_screened(http, by_source, gulou_grid, fmt):
    event = by_source[Source.CITIZEN]
    response = http.get(f"{BASE}requests/{event.number}.{fmt}")
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    for secret in (PHONE, ID_NUMBER, "88 号", "502", f"{event.lat:.6f}", f"{event.lng:.6f}"):
        assert secret not in body, secret
    if fmt == "json":
        [row] = rows(response).values()
        lat, lng, text, address = row["lat"], row["long"], row["description"], row["address"]
    else:
        [row] = xml_rows(response).values()
        lat, lng = float(row.findtext("lat")), float(row.findtext("long"))
        text, address = row.findtext("description"), row.findtext("address")
    assert "139****5678" in text and "110105********002X" in text
    assert "楼道堆满杂物" in text
    community, street = gulou_grid.parent, gulou_grid.parent.parent
    assert address == f"{street.name} {community.name}"
    assert (lat, lng) == (round(event.lat, 3), round(event.lng, 3))
    assert abs(lat - event.lat) <= 0.0005 and abs(lng - event.lng) <= 0.0005


def test_department_key_reads_its_scope_in_full(http, by_source, zhifa_key, gulou_grid2):
    # Another department's public request: the key gets the public view only.
    elsewhere = make_event(gulou_grid2, state=State.REPORTED, source=Source.CITIZEN,
                           description=TEXT, address=DOOR)
    ids = ",".join([elsewhere.number] + [e.number for e in by_source.values()])
    got = rows(http.get(BASE + "requests.json", {"service_request_id": ids,
                                                   "api_key": zhifa_key}))
    # Every event of the fixture was dispatched to D034: all in full, staff channels too.
    assert set(got) == {e.number for e in by_source.values()} | {elsewhere.number}
    leader = by_source[Source.LEADER_INSTRUCTION]
    row = got[leader.number]
    assert row["description"] == leader.description and row["address"] == DOOR
    assert row["lat"] == pytest.approx(leader.lat, abs=1e-9)
    public = got[elsewhere.number]
    assert PHONE not in public["description"] and public["address"] != DOOR
    # The header works too, for the single request; XML the same.
    header = {"HTTP_AUTHORIZATION": f"Api-Key {zhifa_key}"}
    single = xml_rows(http.get(f"{BASE}requests/{leader.number}.xml", **header))
    assert single[leader.number].findtext("address") == DOOR
    assert PHONE in single[leader.number].findtext("description")


def test_department_key_does_not_read_staff_events_outside_its_scope(http, gulou_grid,
                                                                     zhifa_key):
    undispatched = make_event(gulou_grid, state=State.REPORTED, source=Source.GRID_PATROL,
                              description=TEXT)
    response = http.get(f"{BASE}requests/{undispatched.number}.json", {"api_key": zhifa_key})
    assert response.status_code == 404


def test_bad_key_on_a_read_is_403_not_anonymous(http, by_source):
    response = http.get(BASE + "requests.json", {"api_key": "gg_wrong"})
    assert response.status_code == 403
    assert TEXT.encode() not in response.content


@pytest.mark.parametrize("text, expected", [
    ("电话13912345678", "电话139****5678"),
    ("电话 139-1234-5678 谢谢", "电话 139****5678 谢谢"),
    ("+86 139 1234 5678", "139****5678"),
    ("身份证11010519491231002X", "身份证110105********002X"),
    ("座机0574-87654321", "座机057*****4321"),
    ("本地87654321", "本地8******1"),
    ("3号楼502室,2026-01-15 起", "3号楼502室,2026-01-15 起"),
    ("拨打12345热线", "拨打12345热线"),
])
def test_screen_numbers(text, expected):
    assert screen_numbers(text) == expected
