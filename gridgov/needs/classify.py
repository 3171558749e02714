"""Which need categories a text speaks of: the vocabulary's keywords found in it.

One Aho-Corasick automaton over every active category's keywords finds all of them in one
pass over the text (substring matching: a Chinese need phrase such as "漏水" or "配药" is a
run of characters, and cutting the text into words first — jieba — would split some of them
differently from the vocabulary). A keyword counts unless a negation ends the same clause
right before it ("无安全隐患", "暂无困难", "未发现漏水"): visit notes often say what is *not*
the case. The needs a visitor ticked (``Visit.needs``) map to categories directly.

``classifier()`` keeps one automaton per process, rebuilt when the vocabulary's digest
(``vocabulary_digest``) changes.
"""

import hashlib
import json
import re
import threading
from dataclasses import dataclass

import ahocorasick

from gridgov.core.personal_data import mask_numbers, mask_value

# Negations that, ending right before a keyword in the same clause, cancel it. Not "未" or
# "不" alone: "未就业" and "不便就医" state a need.
NEGATIONS = ("无", "没有", "未发现", "未见", "暂无", "不存在", "排除", "无明显")
NEGATION_WINDOW = 4
CLAUSE_BREAKS = re.compile(r"[,,。;;!!??、\s]")
EXCERPT_LEN = 120
# A surname followed by a form of address: "王阿姨", "李先生" → "某阿姨", "某先生".
_ADDRESSED = re.compile(
    r"[\u4e00-\u9fff](?=(?:先生|女士|阿姨|大爷|大妈|奶奶|爷爷|师傅|老师|伯伯|阿婆|老伯|大姐|大哥|同志))")


@dataclass(frozen=True)
class CategoryTerms:
    """What the classifier needs of one category."""

    id: int
    code: str
    keywords: tuple
    visit_needs: tuple


def load_terms() -> list[CategoryTerms]:
    """The active categories' keywords and visit needs (one query)."""
    from .models import NeedCategory

    rows = NeedCategory.objects.filter(is_active=True).order_by("order", "code").values_list(
        "id", "code", "keywords", "visit_needs")
    return [CategoryTerms(pk, code, tuple(k for k in (kw or []) if k),
                          tuple(vn or [])) for pk, code, kw, vn in rows]


def vocabulary_digest(terms: list[CategoryTerms]) -> str:
    """A digest of the vocabulary: the index is rebuilt when it changes."""
    data = [[t.id, sorted(t.keywords), sorted(t.visit_needs)] for t in terms]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def negated(text: str, start: int) -> bool:
    """Whether a negation ends the clause right before ``text[start:]``."""
    before = text[max(0, start - NEGATION_WINDOW):start]
    parts = CLAUSE_BREAKS.split(before)
    before = parts[-1] if parts else ""
    return any(before.endswith(n) for n in NEGATIONS)


class Classifier:
    """Categories of a text, by the keywords of ``terms``."""

    def __init__(self, terms: list[CategoryTerms]):
        self.terms = terms
        self.digest = vocabulary_digest(terms)
        self.by_need: dict[str, list[int]] = {}
        self.automaton = ahocorasick.Automaton()
        words: dict[str, list[int]] = {}
        for term in terms:
            for word in term.keywords:
                words.setdefault(word, []).append(term.id)
            for need in term.visit_needs:
                self.by_need.setdefault(need, []).append(term.id)
        for word, ids in words.items():
            self.automaton.add_word(word, (len(word), tuple(ids)))
        self.empty = not words
        if not self.empty:
            self.automaton.make_automaton()

    def hits(self, text: str) -> list[tuple[int, int, tuple]]:
        """The keywords that count in ``text``: (start, end, category ids). A keyword inside a
        longer one found at the same place follows it ("隐患" in a negated "无安全隐患")."""
        if self.empty or not text:
            return []
        found = sorted(((end - length + 1, end + 1, ids)
                        for end, (length, ids) in self.automaton.iter(text)),
                       key=lambda h: (h[0] - h[1], h[0]))
        spans, out = [], []
        for start, end, ids in found:
            if any(s <= start and end <= e for s, e in spans):
                continue
            spans.append((start, end))
            if not negated(text, start):
                out.append((start, end, ids))
        return sorted(out)

    def categories(self, text: str, needs=()) -> set[int]:
        """The ids of the categories ``text`` speaks of (and ``needs`` ticked)."""
        found = set()
        for need in needs or ():
            found.update(self.by_need.get(need, ()))
        for _start, _end, ids in self.hits(text or ""):
            found.update(ids)
        return found

    def matched(self, text: str) -> list[str]:
        """The keywords that count in ``text`` (for tests and explanations)."""
        return [text[start:end] for start, end, _ids in self.hits(text or "")]


_lock = threading.Lock()
_current: Classifier | None = None


def classifier() -> Classifier:
    """The process's classifier for the current vocabulary (one query to check it)."""
    global _current
    terms = load_terms()
    digest = vocabulary_digest(terms)
    with _lock:
        if _current is None or _current.digest != digest:
            _current = Classifier(terms)
        return _current


def mask_text(text: str, names=()) -> str:
    """``text`` fit to show a leader: phone and ID numbers masked, the known names (the
    person's, the reporter's) and "王阿姨"-style forms of address masked, at most
    ``EXCERPT_LEN`` characters."""
    text = mask_numbers(" ".join((text or "").split()))
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_value(name))
    text = _ADDRESSED.sub("某", text)
    if len(text) > EXCERPT_LEN:
        text = text[:EXCERPT_LEN - 1] + "…"
    return text
