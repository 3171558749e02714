"""Who is told: the people holding a permission in an event's area (or for its department).

A notice goes to those who may act on it: the holders of the next step's permission
(``events.dispatch``, ``events.register``, ...) or of a notice permission of this app
(``notifications.handling_notice``, ...), in the event's area or an area above it. Which roles
those are is the role → permission table (data), read once per process.
"""

from gridgov.accounts.models import User
from gridgov.core.access import grants
from gridgov.core.access.registry import check_declared
from gridgov.core.access.scope import CODE_LENGTHS
from gridgov.core.personal_data import decrypt
from gridgov.events.models import Event


def area_prefixes(code: str) -> list[str]:
    """The codes of an area and every area above it (district, street, community, grid)."""
    return [code[:n] for n in CODE_LENGTHS if n <= len(code)]


def roles_with(permission: str, *, department_bound: bool | None = None) -> list[str]:
    """The active roles that grant ``permission`` (only department-bound ones, or only area
    ones, when asked)."""
    check_declared(permission)
    table = grants.table()
    roles = {role for role, perms in table.grants.items() if permission in perms}
    if department_bound is True:
        roles &= table.department_roles
    elif department_bound is False:
        roles -= table.department_roles
    return sorted(roles)


def staff(area_code: str, permission: str, *, department_id=None) -> list:
    """Active users holding ``permission`` in the area or an area above it (one query); with
    ``department_id``, through a department-bound role, in that department."""
    roles = roles_with(permission, department_bound=department_id is not None)
    if not roles:
        return []
    queryset = User.objects.filter(
        is_active=True,
        assignments__role__in=roles,
        assignments__area__code__in=area_prefixes(area_code),
    )
    if department_id is not None:
        queryset = queryset.filter(department_id=department_id)
    return list(queryset.distinct().order_by("pk"))


def handlers(event) -> list:
    """Who handles a dispatched event: its assignee, or the department's handlers, or (sent
    to the grid) the grid's workers (``notifications.handling_notice``)."""
    if event.assignee_id:
        return [event.assignee]
    if event.department_id:
        return staff(event.area_code, "notifications.handling_notice",
                     department_id=event.department_id)
    return staff(event.area_code, "notifications.handling_notice")


def grid_workers(event) -> list:
    """Who verifies a completed event on site (``notifications.verification_notice``)."""
    return staff(event.area_code, "notifications.verification_notice")


def verifiers(event) -> list:
    """Everyone who may verify the event (``events.verify``: grid workers and chiefs)."""
    return staff(event.area_code, "events.verify")


def dispatchers(event) -> list:
    return staff(event.area_code, "events.dispatch")


def filers(event) -> list:
    """Who files a registered report (``events.file``: the shift leaders)."""
    return staff(event.area_code, "events.file")


def shift_leaders(event) -> list:
    """Who is told of every overdue stage in the area (``notifications.overdue_notice``)."""
    return staff(event.area_code, "notifications.overdue_notice")


def intake_clerks(event) -> list:
    return staff(event.area_code, "events.register")


def reporters(event) -> tuple[list, list]:
    """The reporters of the event and of every event merged into it: (users, phones).

    A reporter with an account is told in-app (and by SMS to the account's phone); a
    resident who left only a phone number is told by SMS.
    """
    rows = [(event.reporter_user_id, event.reporter_phone_enc)]
    rows += list(Event.objects.filter(merged_into=event)
                 .values_list("reporter_user_id", "reporter_phone_enc"))
    user_ids = {uid for uid, _ in rows if uid}
    users = list(User.objects.filter(pk__in=user_ids, is_active=True)) if user_ids else []
    # Phones are stored encrypted (docs/personal-data.md): decrypted only to be texted.
    phones = [decrypt(token, "phone") for uid, token in rows if not uid and token]
    return users, phones
