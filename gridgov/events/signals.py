"""Signals other apps listen to (notifications, statistics).

``event_transition`` is sent after the transaction of every event action commits, with
``sender=Event`` and keyword arguments ``event`` (the event as it stands after the action),
``action`` (the workflow action name: "report", "register", ..., or "due_soon" / "overdue"
from the periodic deadline scan), ``actor`` (a user, or ``None`` for the system) and
``data`` (a dict: reason, department id, request kind ... depending on the action).
"""

from django.dispatch import Signal

event_transition = Signal()
