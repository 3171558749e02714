"""POST requests located by address (GeoReport v2: ``lat`` & ``long``, or ``address_string``,
or ``address_id``), against the district's houses and organisations, then its communities and
streets (``gridgov.basedata.geocode``), in JSON and XML over plain HTTP."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gridgov.areas.models import Area
from gridgov.basedata import geocode
from gridgov.basedata.models import House, Organisation
from gridgov.events.choices import Source
from gridgov.events.models import Event

from .test_open311 import BASE, api_key, as_json, as_xml, error_list, http, service, xml_errors

pytestmark = pytest.mark.django_db
__all__ = ["api_key", "http", "service"]  # fixtures used by name


@pytest.fixture
def address_only(api_key, service):
    """A report with no coordinates at all."""
    return {"api_key": api_key, "service_code": service.code,
            "description": "楼道堆放杂物,堵塞消防通道"}


def post(http, data, fmt="json"):
    response = http.post(f"{BASE}requests.{fmt}", data)
    return as_json(response)[0] if fmt == "json" else as_xml(response).find("request")


def event_of(row) -> Event:
    return Event.objects.get(number=row["service_request_id"])


def house_with_unit():
    return (House.objects.exclude(unit="").exclude(room="").exclude(lat=None)
            .order_by("pk").first())


def test_a_house_address_with_unit_and_room_finds_the_house(http, address_only):
    house = house_with_unit()
    text = f"{house.address}{house.unit}{house.room}室门口"
    row = post(http, dict(address_only, address_string=text))
    assert row["location_source"] == "house"
    event = event_of(row)
    assert (event.lng, event.lat) == pytest.approx((house.lng, house.lat))
    assert event.grid_id == house.grid_id
    assert event.address == text  # stored as the client wrote it
    assert "房屋地址" in row["service_notice"]
    assert house.room not in row["location_label"]  # the label names the building only


def test_full_width_digits_spaces_and_no_city_prefix_still_match(http, address_only):
    house = house_with_unit()
    door = house.address.replace("浙江省宁波市海曙区", "")
    wide = " ".join(door).translate(str.maketrans("0123456789", "0123456789"))
    row = post(http, dict(address_only, address_string=wide))
    assert row["location_source"] == "address"
    assert event_of(row).grid_id == house.grid_id


def test_an_organisation_name_finds_the_organisation(http, address_only):
    # The longest name wins: "…便利店22" is not "…便利店2".
    org = Organisation.objects.exclude(lat=None).order_by("-name").first()
    row = post(http, dict(address_only, address_string=f"{org.name}门前占道经营"))
    assert row["location_source"] == "organisation"
    assert row["location_label"] == org.name
    event = event_of(row)
    assert (event.lng, event.lat) == pytest.approx((org.lng, org.lat))


def test_address_id_is_a_house_id_or_an_organisation_code(http, address_only):
    house = house_with_unit()
    row = post(http, dict(address_only, address_id=str(house.pk)))
    assert row["location_source"] == "address_id"
    assert event_of(row).grid_id == house.grid_id
    org = Organisation.objects.exclude(lat=None).order_by("pk").first()
    root = post(http, dict(address_only, address_id=org.uscc, description="另一处"), "xml")
    assert root.findtext("location_source") == "address_id"
    assert Event.objects.get(number=root.findtext("service_request_id")).grid_id == (
        org.grid_id)


@pytest.mark.parametrize("text, level", [
    ("盛坊社区菜场东门", "community"),
    ("西门街道某小区门口", "street"),
    # A door number the district does not know, on a named street: the street.
    ("鼓楼街道火星路99号", "street"),
])
def test_no_door_falls_back_to_the_community_or_street(http, address_only, text, level):
    row = post(http, dict(address_only, address_string=text))
    assert row["location_source"] == level
    unit = Area.objects.get(level=level, name=row["location_label"].split()[-1])
    assert event_of(row).grid.code.startswith(unit.code)
    assert "未匹配到门牌" in row["service_notice"]


def test_a_near_miss_door_is_not_the_neighbour():
    """中山西路1号 is not 中山西路10号 or 11号: only the whole number counts."""
    assert not House.objects.filter(address__endswith="中山西路1号").exists()
    located = geocode.locate("鼓楼街道中山西路 1 号")
    assert located.label == "中山西路1号"  # the organisation there, not a house at 10号
    assert geocode.locate("中山西路10号").source == "address"
    assert geocode.locate("中山西路 9999 号") is None


def test_coordinates_win_over_the_address(http, address_only, gulou_grid):
    from gridgov.events.tests.helpers_command import point_in

    lng, lat = point_in(gulou_grid)
    row = post(http, dict(address_only, lat=f"{lat:.6f}", long=f"{lng:.6f}",
                          address_string="西门街道某处"))
    assert row["location_source"] == "coordinates" and row["service_notice"] == ""
    assert event_of(row).grid == gulou_grid


@pytest.mark.parametrize("extra, field", [
    ({"address_string": "火星路1号"}, "address_string"),
    ({"address_id": "999999999"}, "address_id"),
    ({}, "lat"),  # no location at all
    ({"long": "121.5", "address_string": "西门街道"}, "lat"),  # half a pair
])
def test_an_unplaceable_request_is_400_with_the_field(http, address_only, extra, field):
    data = dict(address_only, **extra)
    assert any(field in m for m in error_list(http.post(BASE + "requests.json", data), 400))
    assert any(field in m for m in xml_errors(http.post(BASE + "requests.xml", data), 400))
    assert not Event.objects.filter(source=Source.OPEN311).exists()


def test_device_retries_of_address_only_reports_keep_apart(http, address_only):
    data = dict(address_only, device_id="phone-9")
    first = post(http, dict(data, address_string="盛坊社区菜场东门"))
    again = post(http, dict(data, address_string="盛坊社区菜场东门"))
    other = post(http, dict(data, address_string="西门街道某小区门口"))
    assert first["service_request_id"] == again["service_request_id"]
    assert other["service_request_id"] != first["service_request_id"]


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60) | st.from_regex(r"\A[\u4e00-\u9fff]{0,8}(路|街道|社区)?\d{0,4}号?\Z",
                                             fullmatch=True),
       st.text(max_size=20))
@example(text="\x00", address_id="\x00")  # NUL: PostgreSQL's text refuses it
@example(text="中山\u200b西路1号", address_id="")
def test_any_text_is_located_or_not_never_an_error(text, address_id):
    found = geocode.locate(text, address_id)
    assert found is None or found.source in geocode.SOURCES
