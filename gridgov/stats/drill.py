"""Drill-down: the URL of the case list behind a figure.

Every figure links to the event search (``events:search``) with the ``EventFilterSet``
parameters that select its cases; the list applies ``restrict()`` again, so a link never
shows more than the person may see. Until the search page exists, the command room's list
(which takes the same filters) stands in.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from .periods import Period

LIST_URL_NAMES = ("events:search", "events:command")


def list_url() -> str:
    for name in LIST_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/events/search/"


def search_url(**params) -> str:
    """The case list filtered by ``params`` (empty values left out)."""
    clean = {k: v for k, v in params.items() if v not in (None, "", [], ())}
    return f"{list_url()}?{urlencode(clean, doseq=True)}" if clean else list_url()


def period_params(period: Period) -> dict:
    """Reported within the period (the search's dates are inclusive)."""
    return {"created_after": period.start.isoformat(),
            "created_before": period.end.isoformat()}


# The extra parameters of each measure's cases.
MEASURE_PARAMS = {
    "total": {},
    "closed": {"state": "closed"},
    "on_time": {"state": "closed", "on_time": "true"},
    "late": {"state": "closed", "on_time": "false"},
    "overdue": {"deadline": "overdue"},
}


def figure_url(area: str, period: Period | None, measure: str = "total", **extra) -> str:
    """The cases behind one figure: the area, the period (none for "open now") and the
    measure, narrowed by ``extra`` (a dimension's value)."""
    params = {"within": area or None}
    if period is not None:
        params.update(period_params(period))
    params.update(MEASURE_PARAMS[measure])
    params.update(extra)
    return search_url(**params)
