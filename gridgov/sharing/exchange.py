"""The streamed exchange response shared by the exchange API and CKAN's datastore_search.

The body is written in chunks while the rows are read from the database with a server-side
cursor, so a pull of any size keeps memory flat; the SHA-256 of exactly the bytes sent is
computed on the way and kept, with the row count, as the exchange's evidence.
"""

import functools
import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import actions
from .choices import Masking
from .models import Grant, masked_together
from .sources import encode_cursor, projector

FLUSH_ROWS = 500

_encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))
encode = _encoder.encode


def active_grant(resource, consumer_id) -> Grant:
    """The consumer's active grant on the resource, or PermissionDenied (403)."""
    grant = Grant.objects.active().filter(resource=resource, consumer_id=consumer_id).first()
    if grant is None:
        raise PermissionDenied(_("本部门未获得该资源的共享授权,或授权已撤销。"))
    return grant


# --- what a consumer may search, filter and sort on ---------------------------------------------
#
# A grant lets its consumer see some fields plain and some masked. Whatever the consumer asks
# of the rows (a full-text search, a filter, a sort) runs on the plain values held by the
# server, so a question on a masked field is an oracle on the value the mask hides: a prefix
# plus one more digit, asked once per digit, recovers a whole ID number, and an exact filter
# confirms a guess. A keyed lookup hash would not help: an exact match on the hash still
# confirms a guess of a value as guessable as an ID number (region, birth date, 3 digits), and
# uploaded rows carry no such hash anyway. So searches, filters and sorts look only at the
# fields the grant leaves plain; a filter or sort naming any other field is refused.

MASKED_FILTER = gettext_lazy("该字段已脱敏,不能按其筛选")
MASKED_SORT = gettext_lazy("该字段已脱敏,不能按其排序")
MASKED_SEARCH = gettext_lazy("该字段已脱敏,不能按其搜索")
# Whole sentences, so a translation never has to assemble words.
UNGRANTED = {
    "filter": gettext_lazy("不能按未授权的字段筛选:%(f)s。"),
    "sort": gettext_lazy("不能按未授权的字段排序:%(f)s。"),
    "search": gettext_lazy("不能按未授权的字段搜索:%(f)s。"),
}


def own_grant(resource) -> Grant:
    """What the provider department sees of its own resource (unsaved, never stored): every
    field, the sensitive ones masked as a grant masks them by default; full values go through
    the audited reveal, never through an export or a page of rows."""
    fields = list(resource.fields.all())
    return Grant(resource=resource, consumer_id=resource.provider_id,
                 fields=[f.name for f in fields],
                 masking=masked_together({f.name: Masking.MASKED if f.sensitive
                                          else Masking.PLAIN for f in fields}))


def granted_rows(source, qs, grant):
    """(pk, timestamp, row) for each row of ``qs`` as the exchange API sends it: only the
    granted fields, masked as granted, each value as its JSON gives it (dates as ISO text).
    The web preview and downloads read through this, so they can never show more than the
    API would."""
    project = projector(grant)
    loads = json.loads
    for pk, stamp, data in source.iterate(qs):
        yield pk, stamp, loads(encode(project(data)))


def plain_fields(grant) -> list[str]:
    """The granted fields the consumer sees plain: the only ones a search, filter or sort may
    look at."""
    return [f for f in grant.fields if grant.masking.get(f) != Masking.MASKED]


def check_fields(grant, names, *, param: str, action: str = "filter") -> None:
    """A ValidationError on ``param`` naming each field in ``names`` that the grant does not
    include or masks; ``action`` is "filter", "sort" or "search"."""
    names = [str(n) for n in names]
    unknown = [n for n in names if n not in grant.fields]
    if unknown:
        raise ValidationError({param: str(UNGRANTED[action]) % {"f": ", ".join(unknown)}})
    masked = [n for n in names if grant.masking.get(n) == Masking.MASKED]
    if masked:
        reason = {"filter": MASKED_FILTER, "sort": MASKED_SORT, "search": MASKED_SEARCH}[action]
        raise ValidationError({param: f"{reason}:{', '.join(masked)}。"})


def row_matcher(grant, *, filters=None, q="", fields_q=None):
    """A predicate on plain rows for the consumer's ``filters`` (field → exact value, or a list
    of values any of which matches), ``q`` (text found in any field the grant leaves plain)
    and ``fields_q`` (field → text found in that field); ``None`` when nothing is asked.
    Raises a ValidationError (``check_fields``) for a filter or a field search on a field the
    grant masks or does not include."""
    filters = dict(filters or {})
    fields_q = {k: str(v) for k, v in (fields_q or {}).items()}
    check_fields(grant, filters, param="filters", action="filter")
    check_fields(grant, fields_q, param="q", action="search")
    q = str(q or "")
    if not filters and not q and not fields_q:
        return None
    # A list of values is CKAN's "any of these".
    wanted = [(k, {str(x) for x in v} if isinstance(v, list) else {str(v)})
              for k, v in filters.items()]
    searched = plain_fields(grant)

    def match(data) -> bool:
        if any(str(data.get(k)) not in v for k, v in wanted):
            return False
        if any(v not in str(data.get(k, "")) for k, v in fields_q.items()):
            return False
        return not q or any(q in str(data.get(f, "")) for f in searched)

    return match


def _sort_value(value):
    if value is None:
        return (2, "")
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value))


def row_order(grant, sort: list[tuple[str, bool]], *, param="sort"):
    """A sort key on (pk, plain row) pairs for ``sort`` = [(field, descending)], ``"_id"``
    being the row's id; a ValidationError for a field the grant masks or does not include."""
    check_fields(grant, [f for f, _desc in sort if f != "_id"], param=param, action="sort")

    def compare(a, b):
        for field, desc in sort:
            x, y = ((a[0], b[0]) if field == "_id"
                    else (_sort_value(a[1].get(field)), _sort_value(b[1].get(field))))
            if x != y:
                result = -1 if x < y else 1
                return -result if desc else result
        return (a[0] > b[0]) - (a[0] < b[0])

    return functools.cmp_to_key(compare)


class Evidence:
    """Hashes the chunks it is given and logs the exchange once the body is complete."""

    def __init__(self, *, actor, resource, grant, channel, request_id, case_id, params):
        self.hash = hashlib.sha256()
        self.rows = 0
        self.logged = None
        self.kwargs = dict(actor=actor, resource=resource, grant=grant, channel=channel,
                           request_id=request_id, case_id=case_id, params=params)

    def chunk(self, text: str) -> bytes:
        data = text.encode("utf-8")
        self.hash.update(data)
        return data

    def finish(self):
        if self.logged is None:
            self.logged = actions.log_exchange(row_count=self.rows,
                                               sha256=self.hash.hexdigest(), **self.kwargs)
        return self.logged


def stream_rows(source, qs, grant, *, limit, evidence, head: dict, tail: dict | None = None,
                rows_key="rows", with_id=False, paging=True, suffix="", match=None):
    """Yield the JSON body ``{**head, "rows": [...], "count": n, "next_cursor": c, **tail}``.

    Reads at most ``limit + 1`` rows: the extra one only tells whether there is a next page.
    CKAN's datastore answer uses ``rows_key="records"``, ``with_id=True`` (each record carries
    ``_id``) and ``paging=False`` (no count or cursor; CKAN pages by offset); ``suffix`` closes
    an envelope around the body, so the evidence hash covers every byte sent. ``match``
    (``row_matcher``) keeps only the rows it accepts; the walk then reads on until it has
    ``limit + 1`` of them.
    """
    project = projector(grant)
    opening = encode(head)[:-1]
    yield evidence.chunk(opening + ("," if head else "") + encode(rows_key) + ":[")
    buffered, count, last, more = [], 0, None, False
    try:
        rows = source.iterate(qs[: limit + 1] if match is None else qs)
        for pk, stamp, data in rows:
            if match is not None and not match(data):
                continue
            if count == limit:
                more = True
                break
            out = project(data)
            if with_id:
                out = {"_id": pk, **out}
            buffered.append(out)
            count += 1
            last = (stamp, pk)
            if len(buffered) >= FLUSH_ROWS:
                # One encoder call per batch: "[a,b,c]" without its brackets.
                yield evidence.chunk(("," if count > len(buffered) else "")
                                     + encode(buffered)[1:-1])
                buffered = []
        if buffered:
            yield evidence.chunk(("," if count > len(buffered) else "") + encode(buffered)[1:-1])
        closing = {"count": count,
                   "next_cursor": encode_cursor(source.stamp(last[0]), last[1])
                   if more and last else None} if paging else {}
        closing.update(tail or {})
        evidence.rows = count
        yield evidence.chunk("]" + ("," + encode(closing)[1:] if closing else "}") + suffix)
    finally:
        evidence.rows = count
        evidence.finish()
