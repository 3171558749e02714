"""The birth date is digits 7-14 of the ID number: shown whole only to those who may reveal the
ID number. Before, a leader who may not reveal rebuilt every ID number in scope from the mask
("330203********1234") and the birth date of the API (probe, session 21: 100 of 100)."""

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _rebuilt(masked: str, born: str) -> str:
    return masked[:6] + born.replace("-", "") + masked[-4:]


def test_the_api_gives_the_birth_date_only_with_the_reveal_permission(api_as, person, leader,
                                                                      grid_worker):
    real = person.id_number()
    born = person.birth_date.isoformat()
    assert real[6:14] == born.replace("-", "")
    url = f"/api/basedata/people/{person.pk}/"
    seen = api_as(leader).get(url).json()
    assert seen["id_number"] == person.id_masked and seen["birth_date"] is None
    assert seen["age"] == person.age
    # A grid worker of the grid collects and may reveal: the date is theirs to see.
    assert api_as(grid_worker).get(url).json()["birth_date"] == born


def test_the_page_and_the_export_show_the_year_only(client_as, person, leader, grid_worker):
    real, year = person.id_number(), person.birth_date.year
    page = client_as(leader).get(reverse("basedata:person", args=[person.pk])).content.decode()
    assert f"{year}-**-**" in page and person.birth_date.isoformat() not in page
    response = client_as(leader).get(reverse("basedata:export", args=["people", "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    mine = [r for r in rows if r["身份证号"] == person.id_masked]
    assert mine and mine[0]["出生日期"] == f"{year}-**-**"
    assert _rebuilt(mine[0]["身份证号"], mine[0]["出生日期"]) != real
    full = client_as(grid_worker).get(reverse("basedata:export", args=["people", "csv"]))
    assert person.birth_date.isoformat() in full.content.decode("utf-8-sig")
