from gridgov.basedata import resources


def test_builtin_resources_registered():
    from gridgov.sharing.registry import _REGISTRY

    for key in ("people", "houses", "organisations"):
        assert key in _REGISTRY
    people = _REGISTRY["people"]
    assert people.provider_department_code == "D016"
    sensitive = {f["name"] for f in people.fields if f["sensitive"]}
    assert {"id_number", "phone", "special_tags"} <= sensitive


def test_person_row_is_plain_for_the_exchange(person):
    from gridgov.basedata import actions

    actions.set_tags(person, ["独居老人", "社区矫正对象"], actor=None)
    row = resources.person_row(resources.people_queryset().get(pk=person.pk))
    assert row["id_number"] == person.id_number() and row["phone"] == "13912345678"
    assert row["care_tags"] == "独居老人" and row["special_tags"] == "社区矫正对象"
    assert set(row) == {f["name"] for f in resources.PEOPLE_FIELDS}
