"""The basic-data FilterSets (people, buildings, houses, organisations, components): each
filter on rows built through the actions for the test, bad values through the API, and that
filters only narrow what ``restrict()`` let through."""

import datetime as dt

import pytest

from gridgov.basedata import actions
from gridgov.basedata.filtersets import (
    BuildingFilterSet,
    ComponentFilterSet,
    HouseFilterSet,
    OrganisationFilterSet,
    PersonFilterSet,
)
from gridgov.basedata.models import Person, Tag

pytestmark = pytest.mark.django_db


def found(filterset_class, data, rows, queryset=None, **kwargs):
    """Which of ``rows`` (name → object; the demo rows aside) the filter lets through."""
    model = filterset_class._meta.model
    mine = model.objects.filter(pk__in=[r.pk for r in rows.values()])
    fs = filterset_class(data, queryset=mine if queryset is None else queryset & mine,
                         **kwargs)
    assert fs.is_valid(), fs.errors
    pks = set(fs.qs.values_list("pk", flat=True))
    return {name for name, r in rows.items() if r.pk in pks}


# --- people ---------------------------------------------------------------------------------


@pytest.fixture
def people(person, person2, gulou_grid, id_number):
    """测试甲 and 测试乙 of the shared fixtures, and 测试丙: a floating woman born in 2001,
    from a department, in gw_gulou's grid, in two groups (one of them special)."""
    third = actions.create_person(
        actor=None, grid=gulou_grid, name="测试丙", source="department",
        id_number=id_number(birth=dt.date(2001, 6, 1), female=True),
        registration_type="floating", address="鼓楼测试弄 5 号", tags=["独居老人"])
    actions.set_tags(third, ["独居老人", "社区矫正对象"], actor=None)
    return {"甲": person, "乙": person2, "丙": third}


def test_person_area_and_source(people, gulou_grid, gulou_community):
    assert found(PersonFilterSet, {"area": gulou_grid.code}, people) == {"甲", "丙"}
    assert found(PersonFilterSet, {"area": gulou_community.code}, people) == {"甲", "乙", "丙"}
    assert found(PersonFilterSet, {"source": "department"}, people) == {"丙"}
    assert found(PersonFilterSet, {"source": "grid_worker"}, people) == {"甲", "乙"}


def test_person_q_by_name_address_whole_id_number_and_phone(people):
    assert found(PersonFilterSet, {"q": "测试乙"}, people) == {"乙"}
    assert found(PersonFilterSet, {"q": "测试弄"}, people) == {"丙"}
    assert found(PersonFilterSet, {"q": people["甲"].id_number()}, people) == {"甲"}
    assert found(PersonFilterSet, {"q": "139-8765-4321"}, people) == {"乙"}
    # Part of a number finds nothing: the numbers are stored encrypted, matched by hash.
    assert found(PersonFilterSet, {"q": people["甲"].id_number()[:10]}, people) == set()
    assert found(PersonFilterSet, {"q": "1391234"}, people) == set()
    assert found(PersonFilterSet, {"q": " "}, people) == set(people)


def test_person_registration_type_sex_and_birth_dates(people):
    assert found(PersonFilterSet, {"registration_type": "floating"}, people) == {"丙"}
    assert found(PersonFilterSet, {"sex": "F"}, people) == {"丙"}
    assert found(PersonFilterSet, {"sex": "M"}, people) == {"甲", "乙"}
    assert found(PersonFilterSet, {"born_after": "2001-06-01"}, people) == {"丙"}
    assert found(PersonFilterSet, {"born_before": "2001-06-01"}, people) == {"甲", "乙"}
    assert found(PersonFilterSet, {"born_after": "1990-01-01",
                                   "born_before": "2001-06-01"}, people) == set()


def test_person_tag_and_special_groups(people, rf, grid_worker, grid_chief):
    care = Tag.objects.get(name="独居老人")
    special = Tag.objects.get(name="社区矫正对象")
    assert found(PersonFilterSet, {"tag": care.pk}, people, special=True) == {"丙"}
    assert found(PersonFilterSet, {"tag": special.pk}, people, special=True) == {"丙"}
    # A role that may not see special groups may not filter by them either.
    request = rf.get("/")
    request.user = grid_worker
    refused = PersonFilterSet({"tag": special.pk}, queryset=Person.objects.all(),
                              request=request)
    assert not refused.is_valid() and "tag" in refused.errors
    assert found(PersonFilterSet, {"tag": care.pk}, people, request=request) == {"丙"}
    request.user = grid_chief
    assert found(PersonFilterSet, {"tag": special.pk}, people, request=request) == {"丙"}


# --- buildings, houses, organisations, components -------------------------------------------


def test_buildings(building, building2, gulou_grid, gulou_community):
    rows = {"1幢": building, "2幢": building2}
    assert found(BuildingFilterSet, {"area": gulou_grid.code}, rows) == {"1幢"}
    assert found(BuildingFilterSet, {"area": gulou_community.code}, rows) == {"1幢", "2幢"}
    assert found(BuildingFilterSet, {"q": "2幢"}, rows) == {"2幢"}
    assert found(BuildingFilterSet, {"q": "测试楼路8号"}, rows) == {"1幢"}
    assert found(BuildingFilterSet, {"floors_min": 7}, rows) == {"2幢"}
    assert found(BuildingFilterSet, {"floors_max": 6}, rows) == {"1幢"}
    assert found(BuildingFilterSet, {"floors_min": 6, "floors_max": 18}, rows) == {"1幢", "2幢"}
    assert found(BuildingFilterSet, {"source": "import"}, rows) == set()


@pytest.fixture
def houses(building, gulou_grid2):
    flat = building.houses.get(room="101")
    shop = actions.create_house(actor=None, grid=gulou_grid2, address="测试商铺路3号",
                                use="commercial", rental_status="rented", owner_name="王测试")
    return {"101": flat, "shop": shop}


def test_houses(houses, gulou_grid):
    assert found(HouseFilterSet, {"area": gulou_grid.code}, houses) == {"101"}
    assert found(HouseFilterSet, {"use": "commercial"}, houses) == {"shop"}
    assert found(HouseFilterSet, {"use": "residential"}, houses) == {"101"}
    assert found(HouseFilterSet, {"rental_status": "rented"}, houses) == {"shop"}
    assert found(HouseFilterSet, {"q": "王测试"}, houses) == {"shop"}  # the owner
    assert found(HouseFilterSet, {"q": "测试楼路8号"}, houses) == {"101"}  # the address


@pytest.fixture
def organisations(gulou_grid, gulou_grid2, uscc_code):
    firm = actions.create_organisation(actor=None, grid=gulou_grid, name="测试科技有限公司",
                                       uscc=uscc_code(), org_type="enterprise",
                                       address="鼓楼测试街 1 号")
    club = actions.create_organisation(actor=None, grid=gulou_grid2, name="测试书画协会",
                                       uscc=uscc_code(), org_type="social",
                                       address="鼓楼测试街 2 号", source="department")
    return {"firm": firm, "club": club}


def test_organisations(organisations, gulou_grid):
    firm = organisations["firm"]
    assert found(OrganisationFilterSet, {"area": gulou_grid.code}, organisations) == {"firm"}
    assert found(OrganisationFilterSet, {"org_type": "social"}, organisations) == {"club"}
    assert found(OrganisationFilterSet, {"source": "department"}, organisations) == {"club"}
    assert found(OrganisationFilterSet, {"q": "书画"}, organisations) == {"club"}
    assert found(OrganisationFilterSet, {"q": firm.uscc.lower()}, organisations) == {"firm"}
    assert found(OrganisationFilterSet, {"q": "测试街"}, organisations) == {"firm", "club"}


@pytest.fixture
def components(gulou_grid, gulou_grid2):
    lamp = actions.create_component(actor=None, major="01", minor="08",
                                    lng=gulou_grid.centroid_lng, lat=gulou_grid.centroid_lat,
                                    address="鼓楼测试路口")
    shelter = actions.create_component(actor=None, major="02", minor="01",
                                       lng=gulou_grid2.centroid_lng,
                                       lat=gulou_grid2.centroid_lat, state="damaged")
    return {"lamp": lamp, "shelter": shelter}


def test_components(components, gulou_grid):
    lamp = components["lamp"]
    assert lamp.area_code == gulou_grid.code
    assert found(ComponentFilterSet, {"area": gulou_grid.code}, components) == {"lamp"}
    assert found(ComponentFilterSet, {"state": "damaged"}, components) == {"shelter"}
    assert found(ComponentFilterSet, {"major": "01"}, components) == {"lamp"}
    assert found(ComponentFilterSet, {"minor": "01"}, components) == {"shelter"}
    assert found(ComponentFilterSet, {"q": lamp.code}, components) == {"lamp"}
    assert found(ComponentFilterSet, {"q": "公交站亭"}, components) == {"shelter"}  # name
    assert found(ComponentFilterSet, {"q": "测试路口"}, components) == {"lamp"}


# --- bad values -----------------------------------------------------------------------------


@pytest.mark.parametrize("filterset_class,data,field", [
    (PersonFilterSet, {"area": "33a"}, "area"),
    (PersonFilterSet, {"sex": "X"}, "sex"),
    (PersonFilterSet, {"registration_type": "tourist"}, "registration_type"),
    (PersonFilterSet, {"born_before": "1990-02-30"}, "born_before"),
    (PersonFilterSet, {"tag": "999999"}, "tag"),
    (PersonFilterSet, {"source": "rumour"}, "source"),
    (BuildingFilterSet, {"floors_min": "-1"}, "floors_min"),
    (BuildingFilterSet, {"floors_max": "many"}, "floors_max"),
    (HouseFilterSet, {"use": "castle"}, "use"),
    (HouseFilterSet, {"rental_status": "lent"}, "rental_status"),
    (OrganisationFilterSet, {"org_type": "club"}, "org_type"),
    (ComponentFilterSet, {"state": "shiny"}, "state"),
])
def test_invalid_values_name_the_field(filterset_class, data, field):
    fs = filterset_class(data, queryset=filterset_class._meta.model.objects.all(),
                         **({"special": True} if filterset_class is PersonFilterSet else {}))
    assert not fs.is_valid()
    assert field in fs.errors


@pytest.mark.parametrize("path,data,field", [
    ("people", {"sex": "X"}, "sex"),
    ("people", {"born_after": "soon"}, "born_after"),
    ("buildings", {"floors_min": "-1"}, "floors_min"),
    ("houses", {"use": "castle"}, "use"),
    ("organisations", {"org_type": "club"}, "org_type"),
    ("components", {"state": "shiny"}, "state"),
    ("components", {"area": "x"}, "area"),
])
def test_the_api_answers_bad_filters_with_400_and_the_field(api_as, grid_chief, path, data,
                                                            field):
    response = api_as(grid_chief).get(f"/api/basedata/{path}/", data)
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}


def test_the_api_filters(api_as, grid_chief, people, organisations):
    api = api_as(grid_chief)
    rows = api.get("/api/basedata/people/", {"sex": "F", "limit": 500}).json()["results"]
    assert people["丙"].pk in {r["id"] for r in rows}
    assert people["甲"].pk not in {r["id"] for r in rows}
    rows = api.get("/api/basedata/organisations/", {"org_type": "social",
                                                    "limit": 500}).json()["results"]
    assert organisations["club"].pk in {r["id"] for r in rows}
    assert organisations["firm"].pk not in {r["id"] for r in rows}


# --- scope ----------------------------------------------------------------------------------


def test_filters_never_widen_the_scope(people, building, building2, houses, organisations,
                                       components, grid_worker, district, gulou_grid2):
    """gw_gulou sees their own grid only: no filter reaches the next grid's rows."""
    cases = [
        (PersonFilterSet, people, {"甲", "丙"}, {"special": True}),
        (BuildingFilterSet, {"1幢": building, "2幢": building2}, {"1幢"}, {}),
        (HouseFilterSet, houses, {"101"}, {}),
        (OrganisationFilterSet, organisations, {"firm"}, {}),
        (ComponentFilterSet, components, {"lamp"}, {}),
    ]
    for filterset_class, rows, own, kwargs in cases:
        restricted = filterset_class._meta.model.objects.restrict(grid_worker)
        assert found(filterset_class, {"area": district.code}, rows, restricted,
                     **kwargs) == own
        assert found(filterset_class, {"area": gulou_grid2.code}, rows, restricted,
                     **kwargs) == set()
        assert found(filterset_class, {}, rows, restricted, **kwargs) == own
