"""Issue 9, item 9: the duplicate-ID refusal must not say where a person outside the caller's
scope is registered. Typing someone's ID number into the collection form of another grid
(or street) may learn that the number is registered, never in which grid, community or
street."""

import pytest
from django.core.exceptions import ValidationError

from gridgov.areas.models import Area
from gridgov.basedata import actions
from gridgov.basedata.models import Person

pytestmark = pytest.mark.django_db
URL = "/api/basedata/people/"


def _rural_grid():
    """gw_gaoqiao's grid (高桥镇), another street than 鼓楼."""
    return Area.objects.get(code="330203101201001")


def _places(person) -> list[str]:
    """The names that would locate ``person``: grid, community, street."""
    names, area = [], person.grid
    while area is not None and area.level != "district":
        names.append(area.name)
        area = area.parent
    return names


def _message(exc: ValidationError) -> str:
    return " ".join(exc.message_dict["id_number"])


def _assert_silent(message, person):
    assert "已登记" in message
    assert "数据专员" in message  # whom to ask
    for name in _places(person):
        assert name not in message, (name, message)
    assert person.grid.code not in message


def test_worker_of_another_street_learns_nothing_about_where(rural_grid_worker, person):
    with pytest.raises(ValidationError) as caught:
        actions.create_person(actor=rural_grid_worker, grid=_rural_grid(), name="冒用",
                              id_number=_plain_id(person))
    _assert_silent(_message(caught.value), person)
    assert caught.value.error_dict["id_number"][0].code == "duplicate"
    assert Person.objects.filter(id_hash=person.id_hash).count() == 1


def test_worker_of_the_sibling_grid_learns_nothing_about_where(grid_worker2, gulou_grid2,
                                                                 person):
    with pytest.raises(ValidationError) as caught:
        actions.create_person(actor=grid_worker2, grid=gulou_grid2, name="冒用",
                              id_number=_plain_id(person))
    _assert_silent(_message(caught.value), person)


def test_correcting_to_someone_elses_number_learns_nothing(rural_grid_worker, person):
    own = actions.create_person(actor=rural_grid_worker, grid=_rural_grid(), name="本人",
                                birth_date="1980-01-01")
    with pytest.raises(ValidationError) as caught:
        actions.update_person(own, actor=rural_grid_worker, id_number=_plain_id(person))
    _assert_silent(_message(caught.value), person)


def test_in_scope_duplicate_still_names_the_grid(grid_worker, grid_chief, gulou_grid, person):
    for actor in (grid_worker, grid_chief):
        with pytest.raises(ValidationError) as caught:
            actions.create_person(actor=actor, grid=gulou_grid, name="重复",
                                  id_number=_plain_id(person))
        assert person.grid.name in _message(caught.value)


def test_api_answer_of_another_street(api_as, rural_grid_worker, person):
    response = api_as(rural_grid_worker).post(
        URL, {"name": "冒用", "id_number": _plain_id(person), "grid": _rural_grid().code},
        format="json")
    assert response.status_code == 400
    body = response.content.decode("utf-8")
    _assert_silent(response.json()["errors"][0]["message"], person)
    for name in _places(person):
        assert name not in body


def _plain_id(person) -> str:
    from gridgov.core import personal_data

    return personal_data.decrypt(person.id_number_enc, "id_number")
