"""The streamed exchange response shared by the exchange API and CKAN's datastore_search.

The body is written in chunks while the rows are read from the database with a server-side
cursor, so a pull of any size keeps memory flat; the SHA-256 of exactly the bytes sent is
computed on the way and kept, with the row count, as the exchange's evidence.
"""

import hashlib

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from . import actions
from .models import Grant
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
                rows_key="rows", with_id=False, paging=True, suffix=""):
    """Yield the JSON body ``{**head, "rows": [...], "count": n, "next_cursor": c, **tail}``.

    Reads at most ``limit + 1`` rows: the extra one only tells whether there is a next page.
    CKAN's datastore answer uses ``rows_key="records"``, ``with_id=True`` (each record carries
    ``_id``) and ``paging=False`` (no count or cursor; CKAN pages by offset); ``suffix`` closes
    an envelope around the body, so the evidence hash covers every byte sent.
    """
    project = projector(grant)
    opening = encode(head)[:-1]
    yield evidence.chunk(opening + ("," if head else "") + encode(rows_key) + ":[")
    buffered, count, last, more = [], 0, None, False
    try:
        for pk, stamp, data in source.iterate(qs[: limit + 1]):
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
