"""What visits follow in basic data (connected in ``VisitsConfig.ready``).

- ``person_status_changed`` (sent on commit by basic data): a death or a
  move-out closes the person's schedules with that reason (顺延不再提醒), audited; a move
  in (back to 在住) brings them back in line with the person's tags and grid.
- A change of a person's tags (``m2m_changed`` of ``Person.tags``: every way basic data adds,
  replaces or clears tags — the forms, the API, imports, merges) re-syncs that person's
  schedules once, after the transaction commits (many changes in one transaction, e.g. an
  import or the demo loader, make one sync).
"""

import threading

from django.db import transaction

from . import actions
from .choices import ClosedReason

_pending = threading.local()


def on_status_changed(sender, *, person, old_status=None, new_status=None, on=None,
                      actor=None, **kwargs):
    """Close on death / move-out; re-sync otherwise (a move in, a return)."""
    reason = actions.ENDED_STATUSES.get(new_status)
    if reason is not None:
        actions.close_person_schedules(person, reason=ClosedReason(reason), on=on, actor=actor)
    else:
        actions.sync_schedules([person.pk], actor=None)


def _flush():
    ids = getattr(_pending, "ids", None)
    if not ids:
        return
    _pending.ids = set()
    actions.sync_schedules(ids, actor=None)


def on_tags_changed(sender, *, instance, action, reverse, pk_set=None, **kwargs):
    """Queue the people whose tags changed for one sync on commit."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:
        ids = set(pk_set or ())
        if action == "post_clear":
            return  # a tag deleted: its rows go with the plan (PROTECT keeps used tags)
    else:
        ids = {instance.pk}
    if not ids:
        return
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    _pending.ids |= ids
    transaction.on_commit(_flush)


def connect():
    from django.db.models.signals import m2m_changed

    from gridgov.basedata.models import Person
    from gridgov.basedata.signals import person_status_changed

    person_status_changed.connect(on_status_changed, dispatch_uid="visits.status")
    m2m_changed.connect(on_tags_changed, sender=Person.tags.through,
                        dispatch_uid="visits.tags")
