"""Demo basic data: every generated ID number and credit code passes the real GB 11643 /
GB 32100 check, loading again changes nothing, and people an earlier version loaded with a
wrong check character are corrected in place."""

import pytest
from stdnum.cn import ric, uscc

from gridgov.audit.models import AuditRecord
from gridgov.basedata import validators
from gridgov.basedata.models import Organisation, Person
from gridgov.core import personal_data
from gridgov.demo import basedata as demo_basedata

pytestmark = pytest.mark.django_db


def _mod11_2(body17: str) -> str:
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(body17))
    return "10X98765432"[total % 11]


def _state():
    return {
        "people": list(Person.objects.order_by("pk").values_list(
            "pk", "id_hash", "id_number_enc", "phone_enc", "updated_at")),
        "orgs": list(Organisation.objects.order_by("pk").values_list("pk", "uscc", "updated_at")),
        "audit": AuditRecord.objects.count(),
    }


def test_every_demo_id_number_passes_the_real_check():
    people = list(Person.objects.exclude(id_number_enc=""))
    assert len(people) > 100
    for person in people:
        number = personal_data.decrypt(person.id_number_enc, "id_number")
        assert number[17] == _mod11_2(number[:17]), person.pk
        assert ric.calc_check_digit(number) == number[17]
        assert validators.id_number_problem(number) is None
        assert person.birth_date == validators.validate_id_number(number)[1]


def test_every_demo_credit_code_passes_the_real_check():
    codes = list(Organisation.objects.values_list("uscc", flat=True))
    assert codes
    for code in codes:
        assert uscc.is_valid(code), code
        assert validators.validate_uscc(code) == code


def test_loading_again_changes_nothing():
    before = _state()
    counts = demo_basedata.load()
    assert set(counts.values()) == {0}
    assert _state() == before


def test_people_loaded_with_a_wrong_check_character_are_corrected():
    people = list(Person.objects.exclude(id_number_enc="").order_by("pk")[:40])
    broken = {}
    for person in people:
        number = personal_data.decrypt(person.id_number_enc, "id_number")
        legacy = number[:17] + ric.calc_check_digit(number[:17])  # the old, wrong rule
        if legacy != number:
            Person.objects.filter(pk=person.pk).update(
                id_number_enc=personal_data.encrypt(legacy, "id_number"),
                id_hash=personal_data.lookup_hash(legacy),
                id_masked=personal_data.mask_id_number(legacy))
            broken[person.pk] = number
    assert len(broken) > 10
    people_before = Person.objects.count()
    counts = demo_basedata.load()
    assert counts["id_numbers_corrected"] == len(broken)
    assert counts["people"] == 0 and Person.objects.count() == people_before
    for pk, number in broken.items():
        person = Person.objects.get(pk=pk)
        assert personal_data.decrypt(person.id_number_enc, "id_number") == number
        assert person.id_hash == personal_data.lookup_hash(number)
    after = _state()
    assert set(demo_basedata.load().values()) == {0}
    assert _state() == after
