"""Verbs of the statistics app: edit the keyword dictionary, rebuild the term index.

Each checks ``stats.manage_keywords`` (the system administrator by default; the system,
``actor=None``, passes), validates, writes and audits in one transaction. A dictionary edit
moves ``KeywordRevision`` on, so every process cuts with the new dictionary; the counts of
events indexed before follow only after ``rebuild_keyword_index`` (the dictionary page
says so while the index is behind).
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core import wordlists
from gridgov.core.access import require

from .keywords import index, tokenize
from .models import MANAGE, KeywordRevision, KeywordTerm, TermKind

TERM_FIELDS = ("term", "kind", "is_active", "note")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def _require_admin(actor):
    require(actor, MANAGE, message=_("只有系统管理员可以维护热词词典。"))


def _clean_term(term) -> str:
    term = (term or "").strip()
    if not term:
        raise ValidationError({"term": _("此项为必填项。")})
    if not _CJK.match(term):
        raise ValidationError({"term": _("词条只能由汉字组成(不含空格、字母、数字和标点)。")})
    if not 2 <= len(term) <= tokenize.MAX_TERM:
        raise ValidationError({"term": _("词条应为 2 到 %(n)s 个汉字。")
                               % {"n": tokenize.MAX_TERM}})
    return term


def _clean_kind(kind) -> str:
    if kind not in TermKind.values:
        raise ValidationError({"kind": _("请选择有效的类别。")})
    return kind


def _changed() -> None:
    KeywordRevision.bump()
    tokenize.invalidate()
    transaction.on_commit(tokenize.invalidate)


_CLEANERS = {"term": _clean_term, "kind": _clean_kind}


def create_keyword(*, term, kind=TermKind.GOVERNANCE, note="", actor) -> KeywordTerm:
    """Add a word to the keyword dictionary (a place, a governance term or a stop word)."""
    _require_admin(actor)
    return wordlists.create_word(
        KeywordTerm, values={"term": term, "kind": kind, "note": note}, cleaners=_CLEANERS,
        fields=TERM_FIELDS, action="stats.keyword_create", actor=actor, changed=_changed)


def update_keyword(row: KeywordTerm, *, actor, **changes) -> KeywordTerm:
    """Change a word's text, kind, note or whether it is in use."""
    _require_admin(actor)
    return wordlists.update_word(
        row, changes=changes, cleaners=_CLEANERS, fields=TERM_FIELDS,
        action="stats.keyword_update", actor=actor, changed=_changed)


def rebuild_keyword_index(*, actor, stdout=None) -> dict:
    """Cut every event's description again with the dictionary as it is now.

    The rows are rewritten in chunks (``keywords.index.rebuild``), each chunk its own
    transaction; the audit record and the revision the index was built with are written
    together at the end."""
    _require_admin(actor)
    tokenize.invalidate()
    revision = KeywordRevision.current().number
    started = timezone.now()
    events, rows = index.rebuild(stdout=stdout)
    with transaction.atomic():
        state, _created = KeywordRevision.objects.select_for_update().get_or_create(pk=1)
        before = {"indexed_number": state.indexed_number,
                  "indexed_at": state.indexed_at.isoformat() if state.indexed_at else None}
        state.indexed_number, state.indexed_at = revision, timezone.now()
        state.save(update_fields=["indexed_number", "indexed_at"])
        result = {"events": events, "terms": rows, "revision": revision,
                  "seconds": round((state.indexed_at - started).total_seconds(), 1)}
        record("stats.keyword_rebuild", actor=actor, obj=state, before=before,
               after={"indexed_number": revision, "indexed_at": state.indexed_at.isoformat(),
                      "events": events, "terms": rows})
    return result
