"""CKAN's ``datastore_search``: a resource's rows, with the fields and masks the caller may see.

Who reads which rows (``reading``):

- a consumer department (API key with ``protocols.read_rows``) through its active grant: the
  granted fields, masked as granted;
- the provider department (same permission) its own resource: every field, the sensitive ones
  masked as a grant masks them by default (every API answer shows masks; full values go
  through the audited reveal);
- anyone, anonymous callers included, a resource that is open data: open to the public
  (开放属性 = 向社会开放) and shared unconditionally: its fields that are not sensitive, plain.
  有条件开放 needs an agreement with the provider, so it is never read anonymously.

Department reads are kept as exchange evidence: the hash of the exact bytes sent, once the
body is complete (a provider's own read with itself as consumer and no grant). Open-data reads
are public and leave none. Without ``filters``, ``q`` or ``sort`` the rows are streamed from
the database; with them, matched and ordered in one pass and answered at once.

``q``, ``filters`` and ``sort`` look only at the fields the caller sees plain
(``sharing.exchange.row_matcher`` / ``row_order``): full-text ``q`` never looks at a masked
field, and a filter, field search or sort on a masked field is a 409 Validation Error, because
any answer computed from the hidden value (a match, an order) would reveal it. ``fields``
chooses among the fields the caller may see (masked ones stay masked). ``records_format``
(``objects``, ``lists``, ``csv``, ``tsv``), ``distinct`` and ``include_total`` are CKAN's;
``limit`` over 32,000 is cut to 32,000 as CKAN's ``ckan.datastore.search.rows_max`` does.
"""

import csv
import heapq
import io
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from gridgov.core.context import current_request_id
from gridgov.protocols.common import require_row_reader, row_grant
from gridgov.sharing.choices import (
    CKAN_TYPES,
    ExchangeChannel,
    OpenAttribute,
    SharingType,
)
from gridgov.sharing.exchange import (
    Evidence,
    encode,
    own_grant,
    row_matcher,
    row_order,
    stream_rows,
)
from gridgov.sharing.models import Grant
from gridgov.sharing.sources import RowSource, SourceUnavailable, projector

from .catalog import find_table
from .errors import Invalid, NotFound
from .params import flag, int_param, required
from .shapes import help_url

DATASTORE_MAX = 32000
RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")


class Stream:
    """A datastore_search answer streamed from the database (no filters, no q)."""

    def __init__(self, source, qs, grant, limit, evidence, head, params, with_id=True):
        self.args = (source, qs, grant, limit, evidence, head, params, with_id)


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


def is_open_data(resource) -> bool:
    """Rows anyone may read: open to the public and shared unconditionally."""
    return (resource.open_attribute == OpenAttribute.OPEN
            and resource.sharing_type == SharingType.UNCONDITIONAL)


@dataclass
class Reading:
    """Through what the caller reads a resource's rows: ``grant`` decides the fields and masks
    (an unsaved one for the provider and for open data); ``evidence_grant`` and
    ``consumer_id`` go into the exchange evidence, none being kept when ``consumer_id`` is
    None."""

    grant: Grant
    evidence_grant: Grant | None
    consumer_id: int | None


def reading(principal, resource, message) -> Reading:
    """How ``principal`` reads ``resource``'s rows (see the module), or PermissionDenied."""
    denied = PermissionDenied(message)
    if principal is not None:
        try:
            scope = require_row_reader(principal, message=message)
            if scope.department_id and resource.provider_id == scope.department_id:
                return Reading(own_grant(resource), None, scope.department_id)
            grant = row_grant(scope, resource)
            return Reading(grant, grant, grant.consumer_id)
        except PermissionDenied as exc:
            denied = exc
    if is_open_data(resource):
        public = Grant(resource=resource, masking={},
                       fields=[f.name for f in resource.fields.all() if not f.sensitive])
        return Reading(public, None, None)
    raise denied


class OwnEvidence(Evidence):
    """The evidence of a provider reading its own resource: no grant, itself as consumer."""

    def __init__(self, *, consumer_id, **kwargs):
        super().__init__(**kwargs)
        self.kwargs["consumer_id"] = consumer_id


class NoEvidence:
    """Open data read by anyone: public, so no exchange is recorded."""

    rows = 0

    def chunk(self, text: str) -> bytes:
        return text.encode("utf-8")

    def finish(self):
        return None


def _selected(params, grant) -> list[str] | None:
    """CKAN's ``fields``: the fields to return (a list or "a,b"), among those the caller may
    see (``_id`` too); None when not asked. Masked fields stay masked."""
    value = params.get("fields")
    if value in (None, "", []):
        return None
    names = value if isinstance(value, list) else str(value).split(",")
    names = [str(n).strip() for n in names if str(n).strip()]
    unknown = [n for n in names if n != "_id" and n not in grant.fields]
    if unknown:
        raise Invalid(_("不能返回未授权的字段:%(f)s。") % {"f": ", ".join(unknown)},
                      {"fields": [_("未授权的字段")]})
    return names


def datastore_search(request, params, principal, base):
    """Search a resource's rows: the fields the caller may see, masked as its grant says.

    :param resource_id: the resource's id (or the dataset's name)
    :param filters: field → value, or → a list of values (any of them); plain fields only
    :param q: text found in any plain field, or an object field → text (that field only)
    :param fields: the fields to return, a list or "a,b" (default all the caller may see)
    :param sort: "field [asc|desc], ..." on plain fields and ``_id``
    :param limit: the most rows (default 100; more than 32000 is cut to 32000)
    :param offset: where to start (default 0)
    :param records_format: ``objects`` (default), ``lists`` (values in the order of
        ``fields``), ``csv`` or ``tsv`` (one string, no header line)
    :param distinct: return each distinct record once (default False)
    :param include_total: count the matching rows into ``total`` (default True)
    :rtype: dictionary with resource_id, fields, records, records_format, total, limit,
        offset, _links
    """
    ident = required(params, "resource_id")
    message = _("datastore_search 需要已获授权部门的 API 密钥。")
    try:
        resource = find_table(principal, ident)
    except NotFound:
        if principal is None:
            # An anonymous caller learns nothing of what is not open.
            raise PermissionDenied(message)
        raise
    access = reading(principal, resource, message)
    grant = access.grant
    limit = min(int_param(params, "limit", 100), DATASTORE_MAX)
    offset = int_param(params, "offset", 0)
    records_format = str(params.get("records_format") or "objects")
    if records_format not in RECORDS_FORMATS:
        raise Invalid(_("records_format 应为 objects、lists、csv 或 tsv。"),
                      {"records_format": [_("不支持的格式")]})
    distinct = flag(params, "distinct")
    include_total = params.get("include_total") in (None, "") or flag(params, "include_total")
    filters = _filters(params)
    q, fields_q = _q(params)
    sort = _sort(params)
    selected = _selected(params, grant)
    # Refused before anything is read: a filter, field search or sort on a field the grant
    # masks or does not include.
    match = _checked(lambda: row_matcher(grant, filters=filters, q=q, fields_q=fields_q))
    key = _checked(lambda: row_order(grant, sort)) if sort else None
    try:
        source = RowSource(resource)
    except SourceUnavailable:
        raise NotFound(_("该资源的数据源在本系统中不可用。"))
    with_id = selected is None or "_id" in selected
    # What is returned: the chosen fields (in the grant's order), masked as granted.
    shown = Grant(resource=resource, masking=grant.masking,
                  fields=[f for f in grant.fields if selected is None or f in selected])
    types = {f.name: CKAN_TYPES.get(f.type, "text") for f in resource.fields.all()}
    fields = ([{"id": "_id", "type": "int"}] if with_id else []) + [
        {"id": f, "type": types.get(f, "text")} for f in shown.fields]
    evidence = _evidence(request, principal, resource, access, {
        "limit": limit, "offset": offset, "q": fields_q or q, "filters": filters,
        **({"sort": params.get("sort")} if sort else {}),
        **({"fields": selected} if selected is not None else {})})
    if match is None and key is None and records_format == "objects" and not distinct:
        qs = source.walk()[offset:]
        return Stream(source, qs, shown, limit, evidence, {
            "resource_id": str(resource.table_uid), "fields": fields,
            "records_format": records_format,
            **({"total": source.count()} if include_total else {}),
            "limit": limit, "offset": offset,
        }, params, with_id)
    # Filtered, searched or sorted: the rows are matched in one pass on the fields the grant
    # leaves plain only, then projected (and masked) as granted.
    project = projector(shown)
    total = 0

    seen = set()

    def hits():
        nonlocal total
        for pk, _stamp, data in source.iterate(source.walk()):
            if match is None or match(data):
                if distinct:
                    record = json.dumps(_record(pk, data), sort_keys=True, default=str)
                    if record in seen:
                        continue
                    seen.add(record)
                total += 1
                yield pk, data

    def _record(pk, data):
        return ({"_id": pk} if with_id else {}) | project(data)

    if key is None or offset + limit == 0:
        page = [hit for n, hit in enumerate(hits()) if offset <= n < offset + limit]
    else:
        # Only the first offset + limit rows in order are kept, whatever the resource's size.
        page = heapq.nsmallest(offset + limit, hits(), key=key)[offset:]
    matched = [_record(pk, data) for pk, data in page]
    evidence.rows = len(matched)
    result = {"resource_id": str(resource.table_uid), "fields": fields,
              "records": _formatted(matched, [f["id"] for f in fields], records_format),
              "records_format": records_format,
              **({"total": total} if include_total else {}),
              "limit": limit, "offset": offset,
              "_links": _links(request, params, limit, offset)}
    return Logged(result, evidence)


def _cell(value):
    """A CSV cell: empty for null, JSON's true / false, numbers and text as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _formatted(records: list[dict], columns: list[str], records_format: str):
    """CKAN's ``records_format``: objects as they are, lists in the order of ``fields``, or
    one CSV / TSV string without a header (``fields`` names the columns)."""
    if records_format == "objects":
        return records
    rows = [[record.get(column) for column in columns] for record in records]
    if records_format == "lists":
        return rows
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t" if records_format == "tsv" else ",",
                        lineterminator="\n")
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def _evidence(request, principal, resource, access, asked):
    if access.consumer_id is None:
        return NoEvidence()
    kwargs = dict(actor=principal, resource=resource, grant=access.evidence_grant,
                  channel=ExchangeChannel.CKAN, request_id=current_request_id(),
                  case_id=request.headers.get("X-Case-Id", ""), params=asked)
    if access.evidence_grant is None:
        return OwnEvidence(consumer_id=access.consumer_id, **kwargs)
    return Evidence(**kwargs)


def _links(request, params, limit, offset):
    """CKAN's ``_links``: the query string of a GET again (its ``filters``, ``q``, ``sort``
    and ``fields`` with it), without ``offset`` to start and with the next offset to go on;
    for a POST, the resource; ``limit`` as it was applied."""
    arguments = {"resource_id": params.get("resource_id")}
    if request.method == "GET":
        arguments |= {key: request.GET[key] for key in request.GET}
    arguments["limit"] = limit
    arguments.pop("offset", None)
    start = f"{request.path}?{urlencode(arguments)}"
    return {"start": start, "next": f"{start}&{urlencode({'offset': offset + limit})}"}


def stream_response(request, name, stream: Stream):
    """The streamed answer in CKAN's envelope; its bytes are hashed into the evidence."""
    source, qs, grant, limit, evidence, head, params, with_id = stream.args
    opening = {"help": help_url(request, name), "success": True}

    def body():
        yield evidence.chunk(encode(opening)[:-1] + ',"result":')
        yield from stream_rows(
            source, qs, grant, limit=limit, evidence=evidence, head=head,
            tail={"_links": _links(request, params, limit, head["offset"])},
            rows_key="records", with_id=with_id, paging=False, suffix="}",
        )

    return StreamingHttpResponse(body(), content_type="application/json;charset=utf-8")
