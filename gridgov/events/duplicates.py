"""Duplicate suggestion: the same problem reported twice (or twenty times).

A candidate has the same minor class, lies within the class's ``duplicate_radius_m`` of the
event (great-circle distance on WGS-84) and was reported within ``duplicate_window_hours``
of it, and is still live (not merged, voided, not filed or closed). Candidates are ranked by
a score that weighs text similarity most (cosine of jieba word counts, stop words and
punctuation dropped), then nearness in space and time.

Reports without a class yet (a resident's, a hotline record before the clerk registers it)
are the most often repeated, so they take part too, by text: an unclassified event is
compared with live events of any class within ``GRIDGOV_DUPLICATE_RADIUS_M`` and
``GRIDGOV_DUPLICATE_WINDOW_HOURS``, and a classified event also with unclassified ones within
its class's radius and window; either way only when the texts are alike (similarity at
least ``TEXT_THRESHOLD``), since the class no longer vouches for the match.

The clerk merges with one action:
``merge(primary, duplicates, actor=...)`` calls ``actions.merge_events``, after which a merged
event counts once and its reporters follow the primary's progress.
"""

import logging
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from .actions.merge import merge_events
from .choices import State
from .models import Event

EARTH_RADIUS_M = 6_371_008.8
WEIGHT_TEXT, WEIGHT_DISTANCE, WEIGHT_TIME = 0.6, 0.25, 0.15
DEFAULT_LIMIT = 10
CLOSED_STATES = (State.MERGED, State.VOID, State.NOT_FILED, State.CLOSED)
# Without a shared class, texts at least this alike (cosine of word counts) make a match.
TEXT_THRESHOLD = 0.3
_STOP = set("的了是在和与及或就也都而且这那有个一么吗呢吧啊呀哦嗯请您我你他她它们")
_WORD = re.compile(r"\w", re.UNICODE)
_jieba_lock = threading.Lock()


def haversine_m(lng1, lat1, lng2, lat2) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def tokens(text: str) -> Counter:
    """Word counts of ``text`` (jieba for Chinese; stop words and punctuation dropped)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter on stderr
    with _jieba_lock:  # the first call loads the dictionary; keep that to one thread
        words = jieba.lcut(text or "")
    return Counter(w.lower() for w in words
                   if _WORD.search(w) and not (len(w) == 1 and w in _STOP))


def similarity(a: str, b: str) -> float:
    """Cosine similarity of the two texts' word counts, 0..1."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    dot = sum(ta[w] * tb[w] for w in ta.keys() & tb.keys())
    norm = math.sqrt(sum(v * v for v in ta.values())) * math.sqrt(sum(v * v for v in tb.values()))
    return dot / norm if norm else 0.0


@dataclass
class Suggestion:
    """One likely duplicate of an event and why it was suggested."""

    event: Event
    distance_m: float
    hours_apart: float
    text_similarity: float
    score: float


def _limits(event) -> tuple[float, float]:
    """(radius in metres, window in hours) for the event's class, or the defaults."""
    from django.conf import settings

    if event.category_id is not None:
        return (float(event.category.duplicate_radius_m),
                float(event.category.duplicate_window_hours))
    return (float(getattr(settings, "GRIDGOV_DUPLICATE_RADIUS_M", 100)),
            float(getattr(settings, "GRIDGOV_DUPLICATE_WINDOW_HOURS", 72)))


def suggest(event: Event, *, user=None, limit: int = DEFAULT_LIMIT) -> list[Suggestion]:
    """Likely duplicates of ``event``, best first (only events ``user`` may see, if given)."""
    if event.state in CLOSED_STATES:
        return []
    radius, window = _limits(event)
    # A bounding box in degrees first (indexed columns), the exact distance after.
    dlat = radius / 111_320.0
    dlng = radius / (111_320.0 * max(0.01, math.cos(math.radians(event.lat))))
    from datetime import timedelta

    span = timedelta(hours=window)
    candidates = Event.objects.all() if user is None else Event.objects.restrict(user)
    if event.category_id is not None:
        # Same class, or not classified yet (then the text must match).
        candidates = candidates.filter(Q(category_id=event.category_id)
                                       | Q(category__isnull=True))
    candidates = (
        candidates.filter(
            lng__gte=event.lng - dlng, lng__lte=event.lng + dlng,
            lat__gte=event.lat - dlat, lat__lte=event.lat + dlat,
            created_at__gte=event.created_at - span, created_at__lte=event.created_at + span,
        )
        .exclude(pk=event.pk)
        .exclude(state__in=CLOSED_STATES)
        .exclude(Q(merged_into__isnull=False))
        .select_related("category", "grid")
    )
    out = []
    for other in candidates:
        distance = haversine_m(event.lng, event.lat, other.lng, other.lat)
        if distance > radius:
            continue
        hours = abs((other.created_at - event.created_at).total_seconds()) / 3600
        text = similarity(event.description, other.description)
        same_class = event.category_id is not None and other.category_id == event.category_id
        if not same_class and text < TEXT_THRESHOLD:
            continue
        score = (WEIGHT_TEXT * text
                 + WEIGHT_DISTANCE * (1 - distance / radius if radius else 1)
                 + WEIGHT_TIME * (1 - hours / window if window else 1))
        out.append(Suggestion(other, distance, hours, text, round(score, 4)))
    out.sort(key=lambda s: (-s.score, s.distance_m, s.event.pk))
    return out[:limit]


def merge(primary: Event, duplicates, *, actor) -> Event:
    """Merge ``duplicates`` into ``primary`` in one action (``actions.merge_events``)."""
    duplicates = [d for d in duplicates if d.pk != primary.pk]
    if not duplicates:
        raise ValidationError({"duplicates": _("请至少选择一个要合并的重复事件。")})
    return merge_events(primary, duplicates, actor=actor)
