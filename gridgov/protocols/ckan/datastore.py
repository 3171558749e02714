"""CKAN's ``datastore_search``: a granted resource's rows, with the granted fields and masks.

Only a caller holding ``protocols.read_rows`` (department API keys) whose department holds an
active grant reads rows. Every answer is kept as exchange evidence: the hash of the exact bytes
sent, once the body is complete. Without ``filters``, ``q`` or ``sort`` the rows are streamed
from the database; with them, matched and ordered in one pass and answered at once.

``q``, ``filters`` and ``sort`` look only at the fields the grant leaves plain
(``sharing.exchange.row_matcher`` / ``row_order``): full-text ``q`` never looks at a masked
field, and a filter, field search or sort on a masked field is a 409 Validation Error, because
any answer computed from the hidden value (a match, an order) would reveal it.
"""

import heapq
import json

from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from gridgov.core.context import current_request_id
from gridgov.protocols.common import require_row_reader, row_grant
from gridgov.sharing.choices import CKAN_TYPES, ExchangeChannel
from gridgov.sharing.exchange import Evidence, encode, row_matcher, row_order, stream_rows
from gridgov.sharing.sources import RowSource, SourceUnavailable, projector

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


def _q(params):
    """``q`` as CKAN takes it: text searched in every field, or a JSON object of field → text
    (as an object in a JSON body or as a JSON string). Returns (text, {field: text})."""
    q = params.get("q")
    if isinstance(q, str) and q.strip().startswith("{"):
        try:
            q = json.loads(q)
        except ValueError:
            pass
    if isinstance(q, dict):
        return "", {str(k): str(v) for k, v in q.items() if str(v).strip()}
    return str(q or "").strip(), {}


def _sort(params) -> list[tuple[str, bool]]:
    """CKAN's ``sort``: "field [asc|desc], ..." as [(field, descending)]."""
    out = []
    for part in str(params.get("sort") or "").split(","):
        bits = part.split()
        if not bits:
            continue
        direction = bits[1].lower() if len(bits) > 1 else "asc"
        if len(bits) > 2 or direction not in ("asc", "desc"):
            raise Invalid(_("不支持的排序:%(s)s。") % {"s": part.strip()},
                          {"sort": [_("不支持的排序")]})
        out.append((bits[0].strip('"'), direction == "desc"))
    return out


def _checked(call):
    """Run ``call`` and answer its ValidationError as CKAN's 409 Validation Error."""
    try:
        return call()
    except ValidationError as exc:
        fields = exc.message_dict
        raise Invalid("; ".join(m for ms in fields.values() for m in ms), fields)


def datastore_search(request, params, principal, base):
    ident = required(params, "resource_id")
    scope = require_row_reader(
        principal, message=_("datastore_search 需要已获授权部门的 API 密钥。"))
    resource = find_table(principal, ident)
    grant = row_grant(scope, resource)
    limit = int_param(params, "limit", 100, maximum=DATASTORE_MAX)
    offset = int_param(params, "offset", 0)
    filters = _filters(params)
    q, fields_q = _q(params)
    sort = _sort(params)
    # Refused before anything is read: a filter, field search or sort on a field the grant
    # masks or does not include.
    match = _checked(lambda: row_matcher(grant, filters=filters, q=q, fields_q=fields_q))
    key = _checked(lambda: row_order(grant, sort)) if sort else None
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
        params={"limit": limit, "offset": offset, "q": fields_q or q, "filters": filters,
                **({"sort": params.get("sort")} if sort else {})},
    )
    if match is None and key is None:
        total = source.count()
        qs = source.walk()[offset:]
        return Stream(source, qs, grant, limit, evidence, {
            "resource_id": str(resource.table_uid), "fields": fields, "total": total,
            "limit": limit, "offset": offset,
        }, params)
    # Filtered, searched or sorted: the rows are matched in one pass on the fields the grant
    # leaves plain only, then projected (and masked) as granted.
    project = projector(grant)
    total = 0

    def hits():
        nonlocal total
        for pk, _stamp, data in source.iterate(source.walk()):
            if match is None or match(data):
                total += 1
                yield pk, data

    if key is None or offset + limit == 0:
        page = [hit for n, hit in enumerate(hits()) if offset <= n < offset + limit]
    else:
        # Only the first offset + limit rows in order are kept, whatever the resource's size.
        page = heapq.nsmallest(offset + limit, hits(), key=key)[offset:]
    matched = [{"_id": pk, **project(data)} for pk, data in page]
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
