"""CKAN's parameters: integers, required values, JSON lists, Solr-style ``fq``, ``sort`` and
``q``, as far as our catalog can answer them (anything else is a 409 Validation Error)."""

import datetime as dt
import json
import operator
import re
from functools import reduce

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from gridgov.sharing.choices import OpenAttribute, SharingType
from gridgov.sharing.models import Resource

from .errors import Invalid

# CKAN's "private": a dataset the public may not see. Ours are private unless they are shared
# unconditionally or open to the public (开放属性 = 向社会开放): 有条件共享 and 不予共享 entries
# need an application or may not flow at all, so a harvester must not republish them.
PUBLIC_Q = Q(sharing_type=SharingType.UNCONDITIONAL) | Q(open_attribute=OpenAttribute.OPEN)


def is_private(resource) -> bool:
    return not (resource.sharing_type == SharingType.UNCONDITIONAL
                or resource.open_attribute == OpenAttribute.OPEN)


def ckan_time(value) -> str | None:
    """A timestamp as CKAN writes it: naive UTC ISO 8601 ("2026-12-01T08:00:00.123456")."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat()


def int_param(params, name, default, *, minimum=0, maximum=None):
    value = params.get(name, default)
    if value in (None, ""):
        return default
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise Invalid(_("%(name)s 应为整数。") % {"name": name}, {name: [_("应为整数")]})
    if value < minimum or (maximum is not None and value > maximum):
        raise Invalid(_("%(name)s 超出范围。") % {"name": name}, {name: [_("超出范围")]})
    return value


def required(params, name):
    value = params.get(name)
    if value in (None, ""):
        raise Invalid(_("缺少参数:%(name)s。") % {"name": name}, {name: [_("Missing value")]})
    return str(value)


def flag(params, name) -> bool:
    return str(params.get(name, "")).lower() in ("true", "1")


def json_list(value, name):
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return [str(value)]
    if isinstance(parsed, str):
        return [parsed]
    if not isinstance(parsed, list):
        raise Invalid(_("%(name)s 应为列表。") % {"name": name}, {name: [_("应为列表")]})
    return [str(v) for v in parsed]


# A value is a word, a quoted phrase, or a group of them joined by OR:
# "organization:(d016 OR d032)", as ckanext-harvest sends its organization and group filters
# ("-organization:(…)" for the excluded ones).
FQ_TERM = re.compile(r'(\+?-?)(\w+):(\([^)]*\)|"[^"]*"|[^\s()]+)')
FQ_GROUP_VALUE = re.compile(r'"[^"]*"|[^\s"]+')
ALL = Q(pk__isnull=False)
FQ_FIELDS = {"organization", "tags", "groups", "name", "res_format", "sharing_type", "id",
             "dataset_type", "type", "capacity"}
# Solr ranges on the two dates, as harvesters send them: "metadata_modified:[2000-01-01T00:00:00
# .000Z TO *]" (ckanext-harvest asks for the changes since its last run this way). "[" and "]"
# include the bound, "{" and "}" exclude it.
FQ_RANGE = re.compile(r'(\+?-?)(\w+):([\[{])\s*(\S+)\s+TO\s+(\S+?)\s*([\]}])')
RANGE_FIELDS = {"metadata_modified": "updated_at", "metadata_created": "created_at"}
NOW_MATH = re.compile(r"NOW(?:([+-])(\d+)(SECOND|MINUTE|HOUR|DAY)S?)?(?:/(DAY))?")


def _range_bound(value: str):
    """One end of a Solr date range: ``*`` (open), ``NOW`` with simple date math
    (``NOW-1DAY``, ``NOW/DAY``), an ISO datetime (``Z`` or an offset; naive is UTC) or a
    date."""
    if value == "*":
        return None
    now = NOW_MATH.fullmatch(value.upper())
    if now:
        sign, amount, unit, rounding = now.groups()
        at = timezone.now()
        if amount:
            delta = dt.timedelta(**{unit.lower() + "s": int(amount)})
            at = at + delta if sign == "+" else at - delta
        if rounding:
            at = at.replace(hour=0, minute=0, second=0, microsecond=0)
        return at
    parsed = None
    try:
        parsed = parse_datetime(value.replace("z", "Z").replace("Z", "+00:00"))
        if parsed is None:
            day = parse_date(value)
            parsed = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Invalid(_("fq 中的日期无法解析:%(v)s。") % {"v": value}, {"fq": [_("日期无效")]})
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)


def _range_q(field, low, high, include_low, include_high):
    column = RANGE_FIELDS.get(field)
    if column is None:
        raise Invalid(_("fq 不支持对字段 %(f)s 做范围查询。") % {"f": field},
                      {"fq": [_("不支持的字段")]})
    q = Q()
    start, end = _range_bound(low), _range_bound(high)
    if start is not None:
        q &= Q(**{f"{column}__{'gte' if include_low else 'gt'}": start})
    if end is not None:
        q &= Q(**{f"{column}__{'lte' if include_high else 'lt'}": end})
    return q


FQ_CLAUSE = re.compile(
    r"\s*(?:(?P<range>" + FQ_RANGE.pattern + r")|(?P<term>" + FQ_TERM.pattern + r")"
    r"|(?P<op>AND|OR|&&|\|\|)|(?P<all>\*:\*))(?=\s|$)")


def apply_fq(qs, fq):
    """Filter by ``fq``: its clauses are ANDed, except those joined by ``OR``, which form one
    alternative (ckanext-harvest sends ``organization:a OR organization:b`` with its range);
    a leading ``-`` negates a clause."""
    groups, joined, position, end = [], False, 0, len(fq.rstrip())
    while position < end:
        match = FQ_CLAUSE.match(fq, position)
        if match is None or (match["op"] and (not groups or joined)):
            break  # not a clause, or an operator with nothing before it
        position = match.end()
        if match["op"]:
            joined = match["op"] in ("OR", "||")
            continue
        if match["all"]:
            q = ALL
        elif match["range"]:
            sign, field, opening, low, high, closing = FQ_RANGE.match(match["range"]).groups()
            q = _range_q(field, low, high, opening == "[", closing == "]")
        else:
            sign, field, value = FQ_TERM.match(match["term"]).groups()
            if field not in FQ_FIELDS:
                raise Invalid(_("fq 不支持字段 %(f)s。") % {"f": field},
                              {"fq": [_("不支持的字段")]})
            q = reduce(operator.or_, (_term_q(qs, field, one) for one in _values(value, fq)))
        if not match["all"] and "-" in sign:
            q = ~q
        if joined and groups:
            groups[-1].append(q)
        else:
            groups.append([q])
        joined = False
    if position < end or joined:
        raise Invalid(_("无法解析的 fq:%(fq)s。") % {"fq": fq}, {"fq": [_("不支持的查询")]})
    for group in groups:
        qs = qs.filter(reduce(operator.or_, group))
    return qs


def _values(value: str, fq: str) -> list[str]:
    """The values of one fq term: one, or each of a group ``(a OR b OR "c d")``."""
    if not value.startswith("("):
        return [value.strip('"')]
    words = FQ_GROUP_VALUE.findall(value[1:-1])
    values = [w.strip('"') for w in words[::2]]
    if not values or any(w != "OR" for w in words[1::2]) or len(words) % 2 == 0:
        raise Invalid(_("无法解析的 fq:%(fq)s。") % {"fq": fq}, {"fq": [_("不支持的查询")]})
    return values


def _term_q(qs, field, value) -> Q:
    """One value of one fq field (``ALL`` where the value matches every dataset)."""
    if field == "id":
        return Q(uid=value) if _is_uuid(value) else Q(pk__in=[])
    if field in ("dataset_type", "type"):
        return ALL if value == "dataset" else Q(pk__in=[])
    if field == "capacity":
        return ~PUBLIC_Q if value == "private" else PUBLIC_Q
    if field == "organization":
        return Q(provider__code__iexact=value)
    if field in ("tags", "groups"):
        return json_list_has(field, value)
    if field == "name":
        return Q(code=value)
    if field == "sharing_type":
        return Q(sharing_type=value)
    return ALL if value.upper() == "JSON" else Q(pk__in=[])


DEFAULT_SORT = "score desc, metadata_modified desc"
SORTS = {
    "name": "code", "title_string": "name", "title": "name",
    "metadata_modified": "updated_at", "metadata_created": "created_at",
    "id": "uid", "score": None,
}


def order(qs, sort):
    fields = []
    for part in [p.strip() for p in (sort or DEFAULT_SORT).split(",")]:
        if not part:
            continue
        bits = part.split()
        field, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
        if field not in SORTS or direction not in ("asc", "desc"):
            raise Invalid(_("不支持的排序:%(s)s。") % {"s": part}, {"sort": [_("不支持的排序")]})
        if SORTS[field]:
            fields.append(("-" if direction == "desc" else "") + SORTS[field])
    return qs.order_by(*(fields or ["code"]), "pk")


def text_q(q):
    out = Q()
    for term in q.split():
        if ":" in term:
            field, _sep, value = term.partition(":")
            if field == "name":
                out &= Q(code__icontains=value)
                continue
            if field == "title":
                out &= Q(name__icontains=value)
                continue
            term = value
        out &= (Q(name__icontains=term) | Q(abstract__icontains=term) | Q(code__icontains=term)
                | Q(tags__icontains=term) | Q(provider__name__icontains=term))
    return out


def json_list_has(field: str, value: str) -> Q:
    """Resources whose JSON list ``field`` (tags, groups) holds ``value``, decided in the
    database rather than by loading the catalogue: PostgreSQL's jsonb containment
    (``@>``), SQLite's ``json_each`` (Django has no ``contains`` lookup on SQLite)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [value]})
    quote = connection.ops.quote_name
    column = quote(Resource._meta.get_field(field).column)
    pk = quote(Resource._meta.pk.column)
    sql = (f"SELECT r.{pk} FROM {quote(Resource._meta.db_table)} r, json_each(r.{column}) e "
           f"WHERE e.value = %s")
    return Q(pk__in=RawSQL(sql, [value]))


def _is_uuid(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F-]{32,36}", value))
