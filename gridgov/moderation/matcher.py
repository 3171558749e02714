"""``check_text``: Aho-Corasick matching of text against the active lexicon.

One automaton per process, built lazily from the active ``LexiconTerm`` rows. It is rebuilt

- after ``invalidate()`` (the lexicon actions call it at once and again on commit), and
- when ``LexiconRevision`` has moved on, checked at most every ``GRIDGOV_LEXICON_TTL`` seconds
  (default 10), so an edit made in another process takes effect there within that time.

Text is normalised before matching (NFKC: full-width → half-width; case-folded; whitespace
and common separators dropped), so spacing a word out or writing it in full-width letters
does not get it through. Offsets are mapped back to the original text, so hits can be shown
highlighted where the person wrote them.
"""

import re
import threading
import time
import unicodedata
from dataclasses import dataclass

import ahocorasick
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Dropped before matching: whitespace and the separators people put between characters.
_SKIP = re.compile(r"[\s\-_.,,。·•*/\\|~、!!??'\"“”‘’()()【】\[\]<>《》]")


@dataclass(frozen=True)
class Hit:
    """One occurrence of a lexicon term in a text: [start, end) offsets in the original."""

    term: str
    category: str
    start: int
    end: int


def normalise(text: str) -> tuple[str, list[int]]:
    """The matching form of ``text`` and, per character of it, the offset in the original."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text or ""):
        for c in unicodedata.normalize("NFKC", ch).casefold():
            if _SKIP.match(c):
                continue
            out.append(c)
            where.append(i)
    return "".join(out), where


def normalise_term(term: str) -> str:
    return normalise(term)[0]


class _Lexicon:
    """The process's automaton (swapped whole on rebuild)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._automaton = None
        self._revision = None
        self._dirty = True
        self._next_check = 0.0

    def invalidate(self) -> None:
        self._dirty = True

    def _ttl(self) -> float:
        return float(getattr(settings, "GRIDGOV_LEXICON_TTL", 10))

    def automaton(self):
        auto = self._automaton
        if auto is not None and not self._dirty and time.monotonic() < self._next_check:
            return auto
        with self._lock:
            from .models import LexiconRevision

            if self._automaton is None or self._dirty:
                return self._rebuild()
            if time.monotonic() >= self._next_check:
                if LexiconRevision.current() != self._revision:
                    return self._rebuild()
                self._next_check = time.monotonic() + self._ttl()
            return self._automaton

    def _rebuild(self):
        from .models import LexiconRevision, LexiconTerm

        self._dirty = False
        revision = LexiconRevision.current()
        auto = ahocorasick.Automaton()
        for term, category in LexiconTerm.objects.filter(is_active=True).values_list(
            "term", "category"
        ):
            key = normalise_term(term)
            if key:
                auto.add_word(key, (term, category, len(key)))
        if len(auto):
            auto.make_automaton()
        else:
            auto = False  # an empty lexicon: nothing can match
        self._automaton = auto
        self._revision = revision
        self._next_check = time.monotonic() + self._ttl()
        return auto


_lexicon = _Lexicon()


def invalidate() -> None:
    """Make this process rebuild its automaton before the next check."""
    _lexicon.invalidate()


def find_hits(text: str) -> list[Hit]:
    """Every occurrence of an active term in ``text``, in order of position."""
    if not text:
        return []
    auto = _lexicon.automaton()
    if not auto:
        return []
    norm, where = normalise(text)
    hits = []
    for end, (term, category, length) in auto.iter(norm):
        start = end - length + 1
        hits.append(Hit(term, category, where[start], where[end] + 1))
    hits.sort(key=lambda h: (h.start, -h.end))
    return hits


def check_text(text: str) -> list[str]:
    """The distinct lexicon terms found in ``text``, in order of first occurrence."""
    seen: dict[str, None] = {}
    for hit in find_hits(text):
        seen.setdefault(hit.term, None)
    return list(seen)


def highlight(text: str, hits=None) -> str:
    """``text`` escaped for HTML with each hit wrapped in ``<mark>`` (overlaps merged).

    ``hits`` are dicts or ``Hit``s with start/end offsets (the stored ones of a case); when
    not given, the text is matched against the lexicon now.
    """
    text = text or ""
    if hits is None:
        hits = find_hits(text)
    spans = sorted(
        (h["start"], h["end"], h.get("term", "")) if isinstance(h, dict)
        else (h.start, h.end, h.term)
        for h in hits
    )
    merged: list[list] = []
    for start, end, term in spans:
        start, end = max(0, start), min(len(text), end)
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].append(term)
        else:
            merged.append([start, end, [term]])
    out, pos = [], 0
    for start, end, terms in merged:
        out.append(escape(text[pos:start]))
        title = escape("、".join(dict.fromkeys(t for t in terms if t)))
        out.append(f'<mark class="gg-hit" title="{title}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))
