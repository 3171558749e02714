"""CKAN's parameters: integers, required values, JSON lists, Solr-style ``fq``, ``sort`` and
``q``, as far as our catalog can answer them (anything else is a 409 Validation Error)."""

import json
import re

from django.db.models import Q
from django.utils.translation import gettext as _

from .errors import Invalid


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


FQ_TERM = re.compile(r'(\+?-?)(\w+):("[^"]*"|\S+)')
FQ_FIELDS = {"organization", "tags", "groups", "name", "res_format", "sharing_type"}


def apply_fq(qs, fq):
    rest = FQ_TERM.sub("", fq).replace("AND", "").strip()
    if rest:
        raise Invalid(_("无法解析的 fq:%(fq)s。") % {"fq": fq}, {"fq": [_("不支持的查询")]})
    for sign, field, value in FQ_TERM.findall(fq):
        value = value.strip('"')
        if field not in FQ_FIELDS:
            raise Invalid(_("fq 不支持字段 %(f)s。") % {"f": field}, {"fq": [_("不支持的字段")]})
        if field == "organization":
            q = Q(provider__code__iexact=value)
        elif field == "tags":
            q = Q(pk__in=[r.pk for r in qs if value in r.tags])
        elif field == "groups":
            q = Q(pk__in=[r.pk for r in qs if value in r.groups])
        elif field == "name":
            q = Q(code=value)
        elif field == "sharing_type":
            q = Q(sharing_type=value)
        else:
            q = Q() if value.upper() == "JSON" else Q(pk__in=[])
        qs = qs.exclude(q) if "-" in sign else qs.filter(q)
    return qs


DEFAULT_SORT = "score desc, metadata_modified desc"
SORTS = {
    "name": "code", "title_string": "name", "title": "name",
    "metadata_modified": "updated_at", "metadata_created": "created_at",
    "score": None,
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
