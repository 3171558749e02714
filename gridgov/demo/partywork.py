"""Demo 党员联系户 and volunteer service: every active demo party member linked to one to three
households of their grid (so some households stay uncovered), a year of contacts on those
links (one link in five lapsed: the "no contact in 90 days" list has rows), volunteer
activities of each community party committee over the past year with sign-ups and credited
hours, two coming ones open for sign-up, and a visit task for each member with an account.

Deterministic (seeded) and idempotent: nothing is written when the demo already holds links.
Called after the party demo (``gridgov.demo.party``), which creates the members.
"""

import datetime as dt
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

HISTORY_DAYS = 365
NOTES = [
    "家中一切正常,老人身体尚好。",
    "反映小区路灯不亮,已转网格员。",
    "宣传了医保缴费政策。",
    "了解到家中有困难,建议申请临时救助。",
    "孩子暑期无人照看,推荐社区托管班。",
    "提醒注意家中燃气和用电安全。",
    "住户对垃圾分类有疑问,已讲解。",
]
NEEDS = [[], [], [], ["policy"], ["hardship"], ["safety"], ["medical"], ["care"]]
WAYS = ["visit"] * 4 + ["phone"] * 3 + ["wechat"] * 2 + ["other"]
ACTIVITIES = [
    ("社区环境清洁日", "小区公共区域"),
    ("关爱独居老人上门服务", "社区服务中心"),
    ("垃圾分类宣传", "小区广场"),
    ("文明交通劝导", "路口岗亭"),
    ("义务理发进社区", "社区活动室"),
    ("防诈骗宣传", "社区文化家园"),
    ("助老助残志愿服务", "居家养老服务站"),
    ("河道清理", "社区河道沿线"),
]


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _at(day: dt.date, rng, first_hour=9, last_hour=17) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(
        day, dt.time(rng.randint(first_hour, last_hour - 1), rng.choice((0, 15, 30, 45)))))


def _links(members, rng, today) -> list:
    from gridgov.partywork import actions
    from gridgov.partywork.households import households
    from gridgov.partywork.models import ContactLink

    grids = {m.person.area_code for m in members}
    free: dict[str, list] = {}
    taken = set(ContactLink.objects.filter(is_active=True).values_list("household_head_id",
                                                                      flat=True))
    for head in households().filter(area_code__in=grids).order_by("pk"):
        if head.pk not in taken:
            free.setdefault(head.area_code, []).append(head)
    links = []
    for member in members:
        pool = free.get(member.person.area_code, [])
        own = {member.person_id, member.person.household_head_id}
        for _n in range(rng.randint(1, 3)):
            candidates = [h for h in pool if h.pk not in own]
            if not candidates:
                break
            head = candidates[0]
            pool.remove(head)
            since = today - dt.timedelta(days=rng.randint(120, 500))
            try:
                links.append(actions.link_household(member, head, since=since, actor=None))
            except ValidationError:
                continue
    return links


def _contacts(links, rng, today) -> int:
    from gridgov.partywork import actions

    now = timezone.now()
    rows = []
    for n, link in enumerate(links):
        start = max(link.since, today - dt.timedelta(days=HISTORY_DAYS))
        # One link in five lapsed some months ago: it shows on the "90 days" list.
        stop = today - dt.timedelta(days=rng.randint(95, 150)) if n % 5 == 0 else today
        day = start + dt.timedelta(days=rng.randint(0, 30))
        while day <= stop:
            at = _at(day, rng)
            if at > now:
                break
            rows.append({"link": link, "contacted_at": at, "way": rng.choice(WAYS),
                         "notes": rng.choice(NOTES), "needs": rng.choice(NEEDS),
                         "recorded_by": link.member.user})
            day += dt.timedelta(days=rng.randint(25, 70))
    return actions.import_contacts(rows, actor=None)


def _activities(members, rng, today) -> dict:
    from gridgov.party.models import PartyOrganisation
    from gridgov.partywork import actions

    counts = {"activities": 0, "signups": 0, "hours": Decimal("0")}
    now = timezone.now()
    committees = list(PartyOrganisation.objects.filter(kind="committee", is_active=True)
                      .filter(area_code__in={m.area_code[:12] for m in members})
                      .order_by("area_code", "pk"))
    for org in committees:
        local = [m for m in members if m.area_code.startswith(org.area_code)]
        if not local:
            continue
        days = sorted(rng.sample(range(10, HISTORY_DAYS), 6)) + [-7, -14]
        for k, back in enumerate(days):
            title, place = ACTIVITIES[(k + len(org.area_code) + org.pk) % len(ACTIVITIES)]
            starts = _at(today - dt.timedelta(days=back), rng, 8, 15)
            if back <= 0:
                starts = starts.replace(hour=9, minute=0)
            length = rng.choice((2, 2, 3, 4))
            activity = actions.save_activity(
                None, organisation=org, title=title, place=place, starts_at=starts,
                ends_at=starts + dt.timedelta(hours=length),
                capacity=rng.choice((None, 10, 20, 30)),
                description="组织党员开展志愿服务,践行初心使命。", actor=None)
            counts["activities"] += 1
            chosen = rng.sample(local, min(len(local), rng.randint(3, 8)))
            if activity.capacity:
                chosen = chosen[:activity.capacity]
            signups = [actions.sign_up(activity, m, actor=None) for m in chosen]
            counts["signups"] += len(signups)
            if activity.ends_at > now:
                continue
            for signup in signups:
                hours = Decimal(length) if rng.random() < 0.85 else Decimal("0")
                actions.credit_hours(signup, hours=hours, actor=None)
                counts["hours"] += hours
            actions.finish_activity(activity, actor=None)
    return counts


def _tasks(members) -> int:
    """A visit task for each member with an account (members take part in grid work)."""
    from gridgov.areas.models import Area
    from gridgov.tasks.actions import assign_task

    count = 0
    for member in members:
        if member.user_id is None:
            continue
        grid = Area.objects.filter(code=member.person.area_code, level="grid").first()
        if grid is None:
            continue
        try:
            assign_task(kind="visit", title="走访联系户,了解近期需求", grid=grid,
                        assignee=member.user, actor=None,
                        instructions="请走访您联系的住户,记录需求后回报。")
        except ValidationError:
            continue
        count += 1
    return count


def load(stdout=None, seed: int = 14, today=None) -> dict:
    from gridgov.party.models import PartyMember
    from gridgov.partywork.models import ContactLink

    if ContactLink.objects.exists():
        return {"links": 0}
    rng = random.Random(seed)
    today = today or timezone.localdate()
    members = list(PartyMember.objects.filter(status="active", person__status="residing")
                   .select_related("person", "organisation", "checked_in_to", "user")
                   .order_by("pk"))
    # Members with an account (the demo's member_gulou) first: they have households to show.
    members.sort(key=lambda m: m.user_id is None)
    if not members:
        return {"links": 0}
    links = _links(members, rng, today)
    contacts = _contacts(links, rng, today)
    counts = _activities(members, rng, today)
    tasks = _tasks(members)
    _say(stdout, f"党员联系户 party contacts: {len(links)} links, {contacts} contacts, "
                 f"{counts['activities']} activities, {counts['signups']} sign-ups, "
                 f"{counts['hours']} hours, {tasks} member tasks")
    return {"links": len(links), "contacts": contacts, "tasks": tasks, **counts}
