"""The verbs: permission, validation with the field, one audit record."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.audit.models import AuditRecord
from gridgov.needs import actions
from gridgov.needs.models import NeedCategory

pytestmark = pytest.mark.django_db


def test_only_the_administrator_edits_the_vocabulary(leader, sys_admin):
    with pytest.raises(PermissionDenied):
        actions.save_category(actor=leader, code="transport", name="出行交通",
                              keywords=["公交"])
    with pytest.raises(PermissionDenied):
        actions.refresh_needs(actor=leader)
    category = actions.save_category(actor=sys_admin, code="transport", name="出行交通",
                                     keywords=["公交", " 公交 ", "地铁"], care_groups=["高龄老人"])
    assert category.keywords == ["公交", "地铁"]
    assert list(category.care_groups.values_list("name", flat=True)) == ["高龄老人"]
    rec = AuditRecord.objects.get(action="needs.category_save", object_id=str(category.pk))
    assert rec.changes["name"] == [None, "出行交通"]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"name": "", "keywords": ["x"]}, "name"),
    ({"name": "养老照护", "keywords": ["x"]}, "name"),
    ({"name": "新类", "keywords": []}, "keywords"),
    ({"name": "新类", "keywords": ["很" * 21]}, "keywords"),
    ({"name": "新类", "keywords": ["x"], "visit_needs": ["nope"]}, "visit_needs"),
    ({"name": "新类", "keywords": ["x"], "care_groups": ["社区矫正对象"]}, "care_groups"),
    ({"name": "新类", "keywords": ["x"], "code": "housing"}, "code"),
])
def test_bad_input_names_the_field(sys_admin, kwargs, field):
    kwargs.setdefault("code", "newone")
    with pytest.raises(ValidationError) as err:
        actions.save_category(actor=sys_admin, **kwargs)
    assert field in err.value.message_dict


def test_change_bumps_version_and_records_before(sys_admin):
    category = NeedCategory.objects.get(code="dispute")
    changed = actions.save_category(category, actor=sys_admin, name="矛盾调解",
                                    keywords=["纠纷"])
    assert changed.version == category.version + 1
    rec = AuditRecord.objects.filter(action="needs.category_save").latest("id")
    old, new = rec.changes["keywords"]
    assert "吵架" in old and new == ["纠纷"]
