"""What needs analysis lets the rules (``gridgov.rules``) reason about: the person's needs.

- ``recent_need`` (type ``tag``: 有 / 没有): the need categories noted for the person in
  the last ``RECENT_DAYS`` days — in the person's visits, the contact logs of their household
  and the reports the person called in (matched by phone, see ``rollup``). A person may have
  several at once, so this is a set tested with an EXISTS over the index (``NeedMention``),
  not a single-valued choice annotation: "有 就医健康" holds when any of them is.
- ``recent_need_count`` (int): how many need mentions were noted for the person in that
  window (each text × category once).

Both read the index as the last refresh left it (every 15 minutes).
"""

import datetime as dt

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.rules.registry import FactSpec

RECENT_DAYS = 90


def _since(today: dt.date):
    start = today - dt.timedelta(days=RECENT_DAYS)
    return timezone.make_aware(dt.datetime.combine(start, dt.time.min))


def _mentions(today):
    from .models import NeedMention

    return NeedMention.objects.filter(person_id=OuterRef("pk"), primary=True,
                                      occurred_at__gte=_since(today))


def _recent_need_q(value, today) -> Q:
    codes = value if isinstance(value, list) else [value]
    return Q(Exists(_mentions(today).filter(category__code__in=codes)))


def _categories():
    from .models import NeedCategory

    return list(NeedCategory.objects.filter(is_active=True).order_by("order", "code")
                .values_list("code", "name"))


def _recent_need_count(qs, today):
    counted = (_mentions(today).order_by().values("person_id")
               .annotate(n=Count("id")).values("n")[:1])
    return qs.annotate(recent_need_count=Coalesce(
        Subquery(counted, output_field=IntegerField()), Value(0)))


def _explain_need(value, facts):
    names = dict(_categories())
    values = value if isinstance(value, list) else [value]
    shown = "、".join(str(names.get(v, v)) for v in values)
    return _("近 %(d)d 天有需求:%(v)s") % {"d": RECENT_DAYS, "v": shown}


FACTS = [
    FactSpec("recent_need", _("近90天需求"), "person", "tag", None, choices=_categories,
             condition=_recent_need_q, explain=_explain_need,
             description=_("近90天走访、联系户记录和本人来电中识别出的需求分类")),
    FactSpec("recent_need_count", _("近90天需求次数"), "person", "int", _recent_need_count,
             unit=_("次"), description=_("近90天识别出的需求记录数(每条文字每类计一次)")),
]
