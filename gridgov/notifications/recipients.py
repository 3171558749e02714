"""Who is told: the people whose roles cover an event's area (or its department)."""

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.core.access.scope import CODE_LENGTHS


def area_prefixes(code: str) -> list[str]:
    """The codes of an area and every area above it (district, street, community, grid)."""
    return [code[:n] for n in CODE_LENGTHS if n <= len(code)]


def staff(area_code: str, *roles, department_id=None) -> list:
    """Active users holding one of ``roles`` in the area or an area above it (one query)."""
    queryset = User.objects.filter(
        is_active=True,
        assignments__role__in=[str(r) for r in roles],
        assignments__area__code__in=area_prefixes(area_code),
    )
    if department_id is not None:
        queryset = queryset.filter(department_id=department_id)
    return list(queryset.distinct().order_by("pk"))


def handlers(event) -> list:
    """Who handles a dispatched event: its assignee, or the department's handlers, or (sent
    to the grid) the grid's workers."""
    if event.assignee_id:
        return [event.assignee]
    if event.department_id:
        return staff(event.area_code, Role.DEPT_HANDLER, department_id=event.department_id)
    return grid_workers(event)


def grid_workers(event) -> list:
    return staff(event.area_code, Role.GRID_WORKER)


def dispatchers(event) -> list:
    return staff(event.area_code, Role.DISPATCHER)


def shift_leaders(event) -> list:
    return staff(event.area_code, Role.SHIFT_LEADER)


def intake_clerks(event) -> list:
    return staff(event.area_code, Role.INTAKE_CLERK)


def reporters(event) -> tuple[list, list]:
    """The reporters of the event and of every event merged into it: (users, phones).

    A reporter with an account is told in-app (and by SMS to the account's phone); a
    resident who left only a phone number is told by SMS.
    """
    from gridgov.events.models import Event

    rows = [(event.reporter_user_id, event.reporter_phone)]
    rows += list(Event.objects.filter(merged_into=event)
                 .values_list("reporter_user_id", "reporter_phone"))
    user_ids = {uid for uid, _ in rows if uid}
    users = list(User.objects.filter(pk__in=user_ids, is_active=True)) if user_ids else []
    phones = [phone for uid, phone in rows if not uid and phone]
    return users, phones
