"""CKAN's ``datastore_search``: a granted resource's rows, with the granted fields and masks.

Only a caller holding ``protocols.read_rows`` (department API keys) whose department holds an
active grant reads rows. Every answer is kept as exchange evidence: the hash of the exact bytes
sent, once the body is complete. Without ``filters`` or ``q`` the rows are streamed from the
database; with them, matched on their plain values in one pass and answered at once.
"""

import json

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from gridgov.core.context import current_request_id
from gridgov.core.personal_data import mask_value
from gridgov.protocols.common import require_row_reader, row_grant
from gridgov.sharing.choices import CKAN_TYPES, ExchangeChannel
from gridgov.sharing.exchange import Evidence, encode, stream_rows
from gridgov.sharing.sources import RowSource, SourceUnavailable

from .catalog import find_table
from .errors import Invalid, NotFound
from .params import int_param, required
from .shapes import help_url

DATASTORE_MAX = 32000


class Stream:
    """A datastore_search answer streamed from the database (no filters, no q)."""

    def __init__(self, source, qs, grant, limit, evidence, head, params):
        self.args = (source, qs, grant, limit, evidence, head, params)


class Logged:
    """A computed datastore_search answer whose evidence is kept once it is rendered."""

    def __init__(self, result, evidence):
        self.result, self.evidence = result, evidence


def _filters(params) -> dict:
    filters = params.get("filters") or {}
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except ValueError:
            raise Invalid(_("filters 应为 JSON 对象。"), {"filters": [_("应为 JSON 对象")]})
    if not isinstance(filters, dict):
        raise Invalid(_("filters 应为 JSON 对象。"), {"filters": [_("应为 JSON 对象")]})
    return filters


def datastore_search(request, params, principal, base):
    ident = required(params, "resource_id")
    scope = require_row_reader(
        principal, message=_("datastore_search 需要已获授权部门的 API 密钥。"))
    resource = find_table(principal, ident)
    grant = row_grant(scope, resource)
    limit = int_param(params, "limit", 100, maximum=DATASTORE_MAX)
    offset = int_param(params, "offset", 0)
    filters = _filters(params)
    bad = [k for k in filters if k not in grant.fields]
    if bad:
        raise Invalid(_("不能按未授权的字段筛选:%(f)s。") % {"f": ", ".join(bad)},
                      {"filters": [_("未授权的字段")]})
    q = str(params.get("q") or "").strip()
    try:
        source = RowSource(resource)
    except SourceUnavailable:
        raise NotFound(_("该资源的数据源在本系统中不可用。"))
    types = {f.name: CKAN_TYPES.get(f.type, "text") for f in resource.fields.all()}
    fields = [{"id": "_id", "type": "int"}] + [
        {"id": f, "type": types.get(f, "text")} for f in grant.fields]
    evidence = Evidence(
        actor=principal, resource=resource, grant=grant, channel=ExchangeChannel.CKAN,
        request_id=current_request_id(), case_id=request.headers.get("X-Case-Id", ""),
        params={"limit": limit, "offset": offset, "q": q, "filters": filters},
    )
    if not filters and not q:
        total = source.count()
        qs = source.walk()[offset:]
        return Stream(source, qs, grant, limit, evidence, {
            "resource_id": str(resource.table_uid), "fields": fields, "total": total,
            "limit": limit, "offset": offset,
        }, params)
    # Filtered or searched: the rows are matched on their plain values in one pass (the
    # consumer may only filter on fields it was granted), then projected as granted.
    masked = {f for f, m in grant.masking.items() if m == "masked"}
    matched, total = [], 0
    for pk, _stamp, data in source.iterate(source.walk()):
        if any(str(data.get(k)) != str(v) for k, v in filters.items()):
            continue
        if q and not any(q in str(data.get(f, "")) for f in grant.fields):
            continue
        total += 1
        if offset < total <= offset + limit:
            out = {"_id": pk}
            for f in grant.fields:
                out[f] = mask_value(data.get(f)) if f in masked else data.get(f)
            matched.append(out)
    evidence.rows = len(matched)
    result = {"resource_id": str(resource.table_uid), "fields": fields, "records": matched,
              "total": total, "limit": limit, "offset": offset,
              "_links": _links(request, params, limit, offset)}
    return Logged(result, evidence)


def _links(request, params, limit, offset):
    path = request.path
    return {"start": f"{path}?resource_id={params.get('resource_id')}&limit={limit}",
            "next": f"{path}?resource_id={params.get('resource_id')}&limit={limit}"
                    f"&offset={offset + limit}"}


def stream_response(request, name, stream: Stream):
    """The streamed answer in CKAN's envelope; its bytes are hashed into the evidence."""
    source, qs, grant, limit, evidence, head, params = stream.args
    opening = {"help": help_url(request, name), "success": True}

    def body():
        yield evidence.chunk(encode(opening)[:-1] + ',"result":')
        yield from stream_rows(
            source, qs, grant, limit=limit, evidence=evidence, head=head,
            tail={"_links": _links(request, params, limit, head["offset"])},
            rows_key="records", with_id=True, paging=False, suffix="}",
        )

    return StreamingHttpResponse(body(), content_type="application/json;charset=utf-8")
