"""Cutting a description into the terms the analysis counts (jieba with the user dictionary).

The dictionary (``dictionary()``):

- place names: the names of the current streets and communities, read from the area table
  (not copied into the keyword table), with their short form when the name ends in
  街道/社区/镇/乡/村 and the rest is two characters or more ("鼓楼街道" and "鼓楼");
- the active ``KeywordTerm`` rows of kind 地名 and 治理术语;
- stop words: the built-in list (``words.STOP_WORDS``) and the active 停用词 rows, less any word
  the dictionary names as a place or governance term.

A term counted (``terms_of``): a token of jieba's precise mode without its HMM guesses
(unknown runs of characters fall apart into single characters, so only dictionary words,
jieba's or ours, come out whole), made of Chinese characters only, at least two of them and
at most 20, and not a stop word. An event counts each term once however often it is written.

One jieba tokenizer per process, built from a pristine copy of jieba's own dictionary plus
ours. It is rebuilt after ``invalidate()`` (the dictionary actions call it on commit) and when
``KeywordRevision`` or the areas' ``AreaRevision`` has moved on, checked at most every
``GRIDGOV_KEYWORDS_TTL`` seconds (default 10).
"""

import logging
import re
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from .words import STOP_WORDS

MAX_TERM = 20
# A dictionary word beats its own parts: jieba's suggested frequency, at least this much.
MIN_FREQ = 1000
PLACE_SUFFIXES = ("街道", "社区", "镇", "乡", "村")
_CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dictionary:
    """The user dictionary at one revision: kept-whole words by kind, and the stop set."""

    places: frozenset
    governance: frozenset
    stops: frozenset

    def kind_of(self, term: str) -> str:
        if term in self.places:
            return "place"
        if term in self.governance:
            return "governance"
        return ""


def place_names() -> set[str]:
    """The streets' and communities' names (and short forms) from the area table."""
    from gridgov.areas.choices import Level
    from gridgov.areas.models import Area

    names = set()
    rows = (Area.objects.current().filter(level__in=(Level.STREET, Level.COMMUNITY))
            .values_list("name", flat=True))
    for name in rows:
        name = (name or "").strip()
        if not _CJK_ONLY.match(name) or len(name) > MAX_TERM:
            continue
        names.add(name)
        for suffix in PLACE_SUFFIXES:
            stem = name.removesuffix(suffix)
            if stem != name and len(stem) >= 2:
                names.add(stem)
                break
    return names


def load_dictionary() -> Dictionary:
    """The dictionary as stored now (two queries)."""
    from ..models import KeywordTerm, TermKind

    places, governance, stops = place_names(), set(), set()
    for term, kind in KeywordTerm.objects.filter(is_active=True).values_list("term", "kind"):
        {TermKind.PLACE: places, TermKind.GOVERNANCE: governance,
         TermKind.STOP: stops}.get(kind, set()).add(term)
    kept = places | governance
    return Dictionary(frozenset(places), frozenset(governance),
                      frozenset((STOP_WORDS | stops) - kept))


def _revision() -> tuple[int, int]:
    from gridgov.areas.models import AreaRevision

    from ..models import KeywordRevision

    return KeywordRevision.current().number, AreaRevision.current()


class _Cutter:
    """The process's tokenizer and dictionary (swapped whole on rebuild)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._base = None
        self._state = None  # (tokenizer, Dictionary)
        self._revision = None
        self._dirty = True
        self._next_check = 0.0

    def invalidate(self) -> None:
        self._dirty = True

    def _ttl(self) -> float:
        return float(getattr(settings, "GRIDGOV_KEYWORDS_TTL", 10))

    def _pristine(self):
        """jieba's own dictionary, loaded once per process (from jieba's cache file)."""
        if self._base is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            base = jieba.Tokenizer()
            base.initialize()
            self._base = base
        return self._base

    def state(self):
        state = self._state
        if state is not None and not self._dirty and time.monotonic() < self._next_check:
            return state
        with self._lock:
            if self._state is None or self._dirty:
                return self._rebuild()
            if time.monotonic() >= self._next_check:
                if _revision() != self._revision:
                    return self._rebuild()
                self._next_check = time.monotonic() + self._ttl()
            return self._state

    def _rebuild(self):
        import jieba

        self._dirty = False
        revision = _revision()
        dictionary = load_dictionary()
        base = self._pristine()
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total = dict(base.FREQ), base.total
        tokenizer.initialized = True
        for word in sorted(dictionary.places | dictionary.governance, key=len):
            tokenizer.add_word(word, max(tokenizer.suggest_freq(word, False), MIN_FREQ))
        self._state = (tokenizer, dictionary)
        self._revision = revision
        self._next_check = time.monotonic() + self._ttl()
        return self._state


_cutter = _Cutter()


def invalidate() -> None:
    """Make this process rebuild its tokenizer before the next cut."""
    _cutter.invalidate()


def current_dictionary() -> Dictionary:
    return _cutter.state()[1]


def is_term(token: str, stops) -> bool:
    return (2 <= len(token) <= MAX_TERM and bool(_CJK_ONLY.match(token))
            and token not in stops)


def terms_of(text: str) -> list[str]:
    """The distinct terms of ``text``, in order of first occurrence."""
    return terms_of_many([text])[0] if text else []


def terms_of_many(texts) -> list[list[str]]:
    """``terms_of`` of each text (one dictionary look-up for all)."""
    tokenizer, dictionary = _cutter.state()
    stops = dictionary.stops
    out = []
    for text in texts:
        seen: dict[str, None] = {}
        for token in tokenizer.cut(text or "", HMM=False):
            if is_term(token, stops):
                seen.setdefault(token, None)
        out.append(list(seen))
    return out
