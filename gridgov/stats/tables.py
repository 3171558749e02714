"""The statistics' tables: one list of columns serves the page and its Excel export, so the
workbook holds the same numbers as the screen."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import drill
from .aggregates import Compared, change


@dataclass(frozen=True)
class Column:
    """A column: its heading, how to read it from a row, and the measure it drills into."""

    key: str
    label: str
    read: object
    measure: str | None = None  # a count linking to its cases
    percent: bool = False


COMPARED_COLUMNS = (
    Column("total", _("上报数"), lambda c: c.cur.total, "total"),
    Column("prev_total", _("上期"), lambda c: c.prev.total),
    Column("vs_prev", _("环比(%)"), Compared.vs_prev, percent=True),
    Column("ya_total", _("去年同期"), lambda c: c.ya.total),
    Column("vs_year", _("同比(%)"), Compared.vs_year, percent=True),
    Column("due", _("应结案数"), lambda c: c.cur.due),
    Column("closed", _("结案数"), lambda c: c.cur.closed, "closed"),
    Column("closed_rate", _("结案率(%)"), lambda c: c.cur.closed_rate, percent=True),
    Column("on_time", _("按期结案数"), lambda c: c.cur.on_time, "on_time"),
    Column("on_time_rate", _("按期结案率(%)"), lambda c: c.cur.on_time_rate, percent=True),
    Column("prev_on_time_rate", _("上期按期结案率(%)"), lambda c: c.prev.on_time_rate,
           percent=True),
    Column("ya_on_time_rate", _("去年同期按期结案率(%)"), lambda c: c.ya.on_time_rate,
           percent=True),
    Column("hours", _("平均办结时长(小时)"), lambda c: c.cur.hours_display),
    Column("overdue", _("超期未办结"), lambda c: c.cur.overdue, "overdue"),
)


# The dashboard's ranking: the columns a leader compares at a glance (all are on the table).
RANKING_KEYS = ("total", "vs_prev", "vs_year", "closed_rate", "on_time_rate", "hours",
                "overdue")
RANKING_COLUMNS = tuple(c for c in COMPARED_COLUMNS if c.key in RANKING_KEYS)


def compared_rows(rows: list[Compared], dimension, query, columns=COMPARED_COLUMNS
                  ) -> list[dict]:
    """Each row's label, code, cells and the drill-down links of its counts."""
    out = []
    for row in rows:
        extra = dimension.drill(row.key) if dimension else {}
        cells = []
        for column in columns:
            value = column.read(row)
            url = None
            if column.measure and value and (extra or dimension is None):
                url = drill.figure_url(query.area, query.period, column.measure, **extra)
            cells.append({"key": column.key, "label": column.label, "value": value, "url": url,
                          "percent": column.percent})
        out.append({"key": row.key, "label": row.label, "cells": cells})
    return out


def sort_rows(rows: list[dict], key: str) -> list[dict]:
    """Rows by one column: ``key`` largest first, ``-key`` smallest first (blanks last),
    e.g. ``-on_time_rate`` puts the worst on-time rate on top. Unknown keys keep the order."""
    name = key.lstrip("-")
    index = next((i for i, c in enumerate(COMPARED_COLUMNS) if c.key == name), None)
    if index is None or not rows or len(rows[0]["cells"]) != len(COMPARED_COLUMNS):
        return rows
    ascending = key.startswith("-")
    present = [r for r in rows if r["cells"][index]["value"] is not None]
    blank = [r for r in rows if r["cells"][index]["value"] is None]
    present.sort(key=lambda r: r["cells"][index]["value"], reverse=not ascending)
    return present + blank


def compared_sheet(rows: list[dict], dimension_label, columns=COMPARED_COLUMNS
                   ) -> tuple[list, list[list]]:
    """Header and body of the workbook, from the page's rows (cells in ``columns``)."""
    header = [str(dimension_label), str(_("编码"))] + [str(c.label) for c in columns]
    body = [[r["label"], r["key"]] + [c["value"] for c in r["cells"]] for r in rows]
    return header, body


__all__ = ["COMPARED_COLUMNS", "RANKING_COLUMNS", "Column", "change", "compared_rows",
           "compared_sheet"]
