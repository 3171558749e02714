"""Signals basic data sends for other apps to follow (visits, proactive services).

``person_status_changed`` is sent on commit after a person moved in, moved out or died
(``gridgov.basedata.choices.PersonStatus``), with ``person``, ``old_status``,
``new_status``, ``on`` (the date it happened) and ``actor``. Receivers run after the
change is stored and must not fail it: they do their own writes in their own actions.
"""

from django.dispatch import Signal

person_status_changed = Signal()
