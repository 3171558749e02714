"""Demo 三会一课: a year of meetings of every active party organisation of the demo, on the
required frequencies (``MeetingRequirement``), with sign-in sheets from the organisations'
members (mostly present, some on leave, a few absent); one organisation in seven stopped
meeting a while ago, so the overdue list has rows; about a third of the branches have their
next 主题党日 planned (a notice) in the coming days.

Idempotent: nothing is written when the demo already holds meetings. Called after the party
demo (``gridgov.demo.party``), which makes the organisations and members.
"""

import datetime as dt
import random

from django.utils import timezone

HISTORY_DAYS = 365
OVERDUE_EVERY = 7
TITLES = {
    "branch_assembly": ["学习贯彻党的二十届三中全会精神", "讨论发展预备党员", "支部年度工作总结",
                        "审议党费收缴使用情况", "民主评议党员"],
    "committee_meeting": ["研究本月支部工作安排", "研究党员联系户走访安排", "研究志愿服务活动方案",
                          "讨论入党积极分子培养", "研究网格议事协商事项"],
    "group_meeting": ["学习党章和党内法规", "交流党员联系户走访情况", "讨论小组志愿服务分工"],
    "party_lecture": ["书记讲党课:践行初心使命", "基层治理中的党员作用", "学习新时代“枫桥经验”",
                      "党史学习专题党课"],
    "theme_day": ["社区环境整治志愿服务", "走访慰问困难党员和独居老人", "红色教育基地参观学习",
                  "垃圾分类宣传", "平安巡防主题党日"],
}
MINUTES = ("会议由支部书记主持。{title}。与会党员逐一发言,围绕网格内群众关心的问题提出意见建议,"
           "会议形成决议并明确责任人和完成时限。")
LEAVE_REASONS = ["外出务工", "身体不适", "单位值班", "在外地探亲"]
HOURS = [(9, 0), (14, 30), (19, 0)]


def _schedule(rng, start, today, months, stop):
    """Held dates: from a first date in the first ``months`` of the window, every ``months``
    months, before ``today`` and not after ``stop``."""
    from gridgov.party_meetings.overdue import add_months

    first = start + dt.timedelta(days=rng.randint(0, 28 * months - 1))
    n = 0
    while True:
        day = add_months(first, months * n)
        if day >= today or day > stop:
            return
        yield day
        n += 1


def load(stdout=None, seed: int = 21, today=None) -> dict:
    from gridgov.party.models import PartyMember, PartyOrganisation
    from gridgov.party_meetings import actions
    from gridgov.party_meetings.models import Meeting
    from gridgov.party_meetings.overdue import required_kinds, requirement_table

    if Meeting.objects.exists():
        return {"meetings": 0}
    rng = random.Random(seed)
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=HISTORY_DAYS)
    defaults, own = requirement_table()
    members: dict[int, list[int]] = {}
    for org_id, member_id in (PartyMember.objects.filter(status="active")
                              .order_by("pk").values_list("organisation_id", "pk")):
        members.setdefault(org_id, []).append(member_id)
    rows = []
    orgs = list(PartyOrganisation.objects.filter(is_active=True).order_by("pk"))
    overdue_orgs = 0
    for n, org in enumerate(orgs):
        kinds = required_kinds(org, defaults, own)
        if not kinds:
            continue
        late = n % OVERDUE_EVERY == OVERDUE_EVERY // 2
        overdue_orgs += late
        sheet = members.get(org.pk, [])
        for kind, months in sorted(kinds.items()):
            stop = today
            if late:
                # Stopped: the last one is more than ``months`` months and 10–60 days ago.
                stop = today - dt.timedelta(days=31 * months + rng.randint(10, 60))
            for day in _schedule(rng, start, today, months, stop):
                hour, minute = rng.choice(HOURS)
                at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
                title = rng.choice(TITLES[kind])
                present, leave = [], {}
                for member_id in sheet:
                    roll = rng.random()
                    if roll < 0.85:
                        present.append(member_id)
                    elif roll < 0.95:
                        leave[member_id] = rng.choice(LEAVE_REASONS)
                rows.append({"organisation": org, "kind": kind, "title": title,
                             "planned_at": at - dt.timedelta(hours=1), "held_at": at,
                             "place": org.name + "党员活动室",
                             "agenda": "1. " + title + "\n2. 党员发言\n3. 形成决议",
                             "minutes": MINUTES.format(title=title),
                             "members": sheet, "present": present, "leave": leave})
        if "theme_day" in kinds and not late and n % 3 == 0:
            day = today + dt.timedelta(days=rng.randint(1, 10))
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(14, 30)))
            rows.append({"organisation": org, "kind": "theme_day",
                         "title": rng.choice(TITLES["theme_day"]), "planned_at": at,
                         "held_at": None, "place": org.name + "党员活动室",
                         "notice": "请全体党员准时参加,佩戴党员徽章。"})
    count = actions.import_meetings(rows, actor=None)
    if stdout is not None:
        stdout.write(f"三会一课 meetings: {count} for {len(orgs)} organisations "
                     f"({overdue_orgs} overdue)\n")
    return {"meetings": count, "organisations": len(orgs), "overdue": overdue_orgs}
