"""Reading the texts into the index (``NeedMention``) and rolling it up (``NeedCount``).

``refresh()`` is incremental: each source is read from the id after the last one indexed
(``NeedIndexState.last_id``) in batches of ``BATCH`` rows — a report's description, a visit
and a contact log are not edited after they are written — and only the months that got new
or removed mentions are counted again (one GROUP BY per refresh). Every batch is a fixed
number of queries whatever its size: the rows, the people's care tags, the people behind the
hotline callers' phones, one delete, one bulk insert. No per-row query.

Why a stored rollup refreshed by a periodic job rather than counting on the page: matching a
vocabulary against every text is Python work (Aho-Corasick over each text), far too slow for a
page over a district's hundreds of thousands of reports; once indexed, the page reads a few
thousand counter rows. The job (``gridgov.needs.tasks.refresh_needs``, every 15 minutes) and
the page's 立即更新 button call the same action; the page says when the figures were made.

Corrections:
- an event held for review (待审核) is not read until released: its id waits in ``pending``;
- an event voided or merged after it was read loses its mentions at the next refresh;
- a change of the vocabulary (its digest differs from the one the index was built with)
  rebuilds everything (``full``).

Who a text is about: a visit's person, a contact log's household head, and for a report the
one resident whose phone (keyed hash) is the caller's, when exactly one resident has it. The
person's care tags at reading time are the resident groups; else "其他".
"""

import datetime as dt

from django.apps import apps
from django.db.models import Count
from django.utils import timezone

from .choices import EXCLUDED_EVENT_STATES, HOTLINE_SOURCES, OTHER_GROUP, SourceKind
from .classify import classifier, mask_text
from .models import NeedCount, NeedIndexState, NeedMention

BATCH = 2000
EVENT_KINDS = (SourceKind.EVENT, SourceKind.HOTLINE)
# The readers, in order: a state row each ("event" covers reports and hotline work orders).
READERS = ("event", "visit", "contact")


def month_of(moment) -> dt.date:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return dt.date(local.year, local.month, 1)


class Text:
    """One text to classify, with where, when and whom it is about."""

    __slots__ = ("kind", "id", "area_code", "at", "text", "needs", "person_id", "names",
                 "phone_hash")

    def __init__(self, kind, id, area_code, at, text, needs=(), person_id=None, names=(),
                 phone_hash=""):
        self.kind, self.id, self.area_code, self.at = kind, id, area_code, at
        self.text, self.needs, self.person_id = text, needs, person_id
        self.names, self.phone_hash = names, phone_hash


# --- the sources --------------------------------------------------------------------------


def _events(qs) -> tuple[list[Text], list[int], int]:
    """(texts, held ids, last id) of an event queryset."""
    texts, held, last = [], [], 0
    rows = qs.values_list("pk", "source", "state", "area_code", "created_at", "description",
                          "reporter_name", "reporter_phone_hash")
    for pk, source, state, area, at, text, reporter, phone in rows:
        last = max(last, pk)
        if state == "held":
            held.append(pk)
            continue
        if state in EXCLUDED_EVENT_STATES:
            continue
        kind = SourceKind.HOTLINE if source in HOTLINE_SOURCES else SourceKind.EVENT
        texts.append(Text(kind, pk, area, at, text, names=(reporter,), phone_hash=phone))
    return texts, held, last


def read_events(after: int, ids=None):
    from gridgov.events.models import Event

    qs = Event.objects.order_by("pk")
    qs = qs.filter(pk__in=ids) if ids is not None else qs.filter(pk__gt=after)[:BATCH]
    return _events(qs)


def read_visits(after: int):
    from gridgov.visits.models import Visit

    rows = (Visit.objects.filter(pk__gt=after).order_by("pk")
            .values_list("pk", "area_code", "visited_at", "notes", "needs", "needs_note",
                         "person_id", "person__name")[:BATCH])
    texts, last = [], 0
    for pk, area, at, notes, needs, note, person, name in rows:
        last = pk
        texts.append(Text(SourceKind.VISIT, pk, area, at, f"{notes} {note}".strip(),
                          needs=needs or (), person_id=person, names=(name,)))
    return texts, [], last


def contact_model():
    """``partywork.ContactLog`` when that app is installed (read lazily: optional)."""
    try:
        return apps.get_model("partywork", "ContactLog")
    except LookupError:
        return None


def read_contacts(after: int):
    model = contact_model()
    if model is None:
        return [], [], 0
    rows = (model.objects.filter(pk__gt=after).order_by("pk")
            .values_list("pk", "area_code", "contacted_at", "notes", "needs", "needs_note",
                         "link__household_head_id", "link__household_head__name")[:BATCH])
    texts, last = [], 0
    for pk, area, at, notes, needs, note, person, name in rows:
        last = pk
        texts.append(Text(SourceKind.CONTACT, pk, area, at, f"{notes} {note}".strip(),
                          needs=needs or (), person_id=person, names=(name,)))
    return texts, [], last


SOURCE_READERS = {"event": read_events, "visit": read_visits, "contact": read_contacts}
KINDS_OF = {"event": EVENT_KINDS, "visit": (SourceKind.VISIT,),
            "contact": (SourceKind.CONTACT,)}


# --- who the texts are about ----------------------------------------------------------------


def _callers(texts: list[Text]) -> None:
    """Set the person of reports whose caller's phone is exactly one resident's (one query)."""
    from gridgov.basedata.models import Person

    hashes = {t.phone_hash for t in texts if t.phone_hash and t.person_id is None}
    if not hashes:
        return
    seen: dict[str, list[tuple[int, str]]] = {}
    for phone, pk, name in (Person.objects.filter(phone_hash__in=hashes,
                                                  merged_into__isnull=True)
                            .values_list("phone_hash", "pk", "name")):
        seen.setdefault(phone, []).append((pk, name))
    for text in texts:
        people = seen.get(text.phone_hash) or []
        if text.person_id is None and len(people) == 1:
            text.person_id = people[0][0]
            text.names = (*text.names, people[0][1])


def _groups(person_ids) -> dict[int, list[str]]:
    """Care-group tag names of each person (one query), in the tags' name order."""
    from gridgov.basedata.models import Person

    out: dict[int, list[str]] = {}
    if not person_ids:
        return out
    rows = (Person.tags.through.objects.filter(person_id__in=person_ids, tag__kind="care")
            .order_by("person_id", "tag__name").values_list("person_id", "tag__name"))
    for person_id, name in rows:
        out.setdefault(person_id, []).append(name)
    return out


def mentions_of(texts: list[Text], clf) -> list[NeedMention]:
    """The index rows of ``texts`` (two queries: the callers, the people's groups)."""
    _callers(texts)
    groups = _groups({t.person_id for t in texts if t.person_id})
    out = []
    for text in texts:
        found = clf.categories(text.text, text.needs)
        if not found:
            continue
        names = tuple(n for n in text.names if n)
        excerpt = mask_text(text.text, names)
        month = month_of(text.at)
        for category_id in sorted(found):
            for n, group in enumerate(groups.get(text.person_id) or [OTHER_GROUP]):
                out.append(NeedMention(
                    source=text.kind, source_id=text.id, category_id=category_id,
                    area_code=text.area_code, month=month, occurred_at=text.at, group=group,
                    primary=(n == 0), person_id=text.person_id, excerpt=excerpt))
    return out


# --- writing --------------------------------------------------------------------------------


def _replace(reader: str, ids: list[int], rows: list[NeedMention], months: set) -> int:
    """Replace the mentions of the texts ``ids`` of ``reader`` by ``rows``."""
    old = NeedMention.objects.filter(source__in=KINDS_OF[reader], source_id__in=ids)
    months.update(old.values_list("month", flat=True).distinct())
    old.delete()
    NeedMention.objects.bulk_create(rows, batch_size=BATCH)
    months.update(r.month for r in rows)
    return len(rows)


def _drop_excluded_events(last_id: int, months: set) -> int:
    """Remove the mentions of events voided, merged or held after they were read."""
    from gridgov.events.models import Event

    gone = NeedMention.objects.filter(
        source__in=EVENT_KINDS, source_id__in=Event.objects.filter(
            state__in=EXCLUDED_EVENT_STATES, pk__lte=last_id).values("pk"))
    months.update(gone.values_list("month", flat=True).distinct())
    return gone.delete()[0]


def recount(months=None) -> int:
    """Rebuild the rollup rows of ``months`` (None: every month): two GROUP BY queries."""
    counts = NeedCount.objects.all()
    mentions = NeedMention.objects.all()
    if months is not None:
        months = sorted(months)
        if not months:
            return 0
        counts = counts.filter(month__in=months)
        mentions = mentions.filter(month__in=months)
    counts.delete()
    fields = ("area_code", "month", "group", "category_id")
    rows = [NeedCount(area_code=r["area_code"], month=r["month"], group=r["group"],
                      category_id=r["category_id"], mentions=r["n"], people=r["people"])
            for r in mentions.values(*fields).annotate(
                n=Count("id"), people=Count("person", distinct=True)).order_by()]
    rows += [NeedCount(area_code=r["area_code"], month=r["month"], group="",
                       category_id=r["category_id"], mentions=r["n"], people=r["people"])
             for r in mentions.filter(primary=True).values("area_code", "month", "category_id")
             .annotate(n=Count("id"), people=Count("person", distinct=True)).order_by()]
    NeedCount.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def refresh(*, full: bool = False, max_batches: int | None = None) -> dict:
    """Read what is new into the index and recount the months touched (see the module).

    ``full``: forget the index and read everything again. ``max_batches`` bounds the work
    per source (a periodic job catching up on a large backlog picks up where it stopped).
    Runs inside the caller's transaction (``actions.refresh_needs``)."""
    clf = classifier()
    states = {s.source: s for s in NeedIndexState.objects.select_for_update()}
    for reader in READERS:
        if reader not in states:
            states[reader] = NeedIndexState.objects.create(source=reader)
    if any(s.vocabulary and s.vocabulary != clf.digest for s in states.values()):
        full = True
    totals = {"texts": 0, "mentions": 0, "removed": 0, "full": full}
    months: set = set()
    if full:
        NeedMention.objects.all().delete()
        for state in states.values():
            state.last_id, state.pending = 0, []
    # Held events released since: read them now (or keep waiting).
    state = states["event"]
    if state.pending:
        texts, held, _last = read_events(0, ids=state.pending)
        rows = mentions_of(texts, clf)
        totals["mentions"] += _replace("event", [t.id for t in texts], rows, months)
        totals["texts"] += len(texts)
        state.pending = sorted(held)
    if not full:
        totals["removed"] += _drop_excluded_events(state.last_id, months)
    for reader in READERS:
        state, batches = states[reader], 0
        while max_batches is None or batches < max_batches:
            texts, held, last = SOURCE_READERS[reader](state.last_id)
            if not last:
                break
            rows = mentions_of(texts, clf)
            totals["mentions"] += _replace(reader, [t.id for t in texts], rows, months)
            totals["texts"] += len(texts)
            state.pending = sorted(set(state.pending) | set(held))
            state.last_id = last
            batches += 1
    now = timezone.now()
    for state in states.values():
        state.vocabulary, state.refreshed_at = clf.digest, now
        state.save()
    totals["counts"] = recount(None if full else months)
    totals["months"] = len(months)
    return totals


def refreshed_at():
    """When the figures were last made (None: never)."""
    return (NeedIndexState.objects.filter(refreshed_at__isnull=False)
            .order_by("-refreshed_at").values_list("refreshed_at", flat=True).first())

