"""What proactive services follow (connected in ``ProactiveConfig.ready``).

- ``basedata.signals.person_status_changed`` (sent on commit): a death or a move-out stops
  the person's active benefits and cancels their open service tasks, with the reason
  (visits already close the person's visit plans themselves).
- ``visits.signals.visit_recorded`` (sent on commit): the visit closes the person's open
  alert / notice tasks, and by a home visit the home-visit and certification tasks.
"""

from . import actions
from .choices import ENDED_STATUSES


def on_status_changed(sender, *, person, old_status=None, new_status=None, on=None,
                      actor=None, **kwargs):
    """Stop benefits and cancel tasks on death / move-out."""
    if new_status in ENDED_STATUSES:
        actions.end_person_services(person, status=new_status, on=on, actor=actor)


def on_visit_recorded(sender, *, visit, actor=None, **kwargs):
    """Close the person's open tasks that this visit served."""
    actions.close_tasks_by_visit(visit, actor=actor)


def connect():
    from gridgov.basedata.signals import person_status_changed
    from gridgov.visits.signals import visit_recorded

    person_status_changed.connect(on_status_changed, dispatch_uid="proactive.status")
    visit_recorded.connect(on_visit_recorded, dispatch_uid="proactive.visit")
