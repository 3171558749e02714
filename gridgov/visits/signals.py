"""Signals visits send for other apps to follow (proactive services).

``visit_recorded`` is sent on commit after a visit was recorded through ``record_visit``
(not for a replayed request with the same client id, nor for ``import_visits``), with
``visit`` and ``actor``. Receivers run after the visit is stored and must not fail it:
they do their own writes in their own actions (e.g. closing a "not contacted for 7 days"
alert with this visit).
"""

from django.dispatch import Signal

visit_recorded = Signal()
