"""What party building follows in basic data (connected in ``PartyConfig.ready``).

- ``person_status_changed`` (sent on commit by basic data): a death makes the person's
  active party memberships 已故 (``actions.record_death``, audited with who recorded the
  death). A move-out changes nothing here: the member's organisation relation moves only by
  a transfer (组织关系转接), which the secretary starts.
"""

from . import actions


def on_status_changed(sender, *, person, old_status=None, new_status=None, on=None,
                      actor=None, **kwargs):
    """Deceased → member status 已故."""
    if new_status == "deceased":
        actions.record_death(person, on=on, actor=actor)


def connect():
    from gridgov.basedata.signals import person_status_changed

    person_status_changed.connect(on_status_changed, dispatch_uid="party.status")
