"""The shared verbs of administrator-edited word lists (lexicon, keyword dictionary)."""

import pytest
from django.core.exceptions import ValidationError

from gridgov.audit.models import AuditRecord
from gridgov.core import wordlists
from gridgov.moderation.models import LexiconTerm
from gridgov.stats.models import KeywordTerm

FIELDS = ("term", "category", "is_active", "note")


def _upper(value):
    return value.upper()


@pytest.mark.django_db
def test_create_cleans_checks_uniqueness_audits_and_signals():
    calls = []
    row = wordlists.create_word(
        LexiconTerm, values={"term": "abc", "category": "other", "note": "  n " + "x" * 300},
        cleaners={"term": _upper}, fields=FIELDS, action="moderation.term_create", actor=None,
        changed=lambda: calls.append(1))
    assert row.term == "ABC" and row.note == ("n " + "x" * 300)[:200] and calls == [1]
    assert AuditRecord.objects.filter(action="moderation.term_create").count() == 1
    with pytest.raises(ValidationError) as caught:
        wordlists.create_word(LexiconTerm, values={"term": "abc", "category": "other"},
                              cleaners={"term": _upper}, fields=FIELDS, actor=None,
                              action="moderation.term_create", changed=lambda: None)
    assert "term" in caught.value.message_dict


@pytest.mark.django_db
def test_update_refuses_unknown_fields_and_audits_only_real_changes():
    row = KeywordTerm.objects.create(term="测试专用词", kind="governance")
    kwargs = {"cleaners": {}, "fields": ("term", "kind", "is_active", "note"),
              "action": "stats.keyword_update", "actor": None}
    with pytest.raises(ValidationError) as caught:
        wordlists.update_word(row, changes={"created_at": None}, changed=lambda: None, **kwargs)
    assert "created_at" in caught.value.message_dict
    calls = []
    wordlists.update_word(row, changes={"is_active": True}, changed=lambda: calls.append(1),
                          **kwargs)
    assert calls == [] and not AuditRecord.objects.filter(action="stats.keyword_update").exists()
    row = wordlists.update_word(row, changes={"is_active": 0}, changed=lambda: calls.append(1),
                                **kwargs)
    assert row.is_active is False and calls == [1]
    assert AuditRecord.objects.filter(action="stats.keyword_update").count() == 1
