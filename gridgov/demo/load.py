"""``load_demo()``: put the Haishu demo district into the database, through the actions only.

Idempotent: areas are recognised by code, departments by code, users by user name, roles by
(user, role, area), so a second run finds everything in place and writes nothing (not even an
audit record). Everything runs as the system loader (``actor=None``, audited as "system") in
one transaction, so a failed load leaves nothing half done.
"""

import time

import pyotp
import shapely.geometry
from django.db import transaction
from django.test.utils import override_settings

from gridgov.accounts import actions as account_actions
from gridgov.accounts.models import Assignment, Department, User
from gridgov.areas import actions as area_actions
from gridgov.areas.models import Area

from .departments import all_departments
from .generate import DEFAULT_SEED, VALID_FROM, generate
from .users import DEMO_PASSWORD, DEMO_TOTP_SECRETS, DEMO_USERS


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _area_rows(district, existing: set[str]) -> list[dict]:
    """``bulk_create_areas`` rows for the generated areas not stored yet (parents first)."""
    rows = []
    for spec in district.areas:
        if spec.code in existing:
            continue
        rows.append({
            "code": spec.code,
            "name": spec.name,
            "level": spec.level,
            "kind": spec.kind,
            "parent": spec.parent_code,
            "geometry": shapely.geometry.mapping(spec.geometry),
            "valid_from": VALID_FROM,
            "households": spec.households,
            "land_use": spec.land_use,
            "management_level": spec.management_level,
            "responsible_party": spec.responsible_party,
            "generated": spec.generated,
            "source": spec.source,
        })
    return rows


def load_areas(seed: int = DEFAULT_SEED) -> int:
    """Create the demo areas that are missing; the number created."""
    district = generate(seed)
    codes = [a.code for a in district.areas]
    existing = set(Area.objects.filter(code__in=codes).values_list("code", flat=True))
    rows = _area_rows(district, existing)
    if not rows:
        return 0
    return len(area_actions.bulk_create_areas(rows, actor=None))


def load_departments() -> int:
    """Create the missing demo departments; the number created."""
    existing = set(Department.objects.values_list("code", flat=True))
    areas = {a.code: a for a in Area.objects.filter(level__in=("district", "street"))}
    created = 0
    for code, name, short_name, kind, area_code in all_departments():
        if code in existing:
            continue
        account_actions.create_department(
            code=code, name=name, short_name=short_name, kind=kind, area=areas[area_code],
            actor=None,
        )
        created += 1
    return created


def load_users() -> dict:
    """Create the missing demo users, their roles and the administrators' second factors."""
    counts = {"users": 0, "roles": 0, "totp": 0}
    area_codes = {row[3] for row in DEMO_USERS}
    areas = {a.code: a for a in Area.objects.filter(code__in=area_codes)}
    departments = {d.code: d for d in Department.objects.filter(
        code__in={row[4] for row in DEMO_USERS if row[4]})}
    users = {u.username: u for u in User.objects.filter(
        username__in=[row[0] for row in DEMO_USERS])}
    held = set(Assignment.objects.filter(user__in=users.values()).values_list(
        "user__username", "role", "area__code"))
    for username, real_name, role, area_code, dept_code, phone in DEMO_USERS:
        user = users.get(username)
        if user is None:
            user = account_actions.create_user(
                username=username, real_name=real_name, password=DEMO_PASSWORD, actor=None,
                phone=phone, department=departments[dept_code] if dept_code else None,
            )
            counts["users"] += 1
        if (username, role, area_code) not in held:
            account_actions.assign_role(user, role, areas[area_code], actor=None)
            counts["roles"] += 1
        secret = DEMO_TOTP_SECRETS.get(username)
        if secret and not (user.totp_confirmed and user.totp_secret == secret):
            account_actions.enroll_totp(user, actor=None, secret=secret)
            if not account_actions.confirm_totp(user, pyotp.TOTP(secret).now(), actor=None):
                raise RuntimeError(f"could not confirm the demo TOTP secret of {username}")
            counts["totp"] += 1
    return counts


NULL_SMS_BACKEND = "gridgov.notifications.backends.NullSMSBackend"


def load_demo(seed: int = DEFAULT_SEED, stdout=None, history_events: int = 0) -> dict:
    """Load the Haishu demo district (areas, departments, users); idempotent.

    ``history_events`` > 0 then makes sure that many generated history cases exist
    (``gridgov.demo.history``, in transactions of their own after the district's).
    Returns counts: what was created in this run (``*_created``) and what the demo holds.
    """
    from gridgov.demo import basedata as demo_basedata
    from gridgov.demo import events as demo_events
    from gridgov.demo import gis as demo_gis
    from gridgov.demo import needs as demo_needs
    from gridgov.demo import party as demo_party
    from gridgov.demo import party_meetings as demo_party_meetings
    from gridgov.demo import partywork as demo_partywork
    from gridgov.demo import patrols as demo_patrols
    from gridgov.demo import proactive as demo_proactive
    from gridgov.demo import rules as demo_rules
    from gridgov.demo import sharing as demo_sharing
    from gridgov.demo import tasks as demo_tasks
    from gridgov.demo import video as demo_video
    from gridgov.demo import visits as demo_visits

    started = time.perf_counter()
    # The demo's own case history sends no text messages: its phone numbers are made up, and
    # a console backend would flood the demo's start-up output.
    with override_settings(GRIDGOV_SMS_BACKEND=NULL_SMS_BACKEND), transaction.atomic():
        areas_created = load_areas(seed)
        _say(stdout, f"区域 areas: {areas_created} created")
        departments_created = load_departments()
        _say(stdout, f"部门 departments: {departments_created} created")
        user_counts = load_users()
        demo_basedata.load(stdout=stdout)
        demo_sharing.load(stdout=stdout)
        demo_video.load(stdout=stdout)
        demo_gis.load(stdout=stdout)
        demo_events.load(stdout=stdout)
        demo_tasks.load(stdout=stdout)
        demo_patrols.load(stdout=stdout)
        demo_visits.load(stdout=stdout)
        # Party building: the organisation tree and members, a year of meetings, contacts
        # and volunteering; then the rules over the district (a hotspot to fire on first)
        # and the needs figures read from everything above.
        demo_party.load(stdout=stdout)
        demo_party_meetings.load(stdout=stdout)
        demo_partywork.load(stdout=stdout)
        demo_rules.load(stdout=stdout)
        demo_proactive.load(stdout=stdout)
        demo_needs.load(stdout=stdout)
        _say(stdout, f"用户 users: {user_counts['users']} created, "
                     f"{user_counts['roles']} roles assigned, "
                     f"{user_counts['totp']} TOTP factors set")
    history = {}
    if history_events > 0:
        from gridgov.demo import history as demo_history

        history = demo_history.load(history_events, stdout=stdout)
        # What the history feeds: the keyword index (else the page fills it 2,000 cases per
        # request) and a frozen assessment of the last whole month.
        from gridgov.assess.demo import freeze_demo_month
        from gridgov.stats.actions import rebuild_keyword_index

        rebuild_keyword_index(actor=None)
        history.update(freeze_demo_month(stdout))
    district = generate(seed)
    kinds = [a.kind for a in district.areas]
    counts = {
        "areas_created": areas_created,
        "departments_created": departments_created,
        "users_created": user_counts["users"],
        "roles_created": user_counts["roles"],
        "totp_created": user_counts["totp"],
        "streets": sum(a.level == "street" for a in district.areas),
        "communities": kinds.count("community"),
        "villages": kinds.count("village"),
        "grids": sum(a.level == "grid" for a in district.areas),
        "dedicated_grids": kinds.count("dedicated"),
        "departments": len(all_departments()),
        "users": len(DEMO_USERS),
        **history,
        "seconds": round(time.perf_counter() - started, 2),
    }
    return counts
