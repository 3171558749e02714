"""Verbs of harmful-content filtering: edit the lexicon, hold a report, decide on it.

Every action checks its actor, validates, writes and audits in one transaction. Nothing a
resident writes is dropped: a hit holds the report (``events`` state ``held``) and opens a
``ModerationCase`` with the matched terms; a reviewer approves (the report goes on into the
loop) or rejects it (it is kept, voided, with the reason), and the decision is audited.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record, snapshot
from gridgov.core import wordlists
from gridgov.core.access import require
from gridgov.events.actions.workflow import release_held
from gridgov.events.choices import State

from . import matcher
from .choices import CaseStatus, TermCategory
from .models import LexiconRevision, LexiconTerm, ModerationCase

TERM_FIELDS = ("term", "category", "is_active", "note")
CASE_FIELDS = ("status", "decided_by", "decided_at", "remark")


# --- screening (no write) -------------------------------------------------------------------


@dataclass
class Screening:
    """What the lexicon found in the texts of one report."""

    terms: list = field(default_factory=list)
    hits: list = field(default_factory=list)

    @property
    def held(self) -> bool:
        return bool(self.terms)

    @property
    def reason(self) -> str:
        """The hold reason stored on the event (the terms, for the reviewer's list)."""
        if not self.terms:
            return ""
        return _("命中过滤词:%(terms)s") % {"terms": "、".join(self.terms)}


def screen(**texts) -> Screening:
    """Match each named text (``description=..., address=...``) against the lexicon."""
    result = Screening()
    for name, text in texts.items():
        for hit in matcher.find_hits(text or ""):
            result.hits.append({"field": name, "term": hit.term, "category": hit.category,
                                "start": hit.start, "end": hit.end})
            if hit.term not in result.terms:
                result.terms.append(hit.term)
    return result


# --- the lexicon ----------------------------------------------------------------------------


def _require_lexicon_admin(actor):
    require(actor, "moderation.manage_lexicon", message=_("只有系统管理员可以维护过滤词库。"))


def _clean_term(term) -> str:
    term = (term or "").strip()
    if not term:
        raise ValidationError({"term": _("此项为必填项。")})
    if len(term) > 50:
        raise ValidationError({"term": _("词条不能超过 50 个字符。")})
    if not matcher.normalise_term(term):
        raise ValidationError({"term": _("词条不能只由空格或标点组成。")})
    return term


def _clean_category(category) -> str:
    if category not in TermCategory.values:
        raise ValidationError({"category": _("请选择有效的类别。")})
    return category


def _lexicon_changed():
    # At once (later checks in this transaction see the edit) and again after the commit;
    # a rollback is caught by the revision check (the counter goes back too).
    LexiconRevision.bump()
    matcher.invalidate()
    transaction.on_commit(matcher.invalidate)


_CLEANERS = {"term": _clean_term, "category": _clean_category}


def create_term(*, term, category=TermCategory.OTHER, note="", actor) -> LexiconTerm:
    """Add a term to the lexicon (system administrator); it takes effect at once."""
    _require_lexicon_admin(actor)
    return wordlists.create_word(
        LexiconTerm, values={"term": term, "category": category, "note": note},
        cleaners=_CLEANERS, fields=TERM_FIELDS, action="moderation.term_create", actor=actor,
        changed=_lexicon_changed)


def update_term(row: LexiconTerm, *, actor, **changes) -> LexiconTerm:
    """Change a term's text, category, note or whether it is active."""
    _require_lexicon_admin(actor)
    return wordlists.update_word(
        row, changes=changes, cleaners=_CLEANERS, fields=TERM_FIELDS,
        action="moderation.term_update", actor=actor, changed=_lexicon_changed)


# --- holding and deciding -------------------------------------------------------------------


def open_case(event, screening: Screening, *, actor=None) -> ModerationCase:
    """Open the review of a held event (called by intake, through the screen this app
    registers in ``events.actions.screening``, inside the report's transaction)."""
    if not screening.held:
        raise ValueError("open_case needs a screening with hits")
    with transaction.atomic():
        case = ModerationCase.objects.create(event=event, terms=list(screening.terms),
                                             hits=list(screening.hits))
        record("moderation.hold", actor=actor, obj=case,
               after={"event": event.pk, "terms": list(screening.terms),
                      "status": case.status})
    return case


def held_terms(event) -> list:
    """The terms ``event`` was held for (empty when it was never held)."""
    terms = ModerationCase.objects.filter(event=event).values_list("terms", flat=True).first()
    return list(terms or [])


def _require_reviewer(actor, case):
    scope = require(actor, "moderation.review", allow_system=False,
                    message=_("只有受理员或值班长可以审核暂扣的上报。"))
    if not scope.covers(case.event.area_code, "moderation.review", department_bound=False):
        raise PermissionDenied(_("该事件不在您的辖区内。"))


def decide_case(case: ModerationCase, *, approve: bool, actor, remark: str = "") -> ModerationCase:
    """Approve (release into the loop) or reject (void, kept on record) a held report.

    A rejection needs a reason. The case and the event change in one transaction; both are
    audited (the event's release by ``events.actions.release_held``).
    """
    remark = (remark or "").strip()
    if not approve and not remark:
        raise ValidationError({"remark": _("驳回须填写理由。")})
    with transaction.atomic():
        case = ModerationCase.objects.select_for_update().select_related("event").get(pk=case.pk)
        _require_reviewer(actor, case)
        if case.status != CaseStatus.PENDING:
            raise ValidationError({"status": _("该上报已审核过。")})
        if case.event.state != State.HELD:
            raise ValidationError({"status": _("该事件已不在待审核状态(当前:%(s)s)。")
                                   % {"s": case.event.get_state_display()}})
        before = snapshot(case, CASE_FIELDS)
        release_held(case.event, approve=approve, actor=actor, remark=remark)
        case.status = CaseStatus.APPROVED if approve else CaseStatus.REJECTED
        case.decided_by = actor
        case.decided_at = timezone.now()
        case.remark = remark
        case.save(update_fields=["status", "decided_by", "decided_at", "remark"])
        record("moderation.approve" if approve else "moderation.reject", actor=actor, obj=case,
               before=before, after=snapshot(case, CASE_FIELDS), remark=remark)
    return case
