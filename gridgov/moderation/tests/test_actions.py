import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.audit.models import AuditRecord
from gridgov.moderation import actions
from gridgov.moderation.models import LexiconRevision, LexiconTerm

pytestmark = pytest.mark.django_db


def test_create_term_audited_and_moves_revision(sys_admin):
    before = LexiconRevision.current()
    term = actions.create_term(term="测试违禁词", category="other", note="单元测试",
                               actor=sys_admin)
    assert LexiconRevision.current() == before + 1
    rec = AuditRecord.objects.get(action="moderation.term_create", object_id=str(term.pk))
    assert rec.changes["term"] == [None, "测试违禁词"]
    assert rec.actor_name == "sysadmin"


@pytest.mark.parametrize("term,reason", [("", "必填"), ("  ,。 ", "标点"), ("长" * 51, "50")])
def test_bad_term_names_the_field(sys_admin, term, reason):
    with pytest.raises(ValidationError) as exc:
        actions.create_term(term=term, category="other", actor=sys_admin)
    assert reason in exc.value.message_dict["term"][0]


def test_duplicate_term_and_bad_category_rejected(sys_admin):
    actions.create_term(term="重复词", category="other", actor=sys_admin)
    with pytest.raises(ValidationError) as exc:
        actions.create_term(term="重复词", category="other", actor=sys_admin)
    assert "term" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_term(term="别的词", category="nonsense", actor=sys_admin)
    assert "category" in exc.value.message_dict


@pytest.mark.parametrize("who", ["grid_worker", "intake_clerk", "leader", "sec_admin",
                                 "audit_admin"])
def test_only_the_system_administrator_edits_the_lexicon(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.create_term(term="越权词", category="other", actor=user)
    term = LexiconTerm.objects.first()
    with pytest.raises(PermissionDenied):
        actions.update_term(term, is_active=False, actor=user)


def test_update_without_change_writes_nothing(sys_admin):
    term = actions.create_term(term="不变词", category="other", actor=sys_admin)
    count = AuditRecord.objects.count()
    actions.update_term(term, category="other", actor=sys_admin)
    assert AuditRecord.objects.count() == count


def test_screen_collects_hits_per_field(sys_admin):
    LexiconTerm.objects.all().delete()
    actions.create_term(term="狗官", category="abuse", actor=sys_admin)
    result = actions.screen(description="这些狗官不管事", address="狗官路")
    assert result.held and result.terms == ["狗官"]
    assert {h["field"] for h in result.hits} == {"description", "address"}
    assert "狗官" in result.reason
    assert not actions.screen(description="路灯坏了").held
