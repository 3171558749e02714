"""The figures of the keyword page: terms by the number of cases that mention them.

Which cases: the events the person may see (``StatsQuery.events``: ``restrict(user, "view")``
and the chosen area), reported in the period, except 作废 and 已合并 (a merged report is the
same matter as the case it joined) and 待审核 (held by the harmful-content filter: its text
is shown only to its reviewers), optionally of one channel (热线: 81890 and 12345; 其他
渠道: the rest). A term's count is the number of those cases whose description contains it
(``EventTerm`` holds each term of an event once), not how often it is written.

Rising terms (``RISE_*``): at least ``RISE_MIN`` cases in the period, at least
``RISE_DELTA`` more than in the previous period, and at least ``RISE_RATIO`` times as many
(a term new in the period counts as rising when it reaches ``RISE_MIN``); the biggest
increase first.

The previous period is ``Period.previous()``: while the period runs, the same elapsed part
of the one before (as on the other statistics pages). The counts of both periods are one
GROUP BY over ``EventTerm`` (ranges of its ``created_at`` index, the events a semi-join);
a term's cases (``cases``) are the same events joined to the term, so the list behind a
figure holds exactly that many cases.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from gridgov.events.choices import Source, State

from ..aggregates import StatsQuery, change
from ..models import EventTerm
from ..periods import Period
from .index import fill_missing
from .tokenize import current_dictionary

EXCLUDED_STATES = (State.VOID, State.MERGED, State.HELD)
HOTLINE = (Source.HOTLINE_81890, Source.HOTLINE_12345)
CHANNELS = ("", "hotline", "other")
TOP_CHART = 20
WORDS = 100
RISING = 20
RISE_MIN = 5
RISE_DELTA = 3
RISE_RATIO = 1.5
# Events of the two periods indexed on the page's request when they have no rows yet.
LAZY_MAX = 2000


@dataclass
class TermRow:
    """One term: its cases in the period and in the previous period."""

    term: str
    cur: int
    prev: int
    kind: str = ""

    @property
    def delta(self) -> int:
        return self.cur - self.prev

    @property
    def change(self) -> float | None:
        return change(self.cur, self.prev)

    @property
    def rising(self) -> bool:
        return (self.cur >= RISE_MIN and self.delta >= RISE_DELTA
                and self.cur >= RISE_RATIO * self.prev)


class KeywordAnalysis:
    """The terms of one person's cases in one area, period and channel."""

    def __init__(self, query: StatsQuery, channel: str = ""):
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        self.query = query
        self.channel = channel
        self.period = query.period
        self.previous = query.period.previous()
        self.unindexed_left = False

    def events(self, period: Period | None = None):
        """The cases counted (of ``period``, or of both periods when not given)."""
        qs = self.query.events().exclude(state__in=EXCLUDED_STATES)
        if self.channel == "hotline":
            qs = qs.filter(source__in=HOTLINE)
        elif self.channel == "other":
            qs = qs.exclude(source__in=HOTLINE)
        return qs.filter(self._where(period))

    def _where(self, period: Period | None) -> Q:
        """Reported in ``period``, or in either period (the previous one is only the same
        elapsed part while the period runs, so the two need not be adjacent)."""
        periods = (period,) if period is not None else (self.previous, self.period)
        where = Q()
        for each in periods:
            start, end = each.bounds()
            where |= Q(created_at__gte=start, created_at__lt=end)
        return where

    def fill(self) -> None:
        """Index the cases of both periods that have no term rows yet (bounded)."""
        _done, self.unindexed_left = fill_missing(self.events(), LAZY_MAX)

    def rows(self) -> list[TermRow]:
        """Every term of the two periods with its counts (one query), most cases first."""
        counts = (EventTerm.objects
                  .filter(self._where(None), event__in=self.events().values("pk"))
                  .exclude(term="").values("term")
                  .annotate(cur=Count("id", filter=self._where(self.period)),
                            prev=Count("id", filter=self._where(self.previous)))
                  .order_by())
        dictionary = current_dictionary()
        out = [TermRow(r["term"], r["cur"], r["prev"], dictionary.kind_of(r["term"]))
               for r in counts]
        out.sort(key=lambda r: (-r.cur, -r.prev, r.term))
        return out

    def case_count(self) -> int:
        return self.events(self.period).count()

    def cases(self, term: str, period: Period | None = None):
        """The cases of ``period`` (the current one when not given) mentioning ``term``."""
        period = period or self.period
        return self.events(period).filter(keyword_terms__term=term)


def top_terms(rows: list[TermRow], limit: int = WORDS) -> list[TermRow]:
    return [r for r in rows if r.cur > 0][:limit]


def rising_terms(rows: list[TermRow], limit: int = RISING) -> list[TermRow]:
    rising = [r for r in rows if r.rising]
    rising.sort(key=lambda r: (-r.delta, -r.cur, r.term))
    return rising[:limit]
