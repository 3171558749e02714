import pytest

from gridgov.moderation import actions, matcher
from gridgov.moderation.models import LexiconRevision, LexiconTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def lexicon():
    LexiconTerm.objects.all().delete()
    actions.create_term(term="代开发票", category="illegal", actor=None)
    actions.create_term(term="傻逼", category="abuse", actor=None)
    actions.create_term(term="刷单", category="fraud", actor=None)
    actions.create_term(term="刷单返利", category="fraud", actor=None)
    return LexiconTerm.objects.all()


def test_clean_text_has_no_hits(lexicon):
    assert matcher.check_text("鼓楼步行街东侧人行道地砖松动,行人易绊倒") == []


def test_hit_returns_terms_in_order_of_occurrence(lexicon):
    text = "有人在小区门口发传单,内容是刷单返利,还骂人傻逼"
    # Same start: the longer term first.
    assert matcher.check_text(text) == ["刷单返利", "刷单", "傻逼"]


def test_spacing_full_width_and_case_do_not_evade(lexicon):
    actions.create_term(term="ABC赌场", category="illegal", actor=None)
    assert matcher.check_text("这人就是个傻 逼") == ["傻逼"]
    assert matcher.check_text("代-开-发-票找我") == ["代开发票"]
    assert matcher.check_text("ａｂｃ赌场开业") == ["ABC赌场"]


def test_offsets_point_into_the_original_text(lexicon):
    text = "门口有人喊:傻 逼!"
    (hit,) = matcher.find_hits(text)
    assert text[hit.start:hit.end] == "傻 逼"


def test_highlight_escapes_and_marks(lexicon):
    html = matcher.highlight("<b>刷单返利</b>正常文本")
    assert "&lt;b&gt;" in html
    assert '<mark class="gg-hit" title="刷单、刷单返利">刷单返利</mark>' in html
    assert html.endswith("正常文本")


def test_lexicon_edit_takes_effect(lexicon, sys_admin):
    assert matcher.check_text("楼道里贴了办证小广告") == []
    term = actions.create_term(term="办证", category="illegal", actor=sys_admin)
    assert matcher.check_text("楼道里贴了办证小广告") == ["办证"]
    actions.update_term(term, is_active=False, actor=sys_admin)
    assert matcher.check_text("楼道里贴了办证小广告") == []
    actions.update_term(term, is_active=True, term="小广告", actor=sys_admin)
    assert matcher.check_text("楼道里贴了办证小广告") == ["小广告"]


def test_change_in_another_process_is_seen_after_the_revision_moves(lexicon, settings):
    settings.GRIDGOV_LEXICON_TTL = 0
    assert matcher.check_text("有人卖假药") == []
    # Another process writes the row and moves the counter; this process was not told.
    LexiconTerm.objects.create(term="卖假药", category="illegal")
    LexiconRevision.bump()
    assert matcher.check_text("有人卖假药") == ["卖假药"]


def test_empty_lexicon_matches_nothing():
    LexiconTerm.objects.all().delete()
    matcher.invalidate()
    assert matcher.check_text("傻逼") == []


def test_seeded_lexicon_is_present():
    assert LexiconTerm.objects.filter(note="初始示例词库").count() >= 10
