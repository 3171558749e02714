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


# --- the screen intake calls, registered by this app (no import back from events) -----------


def test_the_app_registers_its_screen_with_events():
    from gridgov.events.actions import screening

    registered = screening.current()
    assert registered.screen is actions.screen
    assert registered.hold is actions.open_case
    assert registered.held_terms is actions.held_terms


def test_intake_refuses_resident_text_when_no_screen_is_registered(monkeypatch, gulou_grid):
    from django.core.exceptions import ImproperlyConfigured

    from gridgov.events.actions import intake, screening
    from gridgov.events.models import Event

    monkeypatch.setattr(screening, "_REGISTERED", [])
    before = Event.objects.count()
    with pytest.raises(ImproperlyConfigured):
        intake.report_by_resident(description="路灯不亮", lng=gulou_grid.centroid_lng,
                                  lat=gulou_grid.centroid_lat)
    assert Event.objects.count() == before  # nothing taken in unscreened


def test_events_code_never_imports_moderation():
    """The circle events.actions ↔ moderation.actions is broken by the hook above: read from
    the code, no events module (tests aside) imports the moderation app."""
    import ast
    from pathlib import Path

    import gridgov.events

    root = Path(gridgov.events.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names
                          if n.startswith("gridgov.moderation")]
    assert offenders == []


def test_reviewing_follows_the_permission_not_the_role(sys_admin, sec_admin, gulou_grid,
                                                       lexicon_held_event):
    from gridgov.accounts import actions as account_actions
    from gridgov.core.models import Permission, RoleDefinition

    case = lexicon_held_event.moderation_case
    role = RoleDefinition.objects.create(code="reviewer_x", name="审核员")
    role.permissions.set(Permission.objects.filter(
        code__in=["moderation.review", "moderation.view_held", "events.release_held"]))
    person = account_actions.create_user(username="t_reviewer", real_name="审核员甲",
                                         password="Haishu#2026", actor=sys_admin)
    account_actions.assign_role(person, "reviewer_x", gulou_grid, actor=sec_admin)
    decided = actions.decide_case(case, approve=True, actor=person)
    assert decided.status == "approved"
    lexicon_held_event.refresh_from_db()
    assert lexicon_held_event.state == "reported"


@pytest.fixture
def lexicon_held_event(sys_admin, gulou_grid):
    from gridgov.events.actions import intake

    actions.create_term(term="测试违禁词乙", category="other", actor=sys_admin)
    result = intake.report_by_resident(description="门口有测试违禁词乙的涂鸦",
                                       lng=gulou_grid.centroid_lng, lat=gulou_grid.centroid_lat)
    assert result.held
    return result.event
