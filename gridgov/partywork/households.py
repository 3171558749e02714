"""What counts as a household (户) for 党员联系户, and the read helpers built on it.

The basic data has no household table: a household is named by its head. A *household* is a
current (not merged), residing ``basedata.Person`` who

- is their own household head (``household_head`` = themself: how the importer and the demo
  record heads), or
- has no household head recorded and lives in a house (``house`` set): a person recorded
  alone in a house is a household of one.

People with another person as head are members of that household, not households. Coverage
of an area = households of the area with an active link / all households of the area.
"""

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from .models import ContactLink

DUE_DAYS = 90


def household_q(prefix: str = "") -> Q:
    """People who are households (see the module's docstring); ``prefix``: field prefix for
    use across a relation (``"household_head__"``)."""
    p = prefix
    return (Q(**{f"{p}merged_into__isnull": True, f"{p}status": "residing"})
            & (Q(**{f"{p}household_head_id": F(f"{p}pk")})
               | Q(**{f"{p}household_head__isnull": True, f"{p}house__isnull": False})))


def is_household(person) -> bool:
    """The same rule as ``household_q`` on one loaded person."""
    if person.merged_into_id is not None or person.status != "residing":
        return False
    return (person.household_head_id == person.pk
            or (person.household_head_id is None and person.house_id is not None))


def households(area_q: Q | None = None):
    """The households (``basedata.Person`` rows) inside ``area_q`` (a filter on the
    person's ``area_code``), without scope of their own: the caller narrows it."""
    from gridgov.basedata.models import Person

    qs = Person.objects.filter(household_q())
    return qs.filter(area_q) if area_q is not None else qs


def active_link_exists():
    return Exists(ContactLink.objects.filter(household_head_id=OuterRef("pk"), is_active=True))


def uncovered(area_q: Q):
    """Households of the areas without an active link (one query with NOT EXISTS)."""
    return (households(area_q).annotate(linked=active_link_exists()).filter(linked=False)
            .select_related("house").order_by("area_code", "address", "pk"))


def due_links(qs, *, today=None):
    """Active links without a contact in the last ``DUE_DAYS`` days (never contacted: when
    linked more than ``DUE_DAYS`` days ago)."""
    today = today or timezone.localdate()
    cutoff_day = today - dt.timedelta(days=DUE_DAYS)
    cutoff = timezone.make_aware(dt.datetime.combine(cutoff_day, dt.time.min))
    return qs.filter(is_active=True).filter(
        Q(last_contact_at__lt=cutoff)
        | Q(last_contact_at__isnull=True, since__lt=cutoff_day))
