"""Background kind of the assessment (``background.registry``): ``assess.freeze``, a period's
snapshot frozen as a job (``actions.freeze_assessment``), with a step per subject kind and a
cancel that keeps nothing (the snapshot is one transaction).

Running it again after a restart is harmless as the scheduled freeze is: an interrupted run
kept nothing, and a run that did commit made version n, the next makes n + 1 (freezing again
is an assessor's decision anyway).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridgov.background import registry
from gridgov.stats.periods import Period

from .actions import freeze_assessment
from .models import Scheme


def freeze(progress, actor, period_kind, day, scheme):
    """生成考核快照: the period of ``period_kind`` containing ``day`` (ISO) under ``scheme``."""
    try:
        period = Period.containing(period_kind, dt.date.fromisoformat(day))
    except ValueError:
        raise ValidationError({"period": _("考核周期无效。")}) from None
    scheme = Scheme.objects.filter(pk=scheme).first()
    if scheme is None:
        raise ValidationError({"scheme": _("考核方案不存在。")})
    snapshot = freeze_assessment(period, scheme, actor=actor, progress=progress)
    return {"snapshot": snapshot.pk, "period": period.label(), "scheme": scheme.name,
            "version": snapshot.version, "cases": snapshot.case_count}


def freeze_summary(result: dict) -> list:
    """The rows the job's page shows."""
    return [(_("考核周期"), result.get("period")), (_("考核方案"), result.get("scheme")),
            (_("版本"), result.get("version")), (_("案件数"), result.get("cases"))]


registry.register("assess.freeze", freeze, label=_("生成考核快照"), permission="assess.freeze",
                  summary=freeze_summary, params=("period_kind", "day", "scheme"))
