"""Read helpers of the pages and the API: a member's service hours per year, and what a
member does in grid work (links, contacts, volunteering, tasks, reported events)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from .choices import SignupStatus
from .models import ContactLink, ContactLog, VolunteerSignup


def _year_bounds(year: int):
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    return start, timezone.make_aware(dt.datetime(year + 1, 1, 1))


def hours_by_year(member) -> dict[int, Decimal]:
    """A member's credited service hours per year of the activities' start (one query)."""
    out: dict[int, Decimal] = {}
    rows = (VolunteerSignup.objects.filter(member=member, status=SignupStatus.ATTENDED)
            .values_list("activity__starts_at", "hours"))
    for starts_at, hours in rows:
        year = timezone.localtime(starts_at).year
        out[year] = out.get(year, Decimal("0")) + hours
    return dict(sorted(out.items(), reverse=True))


def member_hours(member, year: int) -> Decimal:
    """A member's credited service hours in one year (one query)."""
    start, end = _year_bounds(year)
    total = (VolunteerSignup.objects.filter(
        member=member, status=SignupStatus.ATTENDED, activity__starts_at__gte=start,
        activity__starts_at__lt=end).aggregate(h=Sum("hours"))["h"])
    return total or Decimal("0")


def member_work(member, *, year=None) -> dict:
    """What a member does in grid work: active links, contacts (all, this year), service
    hours (this year, all), tasks assigned to the member's account by state, and events the
    account reported (all, closed). Counts are the member's record, shown to who may see
    the member; the lists of tasks and events stay behind their own pages' scope."""
    from gridgov.events.models import Event
    from gridgov.tasks.models import Task

    year = year or timezone.localdate().year
    start, end = _year_bounds(year)
    contacts = ContactLog.objects.filter(link__member=member).aggregate(
        total=Count("pk"), year=Count("pk", filter=Q(contacted_at__gte=start,
                                                      contacted_at__lt=end)))
    hours = VolunteerSignup.objects.filter(member=member, status=SignupStatus.ATTENDED)\
        .aggregate(total=Sum("hours"), year=Sum("hours", filter=Q(
            activity__starts_at__gte=start, activity__starts_at__lt=end)),
            activities=Count("pk"))
    out = {
        "year": year,
        "links": ContactLink.objects.filter(member=member, is_active=True).count(),
        "contacts": contacts["total"], "contacts_year": contacts["year"],
        "hours": hours["total"] or Decimal("0"), "hours_year": hours["year"] or Decimal("0"),
        "activities": hours["activities"],
        "tasks": {}, "tasks_total": 0, "events": 0, "events_closed": 0,
    }
    if member.user_id:
        tasks = dict(Task.objects.filter(assignee_id=member.user_id).order_by()
                     .values_list("state").annotate(n=Count("pk")))
        out["tasks"], out["tasks_total"] = tasks, sum(tasks.values())
        events = Event.objects.filter(reporter_user_id=member.user_id).aggregate(
            total=Count("pk"), closed=Count("pk", filter=Q(state="closed")))
        out["events"], out["events_closed"] = events["total"], events["closed"]
    return out
