"""The open cases: the condition every queue count puts in its WHERE, and the indexes it uses.

A district's year holds hundreds of thousands of cases, of which a few thousand are open (in
any state but the final ones). The queues (``gridgov.events.queues``: 首页's 待办, 指挥中心,
部门待办) count and list open cases only; they write ``open_q()`` into the WHERE of their
queries, and the partial indexes below hold only the rows it keeps, so the database reads the
open cases of a scope instead of the whole history. ``open_q()`` is written exactly as the
indexes' condition so both PostgreSQL and SQLite prove that an index applies.

The indexes are ``Event.Meta.indexes`` (migrations ``events/0019`` and ``0020``):

- ``events_open_area_idx``: open cases by area code, the scope's prefix test (the pattern
  operator class lets PostgreSQL serve ``LIKE 'prefix%'`` under any collation; SQLite ignores
  operator classes);
- ``events_open_dept_idx``: open cases by department and state (部门待办);
- ``events_state_area_idx``: every case by state, area code and reporter, the columns of the
  event list API's ``?state=`` count within a scope, which PostgreSQL then reads from the
  index alone.
"""

from django.db import models
from django.db.models import Q

from .choices import FINAL_STATES, State

# Sorted, so the SQL text (and the migration) is stable.
OPEN_STATES = tuple(sorted(s.value for s in State if s not in FINAL_STATES))


def open_q() -> Q:
    """The open cases, written as the condition of the open-case partial indexes."""
    return Q(state__in=OPEN_STATES)


OPEN_CASE_INDEXES = [
    models.Index(fields=["area_code"], name="events_open_area_idx",
                 opclasses=["varchar_pattern_ops"], condition=open_q()),
    models.Index(fields=["department", "state"], name="events_open_dept_idx",
                 condition=open_q()),
    models.Index(fields=["state", "area_code", "reporter_user"], name="events_state_area_idx",
                 opclasses=["varchar_ops", "varchar_pattern_ops", "int8_ops"]),
]
